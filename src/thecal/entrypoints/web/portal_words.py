"""What the patient reads about their own therapy, in plain words (issue 25): the drug
and its daily dose, the doses left in the last 24 hours, and the next refill in days
from today. Worked out from the pump's own report and the clinic's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from thecal.adapters.db.queries import PatientRecord
from thecal.core.drugs import DrugLibrary
from thecal.core.pump.program import Program
from thecal.core.safety.fmt import dose_text
from thecal.core.therapy.dosing import daily_doses
from thecal.core.units import SECONDS_PER_DAY
from thecal.data import alarm_table
from thecal.services.clinic import words
from thecal.services.clinic.ports import AppointmentFacts

_ALARMS = alarm_table()  # which alarms stop delivery; which drugs are withdrawal-critical


@dataclass(frozen=True)
class PatientTherapy:
    doses: tuple[str, ...]  # "morphine, 3 mg a day"
    doses_left: int | None  # patient doses still allowed in the last 24 h
    doses_per_day: int | None
    refill: str  # "in 12 days (2026-12-18)" or "overdue: call the clinic"
    baclofen: bool  # the diary asks for a spasm score
    appointment: str | None = None  # "Friday 2026-11-20 at 10:00, in 30 days"
    # the pump has stopped and its fluid holds a drug whose abrupt stop is dangerous
    withdrawal: tuple[str, ...] = ()  # "Stopping baclofen suddenly is dangerous. ..."


def patient_therapy(
    program: Program | None,
    rec: PatientRecord,
    now_s: float,
    library: DrugLibrary,
    booked: AppointmentFacts | None = None,
    zone: tzinfo = UTC,
) -> PatientTherapy:
    doses: list[str] = []
    # an empty or stopped pump gives none of its program: "baclofen, 440 mcg a day" alone
    # read as if it still did
    given = " (set on your pump, but it is not giving it now)" if delivery_stopped(rec) else ""
    if program is not None:
        for name, d in daily_doses(program).items():
            text = dose_text(library.get(name), d.programmed_mcg, per="")
            doses.append(f"{name}, {text} a day{given}")
    left = per_day = None
    if program is not None and program.demand_bolus is not None:
        per_day = program.demand_bolus.max_per_24h
        taken = sum(1 for b in rec.boluses
                    if b.result == "granted" and now_s - b.at_s < SECONDS_PER_DAY)  # fmt: skip
        left = max(0, per_day - taken)
    due = rec.pump.refill_due_s if rec.pump is not None else None
    if due is None:
        refill = "not booked: ask the clinic"
    elif due < now_s:
        refill = "overdue: call the clinic today"
    else:
        days = (due - now_s) / SECONDS_PER_DAY
        refill = f"in {days:.0f} days" if days >= 1 else "today"
    names = {d.name for d in program.drugs} if program is not None else set()
    appointment = None
    if booked is not None:
        start = datetime.fromtimestamp(booked.start_s, zone)
        days = round((booked.start_s - now_s) / SECONDS_PER_DAY)
        when = "today" if days <= 0 else "tomorrow" if days == 1 else f"in {days} days"
        appointment = f"{start.strftime('%A %Y-%m-%d at %H:%M')}, {when}"
        if booked.end_s < now_s:  # its window has passed with no refill recorded
            appointment = (f"{start.strftime('%A %Y-%m-%d at %H:%M')} has passed: "
                           "call the clinic to book again")  # fmt: skip
    return PatientTherapy(tuple(doses), left, per_day, refill, "baclofen" in names,
                          appointment, withdrawal_warnings(rec, names))  # fmt: skip


def withdrawal_warnings(rec: PatientRecord, names: set[str]) -> tuple[str, ...]:
    """While an alarm that stops delivery is on (empty, end of service, stall, valve,
    self-test), each withdrawal-critical drug in the fluid gets its early signs and what
    to do: "Call the clinic" alone did not say that a baclofen patient is at risk."""
    if not delivery_stopped(rec):
        return ()
    return tuple(
        f"Your pump has stopped giving {name}, and stopping {name} suddenly is "
        f"dangerous. Call the clinic now. Watch for {words.WITHDRAWAL_SIGNS[name]}: if "
        f"they start, go to an emergency department and say you have a {name} pump."
        for name in sorted(names & _ALARMS.withdrawal_critical_drugs)
        if name in words.WITHDRAWAL_SIGNS
    )


def delivery_stopped(rec: PatientRecord) -> bool:
    """An alarm that stops delivery is on (empty, end of service, stall, valve, self-test)."""
    codes = [c for c in (rec.pump.alarms.split(",") if rec.pump else []) if c]
    return any(_ALARMS.alarms[c].stops_delivery for c in codes if c in _ALARMS.alarms)
