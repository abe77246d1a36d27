"""The repositories of the care pathway and of spinal cord stimulation (the pump's
are in pumps.py and repositories.py): records into rows and back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import PathwayRow, ScsDeviceRow, ScsProgramRow
from thecal.adapters.db.repositories import row_or_not_found
from thecal.core.scs.program import Electrode, ScsProgram
from thecal.services.clinic.ports import ScsDevice
from thecal.services.vocabulary import StimulatorKind


class SqlPathways:
    def __init__(self, db: Session) -> None:
        self.db = db

    def _row(self, patient_id: int) -> PathwayRow | None:
        query = select(PathwayRow).where(PathwayRow.patient_id == patient_id)
        return self.db.scalars(query).first()

    def get(self, patient_id: int) -> dict[str, Any] | None:
        row = self._row(patient_id)
        return dict(row.document) if row is not None else None

    def put(self, patient_id: int, document: dict[str, Any], stage: str, favoured: str | None,
            why: str, user: str, now_s: float) -> None:  # fmt: skip
        row = self._row(patient_id) or PathwayRow(patient_id=patient_id)
        row.document, row.stage, row.favoured, row.why = document, stage, favoured, why
        row.updated_by, row.updated_s = user, now_s
        self.db.add(row)
        self.db.flush()


def scs_program_json(p: ScsProgram) -> dict[str, Any]:
    return asdict(p)


def scs_program_from_json(d: dict[str, Any]) -> ScsProgram:
    return ScsProgram(**{**d, "electrodes": tuple(Electrode(**e) for e in d["electrodes"])})


class SqlStimulation:
    def __init__(self, db: Session) -> None:
        self.db = db

    @staticmethod
    def _facts(r: ScsDeviceRow) -> ScsDevice:
        return ScsDevice(r.id, r.patient_id, StimulatorKind(r.kind), r.stimulator_id, r.lead_id,
                         r.serial, r.started_s, r.baseline_nrs, tuple(r.daily_nrs),
                         r.outcome)  # fmt: skip

    def _latest(self, patient_id: int, *where: Any) -> ScsDevice | None:
        q = select(ScsDeviceRow).where(ScsDeviceRow.patient_id == patient_id, *where)
        row = self.db.scalars(q.order_by(ScsDeviceRow.id.desc())).first()
        return self._facts(row) if row is not None else None

    def active(self, patient_id: int) -> ScsDevice | None:
        return self._latest(patient_id, ScsDeviceRow.active.is_(True))

    def last_trial(self, patient_id: int) -> ScsDevice | None:
        return self._latest(patient_id, ScsDeviceRow.kind == StimulatorKind.TRIAL)

    def add_device(self, patient_id: int, kind: StimulatorKind, stimulator_id: str, lead_id: str,
                   serial: str | None, baseline_nrs: float | None,
                   now_s: float) -> ScsDevice:  # fmt: skip
        row = ScsDeviceRow(patient_id=patient_id, kind=kind, stimulator_id=stimulator_id,
                           lead_id=lead_id, serial=serial, started_s=now_s, active=True,
                           baseline_nrs=baseline_nrs, daily_nrs=[])  # fmt: skip
        self.db.add(row)
        self.db.flush()
        return self._facts(row)

    def add_day(self, device_id: int, nrs: float) -> None:
        row = row_or_not_found(self.db, ScsDeviceRow, device_id, "stimulator")
        row.daily_nrs = [*row.daily_nrs, nrs]
        self.db.flush()

    def close_trial(self, device_id: int, outcome: str, now_s: float) -> None:
        row = row_or_not_found(self.db, ScsDeviceRow, device_id, "stimulator")
        row.active, row.outcome, row.ended_s = False, outcome, now_s
        self.db.flush()

    def add_program(self, patient_id: int, device_id: int, program: ScsProgram, user: str,
                    reason: str, now_s: float) -> int:  # fmt: skip
        row = ScsProgramRow(patient_id=patient_id, device_id=device_id,
                            program=scs_program_json(program), created_by=user,
                            created_s=now_s, reason=reason)  # fmt: skip
        self.db.add(row)
        self.db.flush()
        return row.id

    def current_program(self, device_id: int) -> ScsProgram | None:
        q = select(ScsProgramRow).where(ScsProgramRow.device_id == device_id)
        row = self.db.scalars(q.order_by(ScsProgramRow.id.desc())).first()
        return scs_program_from_json(row.program) if row is not None else None
