"""A core `Program` back to the text form people edit (the inverse of
`program_reader`): doses in mg or mcg per day, times as 'HH:MM'. Used to pre-fill
the programming screen and to show a program in the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.core.pump.program import Amount, Program
from thecal.core.units import SECONDS_PER_DAY


def _mass(mcg: float, per: str = "", unit: str | None = None) -> str:
    """In `unit` (mg or mcg) where the drug's is known, else mg from 1000 mcg up."""
    if unit is None:
        unit = "mg" if mcg >= 1000 else "mcg"
    return f"{mcg / 1000:.6g} mg{per}" if unit == "mg" else f"{mcg:.6g} mcg{per}"


def _clock(s: float) -> str:
    day, rest = divmod(round(s), int(SECONDS_PER_DAY))
    hh, mm = divmod(rest // 60, 60)
    return f"{day}d {hh:02d}:{mm:02d}" if day else f"{hh:02d}:{mm:02d}"


def _amount(a: Amount, unit: str | None) -> str:
    return f"{a.ml:.6g} mL" if a.ml is not None else _mass(a.mcg or 0.0, unit=unit)


def _duration(s: float) -> str:
    return f"{s / 3600:.6g} h" if s >= 3600 and s % 3600 == 0 else f"{s / 60:.6g} min"


def program_document(p: Program, units: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`units`: each drug's display unit (mg or mcg), as a clinician reads it: baclofen
    2000 mcg/mL and 1200 mcg/day, not 2 mg/mL and 1.2 mg/day. Doses and bolus amounts
    are of the first drug, in its unit. Without it, mg from 1000 mcg up."""
    units = units or {}
    primary = units.get(p.drugs[0].name) if p.drugs else None
    steps = []
    for step in p.steps:
        if step.dose_mcg_per_s is not None:
            steps.append(
                {
                    "start": _clock(step.start_s),
                    "dose": _mass(step.dose_mcg_per_s * SECONDS_PER_DAY, "/day", primary),
                }
            )
        else:
            rate = (step.rate_ml_per_s or 0.0) * SECONDS_PER_DAY
            steps.append({"start": _clock(step.start_s), "rate": f"{rate:.6g} mL/day"})
    doc: dict[str, Any] = {
        "drugs": [
            {
                "name": d.name,
                "concentration": _mass(d.concentration_mcg_per_ml, "/mL", units.get(d.name)),
            }
            for d in p.drugs
        ],
        "basal": {"cycle_days": p.cycle_days, "steps": steps},
        "low_reservoir_alarm_ml": p.low_reservoir_alarm_ml,
    }
    if p.periodic_boluses:
        doc["periodic_boluses"] = [
            {
                "at": _clock(b.at_s),
                "amount": _amount(b.amount, primary),
                "duration": _duration(b.duration_s),
            }
            for b in p.periodic_boluses
        ]
    if p.demand_bolus is not None:
        d = p.demand_bolus
        doc["demand_bolus"] = {
            "amount": _amount(d.amount, primary),
            "duration": _duration(d.duration_s),
            "lockout": _duration(d.lockout_s),
            "max_per_24h": d.max_per_24h,
        }
        if d.max_mcg_per_24h is not None:
            doc["demand_bolus"]["max_dose_per_24h"] = f"{d.max_mcg_per_24h!r} mcg"
    return doc
