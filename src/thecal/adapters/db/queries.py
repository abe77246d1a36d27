"""Read models: the worklist and the patient record, straight from the tables.

The worklist reads only the pumps' stored outlooks (refill due, alarms, ERI), which
are indexed, so it stays fast for thousands of patients; it never advances a pump.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict  # pydantic reads it on Python 3.11 (API answers)

from thecal.adapters.db.models import (
    AlarmRow,
    BolusRequestRow,
    DiaryEntry,
    Implant,
    PathwayRow,
    Patient,
    ProgrammingSessionRow,
    ProgramVersion,
    Pump,
    Reading,
    RefillRow,
    ScsDeviceRow,
    ScsProgramRow,
    TrialRow,
    User,
)
from thecal.adapters.db.worklist_rows import other_items
from thecal.core.errors import NotFound
from thecal.core.safety import Policy
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.clinic.worklist import WorkItem, ordered
from thecal.services.clinic.worklist_items import (
    DueRefill,
    DueReplacement,
    refill_item,
    replacement_item,
)

PUMP_COLUMNS = (
    Pump.patient_id,
    Pump.refill_due_s,
    Pump.refill_due_reason,
    Pump.withdrawal_risk,
    Pump.drugs,
    Pump.replacement_due_s,
    Pump.end_of_service_s,
    Pump.eri,
    Pump.shown,
    Patient.name,
    Patient.mrn,
)  # only the outlook columns: never the pump's state blob


def _horizons(now_s: float, policy: Policy) -> tuple[float, float, float]:
    day = SECONDS_PER_DAY
    return (
        now_s + policy.worklist.horizon_days * day,
        now_s + policy.worklist.replacement_horizon_days * day,
        now_s - policy.worklist.discrepancy_lookback_days * day,
    )


def _empty_since(db: Session, patient_ids: list[int]) -> dict[int, float]:
    """When each empty pump's open empty-reservoir alarm began (few pumps are empty at a
    time: one query for those on the page)."""
    if not patient_ids:
        return {}
    q = (select(AlarmRow.patient_id, func.min(AlarmRow.onset_s))
         .where(AlarmRow.patient_id.in_(patient_ids), AlarmRow.code == "EMPTY_RESERVOIR",
                AlarmRow.cleared_s.is_(None))
         .group_by(AlarmRow.patient_id))  # fmt: skip
    return {pid: float(onset) for pid, onset in db.execute(q)}


def _pump_items(
    db: Session, now_s: float, policy: Policy, first_n: int | None
) -> list[WorkItem]:
    """Refill and replacement items. Within one withdrawal-risk (or ERI) group the rank
    only grows with the due date, so the `first_n` earliest of each group hold the
    `first_n` most urgent of all: each is one index range scan."""
    horizon, replace_by, _ = _horizons(now_s, policy)
    items: list[WorkItem] = []
    base = select(*PUMP_COLUMNS).join(Patient, Patient.id == Pump.patient_id)
    for risk in (True, False):
        due = db.execute(
            base.where(Pump.withdrawal_risk == risk, Pump.refill_due_s <= horizon)
            .order_by(Pump.refill_due_s)
            .limit(first_n)
        ).all()
        since = _empty_since(db, [p.patient_id for p in due if p.shown == "empty"])
        items += [
            refill_item(DueRefill(
                p.patient_id, p.name, p.mrn, p.refill_due_s, p.refill_due_reason,
                p.withdrawal_risk, p.drugs, p.shown == "empty", since.get(p.patient_id),
            ), now_s, policy)
            for p in due
        ]  # fmt: skip
    for eri in (True, False):
        rows = db.execute(
            base.where(Pump.eri == eri, Pump.replacement_due_s <= replace_by)
            .order_by(Pump.replacement_due_s)
            .limit(first_n)
        )
        items += [
            replacement_item(DueReplacement(
                p.patient_id, p.name, p.mrn, p.replacement_due_s, eri, p.end_of_service_s,
                p.withdrawal_risk,
            ), now_s)
            for p in rows
        ]  # fmt: skip
    return items


def _pump_item_count(db: Session, now_s: float, policy: Policy) -> int:
    horizon, replace_by, _ = _horizons(now_s, policy)
    refills = db.scalar(select(func.count()).where(Pump.refill_due_s <= horizon))
    replacements = db.scalar(select(func.count()).where(Pump.replacement_due_s <= replace_by))
    return int(refills or 0) + int(replacements or 0)


def worklist(
    db: Session, now_s: float, policy: Policy, first_n: int | None = None
) -> list[WorkItem]:
    """The `first_n` most urgent items (every item when None), most urgent first."""
    items = _pump_items(db, now_s, policy, first_n) + other_items(db, now_s, policy)
    return ordered(items)[:first_n]


@dataclass(frozen=True)
class Page:
    items: list[WorkItem]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None


def worklist_page(db: Session, now_s: float, policy: Policy, offset: int, limit: int) -> Page:
    """One page of the worklist, most urgent first: only the items up to the page's
    end are read, and the rest are counted."""
    others = other_items(db, now_s, policy)
    first = _pump_items(db, now_s, policy, offset + limit) + others
    total = _pump_item_count(db, now_s, policy) + len(others)
    return Page(ordered(first)[offset : offset + limit], total, offset, limit)


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
    pathway: PathwayRow | None = None
    # the stimulator in use (a trial's external one or an implant) and its running program
    stimulator: ScsDeviceRow | None = None
    stimulation: ScsProgramRow | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def program(self) -> ProgramVersion | None:
        return self.programs[-1] if self.programs else None


def patient_record(db: Session, patient_id: int, limit: int = 500) -> PatientRecord:
    p = db.get(Patient, patient_id)
    if p is None:
        raise NotFound(f"patient {patient_id} does not exist")

    def rows(model: Any, order: Any, desc: bool = True) -> list[Any]:
        """The newest `limit` rows, newest first, or oldest first when not `desc`: the
        limit always keeps the newest (oldest first, it kept the first 500 program
        versions, so a pump's 501st program would not have been the one shown as
        running). Ties in time keep the order they were written in: the reading
        before a refill, then the one after (issue 25: the chart drew the reservoir
        rising, then falling)."""
        q = select(model).where(model.patient_id == patient_id)
        found = list(db.scalars(q.order_by(order.desc(), model.id.desc()).limit(limit)))
        return found if desc else found[::-1]

    implant = db.scalars(
        select(Implant).where(Implant.patient_id == patient_id, Implant.active.is_(True))
    ).first()
    pump = db.scalars(select(Pump).where(Pump.patient_id == patient_id)).first()
    readings = rows(Reading, Reading.at_s, desc=False)
    stimulator = db.scalars(select(ScsDeviceRow).where(
        ScsDeviceRow.patient_id == patient_id, ScsDeviceRow.active.is_(True))).first()  # fmt: skip
    stimulation = None if stimulator is None else db.scalars(
        select(ScsProgramRow).where(ScsProgramRow.device_id == stimulator.id)
        .order_by(ScsProgramRow.id.desc())).first()  # fmt: skip
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
        db.scalars(select(PathwayRow).where(PathwayRow.patient_id == patient_id)).first(),
        stimulator,
        stimulation,
    )


def open_alarms(db: Session, limit: int = 500) -> list[AlarmRow]:
    q = select(AlarmRow).where(AlarmRow.acknowledged_s.is_(None))
    return list(db.scalars(q.order_by(AlarmRow.onset_s.desc()).limit(limit)))


def users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.id)))


class ScsDeviceListed(TypedDict):
    id: int
    kind: str  # trial | implant
    stimulator_id: str
    lead_id: str
    serial: str | None
    started_s: float
    ended_s: float | None
    active: bool
    baseline_nrs: float | None
    daily_nrs: list[float]
    outcome: str | None  # the trial's: success | failure | incomplete


class ScsProgramListed(TypedDict):
    device_id: int
    program: dict[str, Any]  # the program's settings as stored
    by: str
    at_s: float
    reason: str


class ScsRecord(TypedDict):
    devices: list[ScsDeviceListed]
    programs: list[ScsProgramListed]


def scs_record(db: Session, patient_id: int) -> ScsRecord:
    """A patient's stimulators and their programs, newest first."""
    if db.get(Patient, patient_id) is None:
        raise NotFound(f"patient {patient_id} does not exist")
    devices = db.scalars(select(ScsDeviceRow).where(ScsDeviceRow.patient_id == patient_id)
                         .order_by(ScsDeviceRow.id.desc()))  # fmt: skip
    programs = db.scalars(select(ScsProgramRow).where(ScsProgramRow.patient_id == patient_id)
                          .order_by(ScsProgramRow.id.desc()))  # fmt: skip
    return ScsRecord(
        devices=[ScsDeviceListed(id=d.id, kind=d.kind, stimulator_id=d.stimulator_id,
                                 lead_id=d.lead_id, serial=d.serial, started_s=d.started_s,
                                 ended_s=d.ended_s, active=d.active,
                                 baseline_nrs=d.baseline_nrs, daily_nrs=list(d.daily_nrs),
                                 outcome=d.outcome) for d in devices],
        programs=[ScsProgramListed(device_id=p.device_id, program=p.program, by=p.created_by,
                                   at_s=p.created_s, reason=p.reason) for p in programs],
    )  # fmt: skip
