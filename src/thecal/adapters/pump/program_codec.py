"""A core `Program` as JSON, exactly: floats go through `repr`, so the program read
back has the same digest as the one written (SR-07 holds across the database and
the telemetry link)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
)


def program_to_json(p: Program) -> dict[str, Any]:
    return asdict(p)


def _amount(d: dict[str, Any]) -> Amount:
    return Amount(ml=d["ml"], mcg=d["mcg"])


def program_from_json(d: dict[str, Any]) -> Program:
    demand = d["demand_bolus"]
    return Program(
        drugs=tuple(DrugConcentration(**x) for x in d["drugs"]),
        steps=tuple(Step(**x) for x in d["steps"]),
        cycle_days=d["cycle_days"],
        periodic_boluses=tuple(
            PeriodicBolus(x["at_s"], _amount(x["amount"]), x["duration_s"])
            for x in d["periodic_boluses"]
        ),
        demand_bolus=None
        if demand is None
        else DemandBolus(
            _amount(demand["amount"]),
            demand["duration_s"],
            demand["lockout_s"],
            demand["max_per_24h"],
            demand.get("max_mcg_per_24h"),
        ),
        low_reservoir_alarm_ml=d["low_reservoir_alarm_ml"],
    )
