"""128 concurrent bad logins against the clinic server in its own process (issue 23:
they took its memory from 238 MB to 1.1 GB and other requests to 3.8 s). Prints the
server's resident memory before and at its peak during the flood (and their ratio),
how the bad logins were answered (401 wrong, 429 locked), and a colleague's page
load during the flood against the same page before it. The clinic's real argon2 cost;
SQLite, loopback only.

    python bench/logins.py [--concurrent 128]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.server import free_port, start, stop
from tests.clinic.conftest import PASSWORD, World

ROOT = Path(__file__).resolve().parents[1]


def page_ms(client: httpx.Client, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        client.get(url)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--concurrent", type=int, default=128)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/logins.db"
    World(url).engine.dispose()  # the clinic's accounts, at the clinic's own password cost
    env = {**os.environ, "THECAL_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("THECAL_PUMP_LINK", None)
    port = free_port()
    thecal = str(Path(sys.executable).parent / "thecal")
    server = start([thecal, "serve", "--port", str(port), "--sync-every-s", "1e9"], port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        proc = psutil.Process(server.pid)
        nurse = httpx.Client(base_url=base)
        assert nurse.post("/api/login", json={"username": "nurse",
                                              "password": PASSWORD}).status_code == 200  # fmt: skip
        before_ms = page_ms(nurse, "/api/worklist", 20)
        rss_before = proc.memory_info().rss
        peak = [rss_before]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak.append(proc.memory_info().rss)
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        codes: dict[int, int] = {}

        def bad(i: int) -> int:
            with httpx.Client(base_url=base, timeout=120) as c:
                r = c.post("/api/login", json={"username": f"user{i % 16}",
                                               "password": f"wrong-{i}"})  # fmt: skip
                return r.status_code

        t0 = time.perf_counter()
        with ThreadPoolExecutor(a.concurrent) as pool:
            futures = [pool.submit(bad, i) for i in range(a.concurrent)]
            during_ms = page_ms(nurse, "/api/worklist", 20)
            for f in futures:
                codes[f.result()] = codes.get(f.result(), 0) + 1
        flood_s = time.perf_counter() - t0
        done.set()
        watcher.join()
        mb = 1024 * 1024
        print(f"{a.concurrent} concurrent bad logins in {flood_s:.1f} s; answers: "
              + ", ".join(f"{n} x {code}" for code, n in sorted(codes.items())))  # fmt: skip
        print(f"server memory: {rss_before / mb:.0f} MB before, peak {max(peak) / mb:.0f} MB "
              f"(peak/before {max(peak) / rss_before:.2f}x; issue 23 measured 1.1 GB / 238 MB "
              "= 4.6x)")  # fmt: skip
        b, d = statistics.median(before_ms), statistics.median(during_ms)
        print(f"a nurse's worklist: median {b:.0f} ms before, {d:.0f} ms during the flood "
              f"({d / b:.1f}x), slowest during {max(during_ms):.0f} ms")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
