"""Builders for telemetry tests: a morphine program and an in-process emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thecal.adapters.pump.program_codec import program_to_json
from thecal.adapters.telemetry.campaign import morphine_program
from thecal.adapters.telemetry.emulator import PumpEmulator
from thecal.adapters.telemetry.journal import Journal
from thecal.core.pump.program import DrugConcentration, Program
from thecal.data import drug_library, pump_catalogue

DAY = 86_400.0
SERIAL = "SN-TEST-1"
MORPHINE = (DrugConcentration("morphine", 10_000.0),)


def program(ml_per_day: float, demand: bool = False) -> Program:
    return morphine_program(ml_per_day, demand)


class Clock:
    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def emulator(directory: Path, clock: Clock, snapshot_every: int = 256) -> PumpEmulator:
    e = PumpEmulator(
        SERIAL,
        pump_catalogue().get("peristaltic-20"),
        drug_library(),
        Journal(directory),
        clock,
        snapshot_every=snapshot_every,
    )
    e.restore()
    return e


def commission_args(ml_per_day: float = 1.0, fill_ml: float = 20.0) -> dict[str, Any]:
    return {
        "model_id": "peristaltic-20",
        "program": program_to_json(program(ml_per_day)),
        "fill_ml": fill_ml,
        "catheter_volume_ml": 0.26,
    }


def opened(e: PumpEmulator, seq: int = 1) -> str:
    answer = e.handle({"op": "open", "command_id": f"open-{seq}", "args": {"serial": SERIAL}}, seq)
    assert answer["ok"], answer
    return str(answer["result"]["session"])
