"""The clinic's repositories over SQLAlchemy (the pumps' are in pumps.py): each
turns the ports' plain records into rows and back, inside the unit of work's one
database session. Records of what happened are only ever inserted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from thecal.adapters.db import audit, auth
from thecal.adapters.db.models import (
    AlarmRow,
    AssessmentRow,
    BolusRequestRow,
    DiaryEntry,
    Implant,
    LoginThrottleRow,
    Patient,
    ProgrammingSessionRow,
    ProgramVersion,
    RefillRow,
    TrialRow,
    User,
)
from thecal.adapters.pump.program_codec import program_from_json, program_to_json
from thecal.core.errors import Conflict, NotFound
from thecal.core.pump.events import STOPPING_ALARMS
from thecal.core.pump.program import Program, program_digest
from thecal.services.clinic.ports import (
    AlarmFacts,
    ImplantFacts,
    ImplantInput,
    LastRefill,
    PatientFacts,
    Principal,
    RefillEntry,
    StoredAnswer,
    TrialFacts,
    UserFacts,
)
from thecal.services.clinic.throttle import Attempts
from thecal.services.ports import DemandAnswer
from thecal.services.program_diff import program_summary
from thecal.services.vocabulary import (
    RefillRecord,
    SessionRecord,
    SessionStatus,
    TrialStatus,
    TrialVerdict,
)


def row_or_not_found(db: Session, model: Any, key: int, what: str) -> Any:
    row = db.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} does not exist")
    return row


class SqlPatients:
    def __init__(self, db: Session) -> None:
        self.db = db

    def add(self, data: Mapping[str, Any]) -> int:
        p = Patient(**data)
        self.db.add(p)
        self.db.flush()
        return p.id

    def get(self, patient_id: int) -> PatientFacts:
        p = row_or_not_found(self.db, Patient, patient_id, "patient")
        return PatientFacts(p.id, p.indication, p.opioid_naive, p.status, p.birth_year,
                            p.brain_injury_on)  # fmt: skip

    def set_status(self, patient_id: int, status: str) -> None:
        row_or_not_found(self.db, Patient, patient_id, "patient").status = status
        self.db.flush()

    def update(self, patient_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
        p = row_or_not_found(self.db, Patient, patient_id, "patient")
        before = {k: getattr(p, k) for k in data}
        for k, v in data.items():
            setattr(p, k, v)
        self.db.flush()
        return before


class SqlImplants:
    def __init__(self, db: Session) -> None:
        self.db = db

    def add(self, patient_id: int, i: ImplantInput, now_s: float) -> int:
        row = Implant(
            patient_id=patient_id, model_id=i.model_id, serial=i.serial, implanted_s=now_s,
            catheter_type=i.catheter_type, catheter_length_cm=i.catheter_length_cm,
            catheter_ul_per_cm=i.catheter_ul_per_cm, tip_level=i.tip_level, active=True,
        )  # fmt: skip
        self.db.add(row)
        self.db.flush()
        return row.id

    def active(self, patient_id: int) -> ImplantFacts:
        row = self.db.scalars(
            select(Implant).where(Implant.patient_id == patient_id, Implant.active.is_(True))
        ).first()
        if row is None:
            raise NotFound(f"patient {patient_id} has no active implant")
        return ImplantFacts(
            row.id, row.model_id, row.serial, row.catheter_length_cm, row.catheter_ul_per_cm,
            row.implanted_s, row.revised_s,
        )  # fmt: skip

    def end(self, implant_id: int, now_s: float) -> None:
        row = row_or_not_found(self.db, Implant, implant_id, "implant")
        row.active, row.explanted_s = False, now_s
        self.db.flush()

    def revise(self, implant_id: int, length_cm: float, ul_per_cm: float, now_s: float) -> None:
        row = row_or_not_found(self.db, Implant, implant_id, "implant")
        row.catheter_length_cm, row.catheter_ul_per_cm, row.revised_s = length_cm, ul_per_cm, now_s
        self.db.flush()


class SqlPrograms:
    def __init__(self, db: Session) -> None:
        self.db = db

    def history(self, patient_id: int) -> list[tuple[float, Program]]:
        rows = self.db.scalars(
            select(ProgramVersion)
            .where(ProgramVersion.patient_id == patient_id)
            .order_by(ProgramVersion.version_no)
        )
        return [(row.created_s, program_from_json(row.program)) for row in rows]

    def current_digest(self, patient_id: int) -> str | None:
        return self.db.scalars(
            select(ProgramVersion.digest)
            .where(ProgramVersion.patient_id == patient_id)
            .order_by(ProgramVersion.version_no.desc())
        ).first()

    def add(self, patient_id: int, program: Program, user: str, reason: str, now_s: float,
            session_id: int | None) -> int:  # fmt: skip
        last = self.db.scalars(
            select(ProgramVersion.version_no)
            .where(ProgramVersion.patient_id == patient_id)
            .order_by(ProgramVersion.version_no.desc())
        ).first()
        row = ProgramVersion(
            patient_id=patient_id, version_no=(last or 0) + 1, program=program_to_json(program),
            digest=program_digest(program), summary=program_summary(program), created_by=user,
            created_s=now_s, reason=reason, session_id=session_id,
        )  # fmt: skip
        self.db.add(row)
        self.db.flush()
        return row.id


class SqlSessions:
    def __init__(self, db: Session) -> None:
        self.db = db

    def add(self, patient_id: int, user: str, record: SessionRecord) -> int:
        row = ProgrammingSessionRow(
            patient_id=patient_id, username=user, status=record["status"],
            started_s=record["started_s"], closed_s=record["closed_s"], record=record,
        )  # fmt: skip
        self.db.add(row)
        self.db.flush()
        return row.id

    def committed(self, patient_id: int) -> list[SessionRecord]:
        return list(self.db.scalars(
            select(ProgrammingSessionRow.record)
            .where(ProgrammingSessionRow.patient_id == patient_id)
            .where(ProgrammingSessionRow.status == SessionStatus.COMMITTED.value)
            .order_by(ProgrammingSessionRow.closed_s, ProgrammingSessionRow.id)
        ))  # fmt: skip


class SqlRefills:
    def __init__(self, db: Session) -> None:
        self.db = db

    def last_committed(self, patient_id: int) -> LastRefill | None:
        last = self.db.scalars(
            select(RefillRow)
            .where(RefillRow.patient_id == patient_id)
            .where(RefillRow.status == SessionStatus.COMMITTED.value)
            .order_by(RefillRow.at_s.desc())
        ).first()
        if last is None:
            return None
        return LastRefill(last.record.get("entered_ml"), last.next_refill_s)

    def earliest_booked(self, patient_id: int) -> float | None:
        """The date the patient's earliest stored fill booked, in whatever state it ended."""
        return self.db.scalars(
            select(RefillRow.next_refill_s)
            .where(RefillRow.patient_id == patient_id)
            .where(RefillRow.next_refill_s.is_not(None))
            .order_by(RefillRow.at_s, RefillRow.id)
        ).first()  # fmt: skip

    def add(self, entry: RefillEntry) -> int:
        row = RefillRow(**entry.__dict__)
        self.db.add(row)
        self.db.flush()
        return row.id

    def record(self, refill_id: int) -> RefillRecord:
        # stored only by the refill use case, from RefillSession.record (typed there)
        row = row_or_not_found(self.db, RefillRow, refill_id, "refill")
        return cast(RefillRecord, dict(row.record))

    def set_record(self, refill_id: int, record: RefillRecord) -> None:
        row_or_not_found(self.db, RefillRow, refill_id, "refill").record = record
        self.db.flush()


class SqlBoluses:
    def __init__(self, db: Session) -> None:
        self.db = db

    def find(self, request_id: str) -> StoredAnswer | None:
        known = self.db.scalars(
            select(BolusRequestRow).where(BolusRequestRow.request_uid == request_id)
        ).first()
        if known is None:
            return None
        answer = DemandAnswer(
            known.request_uid, known.result, known.reason, known.lockout_remaining_s
        )
        return StoredAnswer(known.patient_id, answer)

    def add(self, patient_id: int, answer: DemandAnswer, now_s: float) -> None:
        self.db.add(
            BolusRequestRow(
                patient_id=patient_id, request_uid=answer.request_id, at_s=now_s,
                result=answer.result, reason=answer.reason,
                lockout_remaining_s=answer.lockout_remaining_s,
            )
        )  # fmt: skip
        self.db.flush()


class SqlDiary:
    def __init__(self, db: Session) -> None:
        self.db = db

    def add(self, patient_id: int, at_s: float, pain_nrs: int | None, spasm: int | None,
            note: str) -> int:  # fmt: skip
        row = DiaryEntry(patient_id=patient_id, at_s=at_s, pain_nrs=pain_nrs, spasm=spasm,
                         note=note)  # fmt: skip
        self.db.add(row)
        self.db.flush()
        return row.id


class SqlAlarms:
    def __init__(self, db: Session) -> None:
        self.db = db

    def get(self, alarm_id: int) -> AlarmFacts:
        row = row_or_not_found(self.db, AlarmRow, alarm_id, "alarm")
        return AlarmFacts(row.id, row.patient_id, row.code, row.acknowledged_by)

    def acknowledge(self, alarm_id: int, user: str, now_s: float) -> None:
        row = row_or_not_found(self.db, AlarmRow, alarm_id, "alarm")
        row.acknowledged_by, row.acknowledged_s = user, now_s
        self.db.flush()

    def delivery_stopped_since(self, patient_id: int) -> float | None:
        onset = self.db.scalar(
            select(func.min(AlarmRow.onset_s)).where(
                AlarmRow.patient_id == patient_id,
                AlarmRow.cleared_s.is_(None),
                AlarmRow.code.in_(STOPPING_ALARMS),
            )
        )
        return float(onset) if onset is not None else None


class SqlTrials:
    def __init__(self, db: Session) -> None:
        self.db = db

    def add(self, patient_id: int, kind: str, drug: str, document: dict[str, Any],
            now_s: float) -> int:  # fmt: skip
        row = TrialRow(patient_id=patient_id, kind=kind, drug=drug, status=TrialStatus.OPEN,
                       started_s=now_s, document=document)  # fmt: skip
        self.db.add(row)
        self.db.flush()
        return row.id

    def get(self, trial_id: int) -> TrialFacts:
        row = row_or_not_found(self.db, TrialRow, trial_id, "trial")
        return TrialFacts(row.id, row.patient_id, row.status, dict(row.document))

    def open_for(self, patient_id: int) -> list[TrialFacts]:
        rows = self.db.scalars(select(TrialRow).where(TrialRow.patient_id == patient_id,
                                                      TrialRow.status == TrialStatus.OPEN)
                               .order_by(TrialRow.id))  # fmt: skip
        return [TrialFacts(r.id, r.patient_id, r.status, dict(r.document)) for r in rows]

    def set_document(self, trial_id: int, document: dict[str, Any]) -> None:
        row_or_not_found(self.db, TrialRow, trial_id, "trial").document = document
        self.db.flush()

    def close(self, trial_id: int, evaluation: TrialVerdict) -> None:
        row = row_or_not_found(self.db, TrialRow, trial_id, "trial")
        row.status, row.evaluation = TrialStatus.EVALUATED, evaluation
        self.db.flush()

    def add_assessment(self, trial_id: int, at_s: float, data: dict[str, Any]) -> None:
        self.db.add(AssessmentRow(trial_id=trial_id, at_s=at_s, data=data))
        self.db.flush()


class SqlThrottle:
    """The `LoginThrottle` repository."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def get(self, key: str) -> Attempts | None:
        row = self.db.get(LoginThrottleRow, key[:120])
        return None if row is None else Attempts(row.key, row.failures, row.locked_until_s)

    def put(self, attempts: Attempts) -> None:
        """One more failure: stored only over the count it was worked out from (a
        compare-and-set), so two at once cannot both write the same next count."""
        key = attempts.key[:120]
        if attempts.failures <= 1:
            self.db.add(LoginThrottleRow(key=key, failures=attempts.failures,
                                         locked_until_s=attempts.locked_until_s))  # fmt: skip
            self.db.flush()  # a second first failure breaks the key: IntegrityError
            return
        done = self.db.execute(
            update(LoginThrottleRow)
            .where(LoginThrottleRow.key == key,
                   LoginThrottleRow.failures == attempts.failures - 1)
            .values(failures=attempts.failures, locked_until_s=attempts.locked_until_s)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("the count of wrong passwords moved: counted again")

    def clear(self, key: str) -> None:
        self.db.execute(delete(LoginThrottleRow).where(LoginThrottleRow.key == key[:120]))

    def locked(self, now_s: float) -> list[Attempts]:
        rows = self.db.scalars(
            select(LoginThrottleRow)
            .where(LoginThrottleRow.locked_until_s > now_s)
            .order_by(LoginThrottleRow.key)
        )
        return [Attempts(r.key, r.failures, r.locked_until_s) for r in rows]


class SqlUsers:
    def __init__(self, db: Session) -> None:
        self.db = db

    def authenticate(self, username: str, password: str) -> Principal | None:
        u = auth.authenticate(self.db, username, password)
        if u is None:
            return None
        return Principal(u.id, u.username, u.full_name, u.role, u.patient_id, "")

    def open_login(self, user_id: int, now_s: float) -> tuple[str, str]:
        return auth.open_session(self.db, user_id, now_s)

    def close_login(self, token: str) -> None:
        auth.close_session(self.db, token)

    def add(self, username: str, full_name: str, password: str, role: str,
            patient_id: int | None) -> int:  # fmt: skip
        return auth.create_user(self.db, username, full_name, password, role, patient_id).id

    def all(self) -> list[UserFacts]:
        return [_user_facts(u) for u in self.db.scalars(select(User).order_by(User.id))]

    def get(self, user_id: int) -> UserFacts:
        return _user_facts(row_or_not_found(self.db, User, user_id, "user"))

    def update(self, user_id: int, *, role: str | None = None, active: bool | None = None,
               password: str | None = None) -> None:  # fmt: skip
        u = row_or_not_found(self.db, User, user_id, "user")
        if role is not None:
            u.role = role
        if active is not None:
            u.active = active
        if password is not None:
            u.password_hash = auth.hash_password(password)
        self.db.flush()

    def close_logins(self, user_id: int) -> None:
        auth.close_user_sessions(self.db, user_id)

    def set_feed(self, user_id: int, token_sha256: str) -> None:
        row_or_not_found(self.db, User, user_id, "user").feed_sha256 = token_sha256
        self.db.flush()

    def by_feed(self, token_sha256: str) -> UserFacts | None:
        u = self.db.scalars(
            select(User).where(User.feed_sha256 == token_sha256, User.active)
        ).first()
        return _user_facts(u) if u is not None else None



def _user_facts(u: User) -> UserFacts:
    return UserFacts(u.id, u.username, u.full_name, u.role, u.patient_id, u.active)


class SqlAudit:
    def __init__(self, db: Session) -> None:
        self.db = db

    def append(self, at_s: float, user: str, action: str, entity: str, entity_id: int | str,
               reason: str, payload: Any) -> None:  # fmt: skip
        audit.append(self.db, at_s, user, action, entity, entity_id, reason, payload)
