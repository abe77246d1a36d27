"""A pump's outlook for the worklist, from its own interrogation (SR-25).

The refill date comes from the same `refill_due` the refill plan uses, so the
worklist and the refill screen can never disagree about when a pump runs low.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpModel
from thecal.core.safety import Policy
from thecal.core.therapy.refill import refill_due, stability_days
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.ports import Interrogation


@dataclass(frozen=True)
class Outlook:
    as_of_s: float
    reservoir_estimate_ml: float | None
    shown: str
    alarms: tuple[str, ...]
    eri: bool
    replacement_due_s: float | None
    refill_due_s: float | None
    refill_due_reason: str
    withdrawal_risk: bool
    drugs: str


def outlook(
    i: Interrogation,
    model: PumpModel,
    library: DrugLibrary,
    policy: Policy,
    last_refill_s: float | None,
) -> Outlook:
    program = i.program
    due_s, reason, risky, drugs = None, "no program", False, ""
    if program is not None:
        drugs = " + ".join(f"{d.name} {d.concentration_mcg_per_ml:g} mcg/mL" for d in program.drugs)
        risky = any(
            (drug := library.get(d.name)) is not None and drug.withdrawal_risk
            for d in program.drugs
        )
        days, why = stability_days(program.drugs, library, False)
        stable_until = None
        if days is not None and last_refill_s is not None:
            stable_until = last_refill_s + days * SECONDS_PER_DAY
        if i.reservoir_estimate_ml is not None:
            due = refill_due(
                program,
                i.reservoir_estimate_ml,
                i.at_s,
                model,
                policy,
                stable_until,
                f"{why}: {days:g} d after the last refill" if days is not None else "",
            )
            due_s, reason = due.due_s, due.reason
    replacement = None
    if i.elective_replacement:
        replacement = i.at_s
    elif i.days_to_end_of_service is not None:
        days_to_eri = max(0.0, i.days_to_end_of_service - model.eri_days)
        replacement = i.at_s + days_to_eri * SECONDS_PER_DAY
    return Outlook(
        i.at_s,
        i.reservoir_estimate_ml,
        i.state,
        i.active_alarms,
        i.elective_replacement,
        replacement,
        due_s,
        reason,
        risky,
        drugs,
    )
