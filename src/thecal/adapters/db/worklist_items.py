"""The worklist's items that are few at any time and read whole: critical alarms,
refill discrepancies still open, trials in progress, and patients on the care
pathway awaiting an evaluation, a trial or the implant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import (
    AlarmRow,
    AppointmentRow,
    Implant,
    PathwayRow,
    Patient,
    RefillRow,
    ScsDeviceRow,
    TrialRow,
)
from thecal.core.safety import Policy
from thecal.core.therapy.pathway import EVALUATION, IMPLANT, TRIAL, Stage
from thecal.core.units import SECONDS_PER_DAY
from thecal.data import alarm_table
from thecal.services.clinic import words
from thecal.services.clinic.worklist import (
    DUE_SOON,
    OVERDUE,
    UPCOMING,
    WorkItem,
    alarm_rank,
    worklist_alarm_codes,
)
from thecal.services.vocabulary import AppointmentStatus

_TABLE = alarm_table()
# each code's possible priorities: its own, and the one raised for a withdrawal drug
PRIORITIES = {c: (a.priority, a.withdrawal_critical_priority) for c, a in _TABLE.alarms.items()}
WORKLIST_ALARMS = worklist_alarm_codes(PRIORITIES)


def sounding_priority(code: str, recorded: str | None) -> str:
    """The priority an alarm sounded with: the one the pump logged at onset (raised for a
    withdrawal-critical drug), or for rows from before priorities were kept (migration
    0013) the code's own. A code the table does not know is information, not hidden."""
    if recorded:
        return recorded
    return PRIORITIES[code][0] if code in PRIORITIES else "information"


def other_items(db: Session, now_s: float, policy: Policy) -> list[WorkItem]:
    """Alarms, discrepancies and trials: few at any time, read whole."""
    day = SECONDS_PER_DAY
    discrepancies_from = now_s - policy.worklist.discrepancy_lookback_days * day
    items: list[WorkItem] = []
    alarms = db.execute(
        select(AlarmRow, Patient.name, Patient.mrn)
        .join(Patient, Patient.id == AlarmRow.patient_id)
        .where(AlarmRow.code.in_(WORKLIST_ALARMS), AlarmRow.acknowledged_s.is_(None))
    ).all()
    for a, name, mrn in alarms:
        # the priority it sounded with (raised for a withdrawal-critical drug); rows from
        # before priorities were kept (migration 0013) take the code's own
        priority = sounding_priority(a.code, a.priority)
        rank = alarm_rank(priority)
        if rank is None:
            continue
        if a.cleared_s is None:
            days = max(0.0, now_s - a.onset_s) / day
            what = f"{words.alarm(a.code)}, since {words.date(a.onset_s)} ({days:.0f} days)"
        else:
            what = f"{words.alarm(a.code)}: cleared {words.date(a.cleared_s)}, not acknowledged"
        detail = f"{what}; {priority} priority"
        items.append(
            WorkItem(a.patient_id, name, mrn, "alarm", rank, a.onset_s, detail, ref_id=a.id)
        )
    for r, name, mrn in db.execute(
        select(RefillRow, Patient.name, Patient.mrn)
        .join(Patient, Patient.id == RefillRow.patient_id)
        .where(RefillRow.classification != "ok", RefillRow.at_s >= discrepancies_from)
    ).all():
        if r.record.get("open"):
            items.append(
                WorkItem(
                    r.patient_id,
                    name,
                    mrn,
                    "discrepancy",
                    OVERDUE,
                    r.at_s,
                    f"refill of {words.date(r.at_s)}: {r.classification}; to acknowledge: "
                    + "; ".join(words.refill_check(c) for c in r.record["open"]),
                    ref_id=r.id,
                )
            )
    for b, name, mrn in db.execute(
        select(AppointmentRow, Patient.name, Patient.mrn)
        .join(Patient, Patient.id == AppointmentRow.patient_id)
        .where(AppointmentRow.status == AppointmentStatus.BOOKED.value)
        .where(AppointmentRow.end_s < now_s)
    ).all():
        days = (now_s - b.start_s) / day
        detail = (
            f"refill appointment on {words.date(b.start_s)} with {b.clinician} "
            f"({days:.0f} days ago), no refill recorded: rebook, or record the refill"
        )
        items.append(WorkItem(b.patient_id, name, mrn, "appointment", OVERDUE, b.start_s,
                              detail, ref_id=b.id))  # fmt: skip
    for t, name, mrn in db.execute(
        select(TrialRow, Patient.name, Patient.mrn)
        .join(Patient, Patient.id == TrialRow.patient_id)
        .where(TrialRow.status == "open")
    ).all():
        items.append(
            WorkItem(
                t.patient_id,
                name,
                mrn,
                "trial",
                UPCOMING,
                t.started_s,
                words.trial_under_way(t.kind, t.drug, t.started_s),
            )
        )
    return items + _pathway_items(db)


PATHWAY_RANKS = {TRIAL: DUE_SOON, IMPLANT: DUE_SOON, EVALUATION: UPCOMING}
PATHWAY_WORDS = {TRIAL: "awaiting a trial", IMPLANT: "ready for implant", EVALUATION: "pathway"}


def _pathway_items(db: Session) -> list[WorkItem]:
    """Patients on the care pathway with no device yet (no pump, no stimulator) and no
    trial running (pump or SCS): awaiting an evaluation, a trial or the implant (the
    stage their record's decision stored when it was written)."""
    rows = db.execute(
        select(PathwayRow, Patient.name, Patient.mrn)
        .join(Patient, Patient.id == PathwayRow.patient_id)
        .where(PathwayRow.stage.in_(list(PATHWAY_RANKS)))
    ).all()  # the stage index: nothing to read when nobody is on the pathway
    if not rows:
        return []
    ids = [r.patient_id for r, _, _ in rows]
    done = set(db.scalars(select(Implant.patient_id).where(
        Implant.patient_id.in_(ids), Implant.active.is_(True))))  # fmt: skip
    done |= set(db.scalars(select(TrialRow.patient_id).where(
        TrialRow.patient_id.in_(ids), TrialRow.status == "open")))  # fmt: skip
    done |= set(db.scalars(select(ScsDeviceRow.patient_id).where(
        ScsDeviceRow.patient_id.in_(ids), ScsDeviceRow.active.is_(True))))  # fmt: skip
    waiting = [(r, name, mrn) for r, name, mrn in rows if r.patient_id not in done]
    return [
        WorkItem(r.patient_id, name, mrn, "pathway", PATHWAY_RANKS[stage], r.updated_s,
                 f"{PATHWAY_WORDS[stage]}: {r.why}")
        for r, name, mrn in waiting
        for stage in (Stage(r.stage),)
    ]


