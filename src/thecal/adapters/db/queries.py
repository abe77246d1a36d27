"""Read models: the worklist and the patient record, straight from the tables.

The worklist reads only the pumps' stored outlooks (refill due, alarms, ERI), which
are indexed, so it stays fast for thousands of patients; it never advances a pump.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import (
    AlarmRow,
    AuditRow,
    BolusRequestRow,
    DiaryEntry,
    Implant,
    Patient,
    ProgrammingSessionRow,
    ProgramVersion,
    Pump,
    Reading,
    RefillRow,
    TrialRow,
    User,
)
from thecal.core.errors import NotFound
from thecal.core.safety import Policy
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.clinic.worklist import (
    CRITICAL,
    OVERDUE,
    UPCOMING,
    WorkItem,
    ordered,
    refill_detail,
    refill_rank,
)

CRITICAL_ALARMS = ("EMPTY_RESERVOIR", "END_OF_SERVICE", "MOTOR_STALL", "VALVE_CLOSED")


def worklist(db: Session, now_s: float, policy: Policy, limit: int = 300) -> list[WorkItem]:
    """At most `limit` pumps, most urgent (earliest due) first."""
    horizon = now_s + policy.number("worklist", "horizon_days") * SECONDS_PER_DAY
    replace_by = now_s + policy.number("worklist", "replacement_horizon_days") * SECONDS_PER_DAY
    lookback = policy.number("worklist", "discrepancy_lookback_days") * SECONDS_PER_DAY
    discrepancies_from = now_s - lookback
    items: list[WorkItem] = []
    rows = db.execute(
        select(Pump, Patient.name, Patient.mrn)
        .join(Patient, Patient.id == Pump.patient_id)
        .where(or_(Pump.refill_due_s <= horizon, Pump.replacement_due_s <= replace_by))
        .order_by(Pump.refill_due_s)
        .limit(limit)
    ).all()
    for pump, name, mrn in rows:
        if pump.refill_due_s is not None and pump.refill_due_s <= horizon:
            items.append(
                WorkItem(
                    pump.patient_id,
                    name,
                    mrn,
                    "refill",
                    refill_rank(pump.refill_due_s, now_s, pump.withdrawal_risk, policy),
                    pump.refill_due_s,
                    refill_detail(pump.refill_due_s, now_s, pump.refill_due_reason, pump.drugs),
                    pump.withdrawal_risk,
                )
            )
        if pump.replacement_due_s is not None and pump.replacement_due_s <= replace_by:
            days = (pump.replacement_due_s - now_s) / SECONDS_PER_DAY
            detail = (
                "elective replacement indicator on: schedule replacement"
                if pump.eri
                else f"elective replacement indicator expected in {days:.0f} d"
            )
            items.append(
                WorkItem(
                    pump.patient_id,
                    name,
                    mrn,
                    "replacement",
                    OVERDUE if pump.eri else UPCOMING,
                    pump.replacement_due_s,
                    detail,
                    pump.withdrawal_risk,
                )
            )
    alarms = db.execute(
        select(AlarmRow, Patient.name, Patient.mrn)
        .join(Patient, Patient.id == AlarmRow.patient_id)
        .where(AlarmRow.code.in_(CRITICAL_ALARMS), AlarmRow.acknowledged_s.is_(None))
    ).all()
    for a, name, mrn in alarms:
        state = "open" if a.cleared_s is None else "cleared, not acknowledged"
        items.append(
            WorkItem(
                a.patient_id, name, mrn, "alarm", CRITICAL, a.onset_s, f"{a.code} ({state}) #{a.id}"
            )
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
                    f"refill #{r.id}: {r.classification}; acknowledge "
                    + ", ".join(r.record["open"]),
                )
            )
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
                f"{t.kind} trial of {t.drug} in progress",
            )
        )
    return ordered(items)


@dataclass
class PatientRecord:
    patient: Patient
    implant: Implant | None
    pump: Pump | None
    programs: list[ProgramVersion]
    sessions: list[ProgrammingSessionRow]
    refills: list[RefillRow]
    boluses: list[BolusRequestRow]
    diary: list[DiaryEntry]
    alarms: list[AlarmRow]
    readings: list[Reading]
    trials: list[TrialRow]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def program(self) -> ProgramVersion | None:
        return self.programs[-1] if self.programs else None


def patient_record(db: Session, patient_id: int, limit: int = 500) -> PatientRecord:
    p = db.get(Patient, patient_id)
    if p is None:
        raise NotFound(f"patient {patient_id} does not exist")

    def rows(model: Any, order: Any, desc: bool = True) -> list[Any]:
        q = select(model).where(model.patient_id == patient_id)
        q = q.order_by(order.desc() if desc else order).limit(limit)
        return list(db.scalars(q))

    implant = db.scalars(
        select(Implant).where(Implant.patient_id == patient_id, Implant.active.is_(True))
    ).first()
    pump = db.scalars(select(Pump).where(Pump.patient_id == patient_id)).first()
    readings = rows(Reading, Reading.at_s)
    readings.reverse()
    return PatientRecord(
        p,
        implant,
        pump,
        rows(ProgramVersion, ProgramVersion.version_no, desc=False),
        rows(ProgrammingSessionRow, ProgrammingSessionRow.started_s),
        rows(RefillRow, RefillRow.at_s),
        rows(BolusRequestRow, BolusRequestRow.at_s),
        rows(DiaryEntry, DiaryEntry.at_s),
        rows(AlarmRow, AlarmRow.onset_s),
        readings,
        rows(TrialRow, TrialRow.started_s),
    )


def patients(db: Session, query: str = "", limit: int = 100) -> list[Patient]:
    q = select(Patient).order_by(Patient.name).limit(limit)
    if query:
        like = f"%{query}%"
        q = q.where(or_(Patient.name.ilike(like), Patient.mrn.ilike(like)))
    return list(db.scalars(q))


def open_alarms(db: Session, limit: int = 500) -> list[AlarmRow]:
    q = select(AlarmRow).where(AlarmRow.acknowledged_s.is_(None))
    return list(db.scalars(q.order_by(AlarmRow.onset_s.desc()).limit(limit)))


def audit_rows(db: Session, limit: int) -> list[AuditRow]:
    """The newest audit rows, newest first."""
    q = select(AuditRow).order_by(AuditRow.id.desc()).limit(max(1, min(limit, 1000)))
    return list(db.scalars(q))


def users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.id)))
