"""Clinic server load: 10,000 patients seeded through the clinic's use cases, the
server in its own process(es) (`thecal serve --workers N`), the load generator in
this one: 16 concurrent clients, a fixed number of requests, loopback only. On
SQLite and on PostgreSQL (127.0.0.1:5432, database `test`), with 1 and 2 uvicorn
workers, beside a FastAPI hello-world served the same way in the same run.
Prints p50/p95 and requests/s per endpoint and the p95 ratio to hello-world, and the
worklist and the patient page once more while a physician adds a patient every
second (each write makes every worker read its kept pages and records again). The
clinic's clock runs in real time.
Target: worklist p95 <= 100 ms at 16 clients over 10,000 patients on PostgreSQL.

    python bench/server.py [--patients 10000] [--requests 800] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.clinic.conftest import DAY, PASSWORD, PG_URL, T0, World, baclofen, morphine

from thecal.adapters.clock import ClinicClock
from thecal.adapters.db.engine import make_engine
from thecal.adapters.db.setup import store_clock

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 16
WORKLIST_API = "worklist (API, first 100)"
WRITES_S = 12.0  # the worklist-with-writes row reads for about this long
NOW = T0 + 30 * DAY  # the clinic's clock during the run: a month after the last implant


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, patients: int) -> float:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    # Every implant goes through the gate with an authenticated second person; at the
    # clinic's argon2 cost (~0.12 s a verification) 10,000 implants would take 20 min.
    # This bench measures reads, so its users get cheap hashes (argon2's parameters
    # travel in each hash, so the server processes verify them cheaply too).
    from argon2 import PasswordHasher

    from thecal.adapters.db import auth

    auth._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    w = World(url)
    t = time.perf_counter()
    for i in range(patients - 2):
        program = morphine(2000.0 + i % 7 * 100) if i % 3 else baclofen()
        w.implanted_patient(f"P{i}", program, 19.0, T0 - (i % 90) * DAY, "bench")
    # the clinic's clock runs in real time from NOW: the worklist page kept per minute
    # of clinic time (adapters/db/worklist_pages.py) is computed afresh as it would be
    store_clock(w.db, ClinicClock(NOW, time.time(), 1.0))
    w.engine.dispose()
    return time.perf_counter() - t


def start(cmd: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"{cmd[0]} did not answer on port {port}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def load(base: str, paths: list[str], n: int, cookies: dict[str, str]) -> tuple[list[float], float]:
    def one(i: int) -> float:
        t = time.perf_counter()
        r = client.get(base + paths[i % len(paths)])
        assert r.status_code == 200, r.status_code
        return time.perf_counter() - t

    limits = httpx.Limits(max_connections=CLIENTS)
    with httpx.Client(cookies=cookies, timeout=60, limits=limits) as client:
        start_t = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            times = list(pool.map(one, range(n)))
        return times, time.perf_counter() - start_t


def writer(base: str, stop_at: threading.Event, every_s: float) -> list[float]:
    """A physician adding a patient every `every_s` while the clients read: each write
    advances the data version, so every worker computes its next worklist page again."""
    times: list[float] = []
    r = httpx.post(base + "/api/login", json={"username": "physician", "password": PASSWORD})
    headers = {"X-CSRF-Token": r.json()["csrf"]}
    with httpx.Client(cookies=dict(r.cookies), headers=headers, timeout=60) as client:
        i = 0
        while not stop_at.wait(every_s):
            t = time.perf_counter()
            body = {"mrn": f"W{time.time_ns()}-{i}", "name": "Written During Load",
                    "birth_year": 1960, "indication": "non_cancer", "weight_kg": 70.0,
                    "opioid_naive": False, "reason": "bench: a write during the load"}  # fmt: skip
            assert client.post(base + "/api/patients", json=body).status_code == 201
            times.append(time.perf_counter() - t)
            i += 1
    return times


def quantiles(times: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(times, n=100)
    return q[49] * 1000, q[94] * 1000


def run(backend: str, url: str, workers: int, patients: int, requests: int) -> list[str]:
    env = {**os.environ, "THECAL_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("THECAL_PUMP_LINK", None)
    port, hport = free_port(), free_port()
    thecal = str(Path(sys.executable).parent / "thecal")
    server = start(
        [thecal, "serve", "--port", str(port), "--workers", str(workers), "--sync-every-s", "1e9"],
        port, env,
    )  # fmt: skip
    hello = start(
        [sys.executable, "-m", "uvicorn", "bench.hello_app:app", "--port", str(hport),
         "--workers", str(workers), "--log-level", "warning"],
        hport, env,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        r = httpx.post(base + "/api/login", json={"username": "nurse", "password": PASSWORD})
        cookies = dict(r.cookies)
        load(base, ["/api/worklist", "/worklist"], 64, cookies)  # warm up every worker
        load(f"http://127.0.0.1:{hport}", ["/"], 64, {})
        _, hello_p95 = quantiles(load(f"http://127.0.0.1:{hport}", ["/"], requests, {})[0])
        rows = [f"| {backend} | {workers} | hello world | {hello_p95:.1f} | 1.0 |"]
        pages = [f"/patients/{1 + i * 37 % patients}" for i in range(200)]
        rate: dict[str, float] = {}
        for name, paths in (
            (WORKLIST_API, ["/api/worklist"]),
            ("worklist (HTML, first 100)", ["/worklist"]),
            ("patient page", pages),
        ):
            times, wall = load(base, paths, requests, cookies)
            p50, p95 = quantiles(times)
            rate[name] = len(times) / wall
            rows.append(
                f"| {backend} | {workers} | {name} | {p95:.1f} | {p95 / hello_p95:.1f} |"
                f" <!-- p50 {p50:.1f} ms, {rate[name]:.0f} req/s -->"
            )
        for name, paths, measured in (
            ("worklist (API) with a write a second", ["/api/worklist"], WORKLIST_API),
            ("patient page with a write a second", pages, "patient page"),
        ):
            # long enough for ~WRITES_S writes, at the rate this endpoint was read above
            with_writes = max(requests, int(rate[measured] * WRITES_S))
            stop_at = threading.Event()
            with ThreadPoolExecutor(1) as pool:
                writes = pool.submit(writer, base, stop_at, 1.0)
                times, wall = load(base, paths, with_writes, cookies)
                stop_at.set()
                written = writes.result()
            p50, p95 = quantiles(times)
            rows.append(
                f"| {backend} | {workers} | {name} | {p95:.1f} | {p95 / hello_p95:.1f} |"
                f" <!-- p50 {p50:.1f} ms; {len(written)} writes -->"
            )
        return rows
    finally:
        stop(server)
        stop(hello)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=800)
    ap.add_argument("--backends", default="sqlite,postgresql")
    a = ap.parse_args()
    urls = {"sqlite": f"sqlite:///{tempfile.mkdtemp()}/bench.db", "postgresql": PG_URL}
    rows = []
    for backend in a.backends.split(","):
        seconds = seed(urls[backend], a.patients)
        print(f"{backend}: {a.patients} patients seeded through the use cases in {seconds:.0f} s")
        for workers in (1, 2):
            rows += run(backend, urls[backend], workers, a.patients, a.requests)
    print(f"{CLIENTS} clients, {a.requests} requests per endpoint, server in its own processes")
    print("| database | workers | endpoint | p95 ms | p95 / hello-world p95 |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
