"""A patient list row in the clinician's words: each drug's programmed daily dose in
its own unit, the pump's state, and the next refill with how overdue it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thecal.adapters.db.patient_list import ListedPatient
from thecal.adapters.pump.program_codec import program_from_json
from thecal.core.drugs import DrugLibrary
from thecal.core.safety.fmt import dose_text
from thecal.core.therapy.dosing import daily_doses
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.clinic import words


@dataclass(frozen=True)
class PatientRow:
    id: int
    name: str
    mrn: str
    indication: str
    # "morphine 5.5 mg/day", an admixture's drugs joined by " + "; without a pump the
    # trial under way or the stimulator; "" when there is none of them
    therapy: str
    pump: str  # the pump's state as shown ("delivering", "empty"), "" without a pump
    refill_due_s: float | None
    overdue_days: float | None  # how long past the due date, when it has passed


def therapy_words(program: dict[str, Any] | None, library: DrugLibrary) -> str:
    if program is None:
        return ""
    doses = daily_doses(program_from_json(program))
    return " + ".join(f"{name} {dose_text(library.get(name), d.programmed_mcg)}"
                      for name, d in doses.items())  # fmt: skip


def overdue_days(due_s: float | None, now_s: float) -> float | None:
    """How many days a due date has passed, or None while it is ahead (the list and the
    pump card say it alike)."""
    return (now_s - due_s) / SECONDS_PER_DAY if due_s is not None and due_s < now_s else None


def days_figure(days: float) -> str:
    """Days overdue as the list shows them: a tenth under ten days (0.4 read "0", as if
    the refill were not late at all), whole days from ten up."""
    return f"{days:.1f}" if days < 10 else f"{days:.0f}"


def without_pump(row: ListedPatient) -> str:
    """What a patient without a pump has instead; both, when a stimulator patient is on
    a pump trial."""
    said = []
    if row.stimulator is not None:
        said.append(words.stimulator(*row.stimulator))
    if row.trial is not None:
        said.append(words.trial_under_way(*row.trial))
    return "; ".join(said)


def patient_row(row: ListedPatient, library: DrugLibrary, now_s: float) -> PatientRow:
    p, pump = row.patient, row.pump
    due = pump.refill_due_s if pump is not None else None
    late = overdue_days(due, now_s)
    return PatientRow(
        p.id, p.name, p.mrn, p.indication,
        therapy_words(row.program, library) if pump is not None else without_pump(row),
        pump.shown if pump is not None else "", due, late,
    )  # fmt: skip
