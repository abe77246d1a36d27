"""A program in a scenario file -> a core `Program` in canonical units."""

from __future__ import annotations

from typing import Any

from thecal.adapters.scenario.fields import Reader
from thecal.core.errors import UnitError
from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
)
from thecal.core.units import Kind, parse

PROGRAM_KEYS = ("drugs", "basal", "periodic_boluses", "demand_bolus", "low_reservoir_alarm_ml")


def read_amount(r: Reader, value: Any, path: str) -> Amount | None:
    """A bolus amount: a volume ('0.374 mL') or a primary-drug amount ('0.1 mg')."""
    for kind in (Kind.VOLUME, Kind.AMOUNT):
        try:
            number = parse(value, kind, path)
        except UnitError:
            continue
        if number <= 0:
            r.add(path, f"'{value}' must be greater than 0")
            return None
        return Amount(ml=number) if kind is Kind.VOLUME else Amount(mcg=number)
    r.add(
        path, f"{value!r} is neither a volume such as '0.374 mL' nor a drug amount such as '0.1 mg'"
    )
    return None


def read_drugs(r: Reader, value: Any, path: str) -> tuple[DrugConcentration, ...]:
    out = []
    for i, item in enumerate(r.items(value, path)):
        p = f"{path}[{i}]"
        obj = r.obj(item, p, ("name", "concentration"), ("name", "concentration"))
        if obj is None or "name" not in obj or "concentration" not in obj:
            continue
        name = r.text(obj["name"], f"{p}.name")
        conc = r.quantity(obj["concentration"], Kind.CONCENTRATION, f"{p}.concentration")
        if name is not None and conc is not None:
            out.append(DrugConcentration(name, conc))
    return tuple(out)


def _steps(r: Reader, value: Any, path: str) -> tuple[Step, ...]:
    out = []
    for i, item in enumerate(r.items(value, path)):
        p = f"{path}[{i}]"
        obj = r.obj(item, p, ("start", "rate", "dose"), ("start",))
        if obj is None or "start" not in obj:
            continue
        start = r.clock(obj["start"], f"{p}.start")
        if ("rate" in obj) == ("dose" in obj):
            r.add(p, "give exactly one of 'rate' (e.g. '0.5 mL/day') or 'dose' (e.g. '3 mg/day')")
            continue
        if "rate" in obj:
            rate = r.quantity(obj["rate"], Kind.RATE, f"{p}.rate")
            if rate is not None and rate < 0:
                r.add(f"{p}.rate", "must not be negative")
            elif start is not None and rate is not None:
                out.append(Step(start, rate_ml_per_s=rate))
        else:
            dose = r.quantity(obj["dose"], Kind.DOSE_RATE, f"{p}.dose")
            if dose is not None and dose < 0:
                r.add(f"{p}.dose", "must not be negative")
            elif start is not None and dose is not None:
                out.append(Step(start, dose_mcg_per_s=dose))
    return tuple(out)


def _periodic(r: Reader, value: Any, path: str) -> tuple[PeriodicBolus, ...]:
    out = []
    for i, item in enumerate(r.items(value, path)):
        p = f"{path}[{i}]"
        obj = r.obj(item, p, ("at", "amount", "duration"), ("at", "amount", "duration"))
        if obj is None or not {"at", "amount", "duration"} <= set(obj):
            continue
        at = r.clock(obj["at"], f"{p}.at")
        amount = read_amount(r, obj["amount"], f"{p}.amount")
        duration = r.quantity(obj["duration"], Kind.DURATION, f"{p}.duration")
        if at is not None and amount is not None and duration is not None:
            out.append(PeriodicBolus(at, amount, duration))
    return tuple(out)


def _demand(r: Reader, value: Any, path: str) -> DemandBolus | None:
    keys = ("amount", "duration", "lockout", "max_per_24h")
    obj = r.obj(value, path, keys, keys)
    if obj is None or not set(keys) <= set(obj):
        return None
    amount = read_amount(r, obj["amount"], f"{path}.amount")
    duration = r.quantity(obj["duration"], Kind.DURATION, f"{path}.duration")
    lockout = r.quantity(obj["lockout"], Kind.DURATION, f"{path}.lockout")
    count = r.number(obj["max_per_24h"], f"{path}.max_per_24h", integer=True)
    if amount is None or duration is None or lockout is None or count is None:
        return None
    return DemandBolus(amount, duration, lockout, int(count))


def read_program(r: Reader, value: Any, path: str, needs_basal: bool = True) -> Program | None:
    before = len(r.problems)
    obj = r.obj(value, path, PROGRAM_KEYS, ("drugs", "basal") if needs_basal else ("drugs",))
    if obj is None:
        return None
    drugs = read_drugs(r, obj.get("drugs", []), f"{path}.drugs")
    cycle_days = 1
    steps: tuple[Step, ...] = ()
    if "basal" in obj:
        basal = r.obj(obj["basal"], f"{path}.basal", ("cycle_days", "steps"), ("steps",))
        if basal is not None:
            if "cycle_days" in basal:
                days = r.number(basal["cycle_days"], f"{path}.basal.cycle_days", integer=True)
                cycle_days = int(days) if days is not None else 1
            steps = _steps(r, basal.get("steps", []), f"{path}.basal.steps")
    periodic = _periodic(r, obj.get("periodic_boluses", []), f"{path}.periodic_boluses")
    demand = (
        _demand(r, obj["demand_bolus"], f"{path}.demand_bolus") if "demand_bolus" in obj else None
    )
    low = 2.0
    if "low_reservoir_alarm_ml" in obj:
        parsed = r.volume(obj["low_reservoir_alarm_ml"], f"{path}.low_reservoir_alarm_ml")
        low = parsed if parsed is not None else low
    if len(r.problems) > before:
        return None
    return Program(drugs, steps, cycle_days, periodic, demand, low)
