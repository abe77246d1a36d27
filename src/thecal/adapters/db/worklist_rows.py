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
from thecal.data import alarm_table
from thecal.services.clinic import worklist_items as wi
from thecal.services.clinic.worklist import WorkItem
from thecal.services.vocabulary import AppointmentStatus, TrialStatus

TABLE = alarm_table()
WORKLIST_ALARMS = wi.worklist_alarms(TABLE)


def sounding_priority(code: str, recorded: str | None) -> str:
    """The alarm table's rule (worklist_items.sounding_priority) on the clinic's table."""
    return wi.sounding_priority(TABLE, code, recorded)


def other_items(db: Session, now_s: float, policy: Policy) -> list[WorkItem]:
    """The service's items from this database's rows."""
    return wi.other_items(SqlWorklistRows(db), now_s, policy, TABLE)


class SqlWorklistRows:
    """The worklist's port (services/clinic/worklist_items.py WorklistRows) on SQL."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def open_alarms(self) -> list[wi.OpenAlarm]:
        q = (select(AlarmRow, Patient.name, Patient.mrn)
             .join(Patient, Patient.id == AlarmRow.patient_id)
             .where(AlarmRow.code.in_(WORKLIST_ALARMS))
             .where(AlarmRow.acknowledged_s.is_(None)))  # fmt: skip
        return [wi.OpenAlarm(a.patient_id, name, mrn, a.id, a.code, a.priority, a.onset_s,
                             a.cleared_s) for a, name, mrn in self.db.execute(q).all()]  # fmt: skip

    def refills_with_checks(self, since_s: float) -> list[wi.RefillWithChecks]:
        q = (select(RefillRow, Patient.name, Patient.mrn)
             .join(Patient, Patient.id == RefillRow.patient_id)
             .where(RefillRow.classification.notin_(wi.NEVER_CHECKED))
             .where(RefillRow.at_s >= since_s))  # fmt: skip
        return [wi.RefillWithChecks(r.patient_id, name, mrn, r.id, r.at_s, r.classification,
                                    tuple(r.record.get("open") or ()))
                for r, name, mrn in self.db.execute(q).all()]  # fmt: skip

    def missed_appointments(self, now_s: float) -> list[wi.MissedAppointment]:
        q = (select(AppointmentRow, Patient.name, Patient.mrn)
             .join(Patient, Patient.id == AppointmentRow.patient_id)
             .where(AppointmentRow.status == AppointmentStatus.BOOKED.value)
             .where(AppointmentRow.end_s < now_s))  # fmt: skip
        return [wi.MissedAppointment(b.patient_id, name, mrn, b.id, b.start_s, b.clinician)
                for b, name, mrn in self.db.execute(q).all()]  # fmt: skip

    def running_trials(self) -> list[wi.RunningTrial]:
        q = (select(TrialRow, Patient.name, Patient.mrn)
             .join(Patient, Patient.id == TrialRow.patient_id)
             .where(TrialRow.status == TrialStatus.OPEN))  # fmt: skip
        return [wi.RunningTrial(t.patient_id, name, mrn, t.kind, t.drug, t.started_s)
                for t, name, mrn in self.db.execute(q).all()]  # fmt: skip

    def on_pathway(self) -> list[wi.OnPathway]:
        db = self.db
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
            TrialRow.patient_id.in_(ids), TrialRow.status == TrialStatus.OPEN)))  # fmt: skip
        busy |= set(db.scalars(select(ScsDeviceRow.patient_id).where(
            ScsDeviceRow.patient_id.in_(ids), ScsDeviceRow.active.is_(True))))  # fmt: skip
        return [wi.OnPathway(r.patient_id, name, mrn, r.stage, r.why, r.updated_s,
                             r.patient_id in busy, r.favoured)
                for r, name, mrn in rows]  # fmt: skip
