"""The worklist's rows that are few at any time and read whole: alarms not yet
acknowledged, refills with checks still open, missed appointments, trials running, and
patients on the care pathway. Only the selection is here; what each row means and
says is services/clinic/worklist_items.py."""

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
from thecal.core.units import SECONDS_PER_DAY
from thecal.data import alarm_table
from thecal.services.clinic import worklist_items as wi
from thecal.services.clinic.worklist import WorkItem
from thecal.services.vocabulary import AppointmentStatus

TABLE = alarm_table()
WORKLIST_ALARMS = wi.worklist_alarms(TABLE)


def sounding_priority(code: str, recorded: str | None) -> str:
    """The alarm table's rule (worklist_items.sounding_priority) on the clinic's table."""
    return wi.sounding_priority(TABLE, code, recorded)


def other_items(db: Session, now_s: float, policy: Policy) -> list[WorkItem]:
    """Alarms, discrepancies, missed appointments, trials and the care pathway."""
    rows = (
        [wi.alarm_item(a, now_s, TABLE) for a in open_alarms(db)]
        + [wi.discrepancy_item(r) for r in refills_with_checks(db, now_s, policy)]
        + [wi.appointment_item(b, now_s) for b in missed_appointments(db, now_s)]
        + [wi.trial_item(t) for t in running_trials(db)]
        + [wi.pathway_item(p) for p in on_pathway(db)]
    )
    return [item for item in rows if item is not None]


def open_alarms(db: Session) -> list[wi.OpenAlarm]:
    q = (select(AlarmRow, Patient.name, Patient.mrn)
         .join(Patient, Patient.id == AlarmRow.patient_id)
         .where(AlarmRow.code.in_(WORKLIST_ALARMS), AlarmRow.acknowledged_s.is_(None)))  # fmt: skip
    return [wi.OpenAlarm(a.patient_id, name, mrn, a.id, a.code, a.priority, a.onset_s,
                         a.cleared_s) for a, name, mrn in db.execute(q).all()]  # fmt: skip


def refills_with_checks(db: Session, now_s: float, policy: Policy) -> list[wi.RefillWithChecks]:
    """Refills not classified ok within the look-back (policy.worklist)."""
    since = now_s - policy.worklist.discrepancy_lookback_days * SECONDS_PER_DAY
    q = (select(RefillRow, Patient.name, Patient.mrn)
         .join(Patient, Patient.id == RefillRow.patient_id)
         .where(RefillRow.classification != "ok", RefillRow.at_s >= since))  # fmt: skip
    return [wi.RefillWithChecks(r.patient_id, name, mrn, r.id, r.at_s, r.classification,
                                tuple(r.record.get("open") or ()))
            for r, name, mrn in db.execute(q).all()]  # fmt: skip


def missed_appointments(db: Session, now_s: float) -> list[wi.MissedAppointment]:
    """Appointments still booked whose time window has passed."""
    q = (select(AppointmentRow, Patient.name, Patient.mrn)
         .join(Patient, Patient.id == AppointmentRow.patient_id)
         .where(AppointmentRow.status == AppointmentStatus.BOOKED.value)
         .where(AppointmentRow.end_s < now_s))  # fmt: skip
    return [wi.MissedAppointment(b.patient_id, name, mrn, b.id, b.start_s, b.clinician)
            for b, name, mrn in db.execute(q).all()]  # fmt: skip


def running_trials(db: Session) -> list[wi.RunningTrial]:
    q = (select(TrialRow, Patient.name, Patient.mrn)
         .join(Patient, Patient.id == TrialRow.patient_id)
         .where(TrialRow.status == "open"))  # fmt: skip
    return [wi.RunningTrial(t.patient_id, name, mrn, t.kind, t.drug, t.started_s)
            for t, name, mrn in db.execute(q).all()]  # fmt: skip


def on_pathway(db: Session) -> list[wi.OnPathway]:
    """Patients whose pathway stage awaits a step, each with whether a device is in or
    a trial (pump or SCS) runs."""
    rows = db.execute(
        select(PathwayRow, Patient.name, Patient.mrn)
        .join(Patient, Patient.id == PathwayRow.patient_id)
        .where(PathwayRow.stage.in_(wi.PATHWAY_STAGES))
    ).all()  # the stage index: nothing to read when nobody is on the pathway
    if not rows:
        return []
    ids = [r.patient_id for r, _, _ in rows]
    busy = set(db.scalars(select(Implant.patient_id).where(
        Implant.patient_id.in_(ids), Implant.active.is_(True))))  # fmt: skip
    busy |= set(db.scalars(select(TrialRow.patient_id).where(
        TrialRow.patient_id.in_(ids), TrialRow.status == "open")))  # fmt: skip
    busy |= set(db.scalars(select(ScsDeviceRow.patient_id).where(
        ScsDeviceRow.patient_id.in_(ids), ScsDeviceRow.active.is_(True))))  # fmt: skip
    return [wi.OnPathway(r.patient_id, name, mrn, r.stage, r.why, r.updated_s,
                         r.patient_id in busy) for r, name, mrn in rows]  # fmt: skip
