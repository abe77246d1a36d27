"""Telemetry: the fault campaign's counts, and what the link costs per command.

1. The campaign (thecal.adapters.telemetry.campaign): sessions over a seeded lossy
   link with random kill -9 of the emulator process; prints every count and the
   violations (must be 0).
2. Round trip: the same programming commands sent to the in-process emulator and to
   an emulator process over a clean UDP link (journal fsync included), in the same
   run; prints the time per command and the ratio telemetry / in-process.

    python bench/telemetry.py [--sessions 1000] [--seed 1] [--commands 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from thecal.adapters.pump import EmulatedPump
from thecal.adapters.telemetry import EmulatorProcess, TelemetryPump, UdpLink
from thecal.adapters.telemetry.campaign import PROGRAMS, CampaignConfig, run_campaign
from thecal.core.pump import firmware
from thecal.data import drug_library, pump_catalogue


def per_command_s(port, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        port.apply_program(PROGRAMS[i % len(PROGRAMS)], 1000.0 + i)
        port.interrogate(1000.0 + i)
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commands", type=int, default=300)
    args = parser.parse_args()
    model = pump_catalogue().get("peristaltic-20")
    library = drug_library()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = run_campaign(
            CampaignConfig(sessions=args.sessions, seed=args.seed), Path(tmp), model, library
        )
        elapsed = time.perf_counter() - start
    print(f"telemetry fault campaign: {args.sessions} sessions, seed {args.seed}, {elapsed:.1f} s")
    for key, value in sorted(report.counts.items()):
        print(f"  {key:<24} {value}")
    for v in report.violations:
        print(f"  VIOLATION {v}")

    state, _ = firmware.initial_state(model, library, PROGRAMS[0], 20.0, None, 0.26)
    local = per_command_s(EmulatedPump(state), args.commands)
    with tempfile.TemporaryDirectory() as tmp:
        process = EmulatorProcess(Path(tmp), "BENCH-1", epoch_s=0.0).start()
        try:
            port = TelemetryPump(UdpLink(process.host, process.port), "BENCH-1")
            port.pair()
            port.commission(model.id, PROGRAMS[0], 20.0, 0.26)
            remote = per_command_s(port, args.commands)
        finally:
            process.stop()
    print(
        f"program + read-back: in-process {local * 1e3:.3f} ms, telemetry {remote * 1e3:.3f} ms "
        f"per pair; ratio telemetry/in-process: {remote / local:.1f}"
    )


if __name__ == "__main__":
    main()
