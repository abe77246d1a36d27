"""The pump emulator process: `thecal emulator serve` (or `python -m
thecal.entrypoints.emulator serve`, which starts faster).

One process is one implanted pump: it owns its state directory (journal,
snapshots, clock), advances on its own clock (real time, or scaled with --speed)
and answers telemetry frames on a UDP port. It is stopped by a signal to its own
PID; SIGKILL at any instant loses nothing it ever answered. SIGUSR1 is the
physical step that opens pairing for a minute (docs/telemetry.md).
"""

from __future__ import annotations

import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from thecal.adapters.clock import ClinicClock
from thecal.adapters.telemetry.emulator import PumpEmulator
from thecal.adapters.telemetry.guard import LinkGuard
from thecal.adapters.telemetry.journal import Journal
from thecal.adapters.telemetry.pairing import PumpKeys
from thecal.core.errors import CatalogueError
from thecal.data import drug_library, pump_catalogue

CLOCK_FILE = "clock.json"


def pump_clock(journal: Journal, speed: float, epoch_s: float | None) -> ClinicClock:
    """The pump's clock, kept in the state directory so that a restart continues it:
    pump time = epoch + speed x (wall time since the anchor). A new --speed or
    --epoch-s re-anchors it at the pump time it had reached (it never goes back)."""
    stored = journal.read_json(CLOCK_FILE)
    wall = time.time()
    if stored is not None:
        clock = ClinicClock(stored["anchor_pump_s"], stored["anchor_wall_s"], stored["speed"])
        if stored["speed"] == speed and epoch_s is None:
            return clock
        start = max(clock.now(), epoch_s or 0.0)
    else:
        start = wall if epoch_s is None else epoch_s
    journal.write_json(CLOCK_FILE, {"anchor_pump_s": start, "anchor_wall_s": wall, "speed": speed})
    return ClinicClock(start, wall, speed)


def build(
    state_dir: Path, serial: str, model_id: str, speed: float, epoch_s: float | None
) -> PumpEmulator:
    model = pump_catalogue().get(model_id)
    if model is None or not model.programmable:
        raise CatalogueError(
            f"--model: '{model_id}' is not a programmable pump in the catalogue; one of "
            + ", ".join(m.id for m in pump_catalogue().models.values() if m.programmable)
        )
    journal = Journal(state_dir)
    clock = pump_clock(journal, speed, epoch_s)
    emulator = PumpEmulator(serial, model, drug_library(), journal, clock.now)
    emulator.restore()
    return emulator


def serve(emulator: PumpEmulator, host: str, port: int, out: Any = sys.stdout) -> None:
    """Answer frames until a signal stops the process."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))

    def stop(signum: int, _: Any) -> None:
        emulator.journal.close()
        raise SystemExit(0)

    guard = LinkGuard(emulator, PumpKeys.load(emulator.journal))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGUSR1, lambda *_: guard.magnet())
    print(
        f"pump {emulator.serial} ({emulator.model.id}) on udp://{host}:{sock.getsockname()[1]}, "
        f"record {emulator.seq}, {'running' if emulator.state else 'awaiting commission'}, "
        f"{'paired' if guard.keys.current else 'factory-new: pairing open'}",
        file=out,
        flush=True,
    )
    while True:
        data, address = sock.recvfrom(65536)
        answer = guard.datagram(data)  # None: damaged, never acted on; the sender retries
        if answer is not None:
            sock.sendto(answer, address)
