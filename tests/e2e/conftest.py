"""The clinic served on a free port for the browser tests: started by the fixture,
waited for with a timeout, stopped by the fixture."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from tests.clinic.conftest import DAY, T0, World
from thecal.core.pump.commands import Fault


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path):
    w = World(f"sqlite:///{tmp_path / 'e2e.db'}")
    w.clinic.care.inject_fault(w.b, Fault("bias", 0.5), T0 + 1)
    w.clock.t = T0 + 30 * DAY
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(w.app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30.0  # never wait forever for a server that failed
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield w, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)
    w.engine.dispose()


