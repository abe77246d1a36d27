"""The hello-world baseline for bench/server.py: FastAPI, served the same way."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"hello": "world"}
