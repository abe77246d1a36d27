"""Clinic server load: 10,000 seeded patients, 16 concurrent clients, a fixed number
of requests, loopback only. Prints p50/p95 and requests/s for the worklist and the
patient page beside a FastAPI hello-world served the same way in the same run.
Target: worklist p95 <= 100 ms.

    python bench/server.py [--patients 10000] [--requests 800]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.clinic.conftest import DAY, PASSWORD, T0, World, baclofen, morphine

from thecal.adapters.db.clinic import ImplantInput


def port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: FastAPI) -> tuple[uvicorn.Server, str]:
    p = port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=p, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{p}"


def load(base: str, paths: list[str], n: int, cookies: dict[str, str]) -> tuple[list[float], float]:
    def one(i: int) -> float:
        t = time.perf_counter()
        r = client.get(base + paths[i % len(paths)])
        assert r.status_code == 200, r.status_code
        return time.perf_counter() - t

    with httpx.Client(
        cookies=cookies, timeout=60, limits=httpx.Limits(max_connections=16)
    ) as client:
        start = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            times = list(pool.map(one, range(n)))
        return times, time.perf_counter() - start


def report(name: str, times: list[float], wall: float) -> str:
    q = statistics.quantiles(times, n=100)
    return f"| {name} | {q[49] * 1000:.1f} | {q[94] * 1000:.1f} | {len(times) / wall:.0f} |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=800)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    w = World(f"sqlite:///{tmp}/bench.db")
    dr = w.users["physician"]
    t = time.perf_counter()
    for i in range(a.patients - 2):
        pid = w.clinic.add_patient(
            dr,
            dict(
                mrn=f"P{i}",
                name=f"Patient {i}",
                birth_year=1960,
                indication="non_cancer",
                weight_kg=70.0,
            ),
            "bench",
            T0 - (i % 90) * DAY,
        )
        program = morphine(2000.0 + i % 7 * 100) if i % 3 else baclofen()
        w.clinic.implant(
            dr,
            pid,
            ImplantInput("peristaltic-20", f"B{i}", "two-piece", 90.0, 2.6, "T10", program, 19.0),
            "bench",
            T0 - (i % 90) * DAY,
        )
    seeded = time.perf_counter() - t
    w.clock.t = T0
    server, base = serve(w.app)
    r = httpx.post(base + "/api/login", json={"username": "nurse", "password": PASSWORD})
    cookies = dict(r.cookies)
    hello = FastAPI()

    @hello.get("/")
    def root() -> dict[str, str]:
        return {"hello": "world"}

    hserver, hbase = serve(hello)
    load(base, ["/worklist"], 32, cookies)  # warm up
    rows = [report("hello world", *load(hbase, ["/"], a.requests, {}))]
    rows.append(report("worklist (HTML)", *load(base, ["/worklist"], a.requests, cookies)))
    rows.append(report("worklist (API)", *load(base, ["/api/worklist"], a.requests, cookies)))
    pages = [f"/patients/{1 + i * 37 % a.patients}" for i in range(200)]
    rows.append(report("patient page", *load(base, pages, a.requests, cookies)))
    with w.clinic.sessions() as db:
        from thecal.adapters.db import queries

        due = len(queries.worklist(db, T0, w.clinic.policy))
    print(
        f"{a.patients} patients seeded through the clinic use cases in {seeded:.0f} s; "
        f"worklist rows: {due}; 16 clients, {a.requests} requests each run"
    )
    print("| endpoint | p50 ms | p95 ms | requests/s |\n| --- | --- | --- | --- |")
    print("\n".join(rows))
    server.should_exit = hserver.should_exit = True


if __name__ == "__main__":
    main()
