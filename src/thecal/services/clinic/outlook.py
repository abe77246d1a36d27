"""A pump's outlook for the worklist, from its own interrogation (SR-25).

The refill date comes from the same `refill_due` the refill plan uses, so the
worklist and the refill screen can never disagree about when a pump runs low.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpModel
from thecal.core.safety import Policy
from thecal.core.safety.battery import daily_drain_uah
from thecal.core.safety.fmt import conc_text
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
    end_of_service_s: float | None  # projected on the running program (SR-31)
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
    naive_fill: bool = False,
) -> Outlook:
    """`naive_fill`: the fluid is a naive pump's first fill, whose ziconotide keeps 14
    days (StoredPump.naive_fill); it was booked by the 84 days of a later fill."""
    program = i.program
    due_s, reason, risky, drugs = None, "no program", False, ""
    if program is not None:
        drugs = " + ".join(f"{d.name} {conc_text(library.get(d.name), d.concentration_mcg_per_ml)}"
                           for d in program.drugs)  # fmt: skip
        risky = any(
            (drug := library.get(d.name)) is not None and drug.withdrawal_risk
            for d in program.drugs
        )
        days, why = stability_days(program.drugs, library, naive_fill)
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
                f"{why}: {days:g} d after the last fill" if days is not None else "",
                *booking_limit(i, model),
            )
            due_s, reason = due.due_s, due.reason
    replacement, end = replacement_dates(i, model)
    return Outlook(
        i.at_s,
        i.reservoir_estimate_ml,
        i.state,
        i.active_alarms,
        i.elective_replacement,
        replacement,
        end,
        due_s,
        reason,
        risky,
        drugs,
    )


def replacement_dates(i: Interrogation, model: PumpModel) -> tuple[float | None, float | None]:
    """The elective replacement date and the end of service. At ERI the replacement is
    due now; before it, ERI comes eri_days before the end, by the sooner of the pump's
    own figure (its recent average drain) and the projection on the program it now
    runs (a raised rate shows at once)."""
    end = _end_of_service_s(i, model)
    if i.elective_replacement:
        return i.at_s, end
    left = [i.days_to_end_of_service] if i.days_to_end_of_service is not None else []
    if end is not None:
        left.append((end - i.at_s) / SECONDS_PER_DAY)
    if not left:
        return None, end
    return i.at_s + max(0.0, min(left) - model.eri_days) * SECONDS_PER_DAY, end


def booking_limit(i: Interrogation, model: PumpModel) -> tuple[float | None, str]:
    """The date no refill is booked after (refill_due), and why. Before ERI: the
    elective replacement date (the visit then plans the replacement; the new pump is
    filled at it). At ERI: the end of service, since the pump must be replaced before
    it stops. The worklist and the refill plan both read it here."""
    replacement, end = replacement_dates(i, model)
    if i.elective_replacement:
        return end, "end of service: the pump must be replaced before it"
    return replacement, "elective replacement date"


def _end_of_service_s(i: Interrogation, model: PumpModel) -> float | None:
    """When the battery ends on the running program (every patient bolus taken), from
    the charge the pump reported: the same projection the programming review shows."""
    if i.program is None or not model.programmable or model.battery_uah <= 0:
        return None
    left_uah = i.battery_fraction * model.battery_uah
    return i.at_s + left_uah / daily_drain_uah(model, i.program) * SECONDS_PER_DAY
