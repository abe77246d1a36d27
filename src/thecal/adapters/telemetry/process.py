"""Starting, waiting for, killing and stopping one emulator process, by its own PID.

Used by the tests' fixtures, the fault campaign and anyone who wants a pump on a
port: `start()` launches it and waits until it answers a ping on its port;
`kill()` is kill -9 (the campaign's crash); `stop()` is SIGTERM, then SIGKILL if it
does not go. Nothing here ever signals any process but the one it started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thecal.adapters.telemetry.frame import REQUEST, RESPONSE, Frame, decode, encode
from thecal.core.errors import BadFrame, LinkError


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ping(host: str, port: int, timeout_s: float = 0.2) -> dict[str, Any] | None:
    """The emulator's answer to a ping, or None if nothing answered in time."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout_s)
        s.sendto(encode(Frame(REQUEST, 0, {"op": "ping"})), (host, port))
        try:
            data, _ = s.recvfrom(65536)
            frame = decode(data)
        except (OSError, BadFrame):
            return None
        return frame.payload if frame.kind == RESPONSE else None


@dataclass
class EmulatorProcess:
    state_dir: Path
    serial: str
    model_id: str = "peristaltic-20"
    port: int = field(default_factory=free_udp_port)
    host: str = "127.0.0.1"
    speed: float = 1.0
    epoch_s: float | None = None
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def command(self) -> list[str]:
        cmd = [
            sys.executable, "-m", "thecal.entrypoints.emulator", "serve",
            "--pump-id", self.serial, "--model", self.model_id, "--port", str(self.port),
            "--host", self.host, "--state-dir", str(self.state_dir), "--speed", repr(self.speed),
        ]  # fmt: skip
        if self.epoch_s is not None and self.starts == 0:
            cmd += ["--epoch-s", repr(self.epoch_s)]
        return cmd

    def start(self, wait_s: float = 20.0) -> EmulatorProcess:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path or self.state_dir / "emulator.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=log)
        log.close()
        self.starts += 1
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LinkError(
                    f"the emulator exited with status {self.process.returncode}: see "
                    f"{self.log_path or self.state_dir / 'emulator.log'}"
                )
            if ping(self.host, self.port) is not None:
                return self
        self.stop()
        raise LinkError(f"the emulator did not answer on udp port {self.port} in {wait_s} s")

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def magnet(self) -> None:
        """The physical step (the programmer head over the pump): SIGUSR1 to this
        emulator opens pairing for a minute."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGUSR1)

    def kill(self) -> None:
        """kill -9, as a crash would: no clean-up runs in the emulator."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, grace_s: float = 5.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
