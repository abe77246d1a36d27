"""The clinic's use cases, each one database transaction: load, act through the
programmer services, save, audit, commit - or nothing at all.

The pump is reached only through `PumpPort` and the programmer services
(`services.clinic.transactions`, `services.patient`): the web UI, the REST API and
the demo seed all come through here, so there is one code path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from thecal.adapters.db import audit
from thecal.adapters.db.auth import Principal
from thecal.adapters.db.models import (
    AlarmRow,
    BolusRequestRow,
    DiaryEntry,
    Implant,
    Patient,
    ProgrammingSessionRow,
    ProgramVersion,
    RefillRow,
)
from thecal.adapters.db.pumps import LoadedPump, load_pump, new_pump_row, save_pump
from thecal.adapters.pump.links import InProcessLinks, PumpLinks, TelemetryLinks
from thecal.adapters.pump.program_codec import program_from_json, program_to_json
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import (
    Conflict,
    Forbidden,
    InputError,
    InvalidTransition,
    NotFound,
    Problem,
)
from thecal.core.pump import firmware
from thecal.core.pump.models import PumpCatalogue
from thecal.core.pump.program import Program, program_digest
from thecal.core.safety import Catheter, DoseChange, Policy
from thecal.core.safety import Patient as ClinicalPatient
from thecal.core.therapy.catheter import catheter_volume_ml
from thecal.core.therapy.dosing import daily_doses
from thecal.services import patient as patient_service
from thecal.services.clinic.transactions import (
    Context,
    RefillInput,
    Signoff,
    commit_program,
    program_session,
    refill_session,
)
from thecal.services.ports import DemandAnswer, Interrogation
from thecal.services.program_diff import program_summary
from thecal.services.programmer import Proposal
from thecal.services.refill import RefillSession


@dataclass(frozen=True)
class ImplantInput:
    model_id: str
    serial: str
    catheter_type: str
    catheter_length_cm: float
    catheter_ul_per_cm: float
    tip_level: str
    program: Program
    fill_ml: float


def can_see(who: Principal, patient_id: int) -> None:
    """A patient sees only their own record (SR-35)."""
    if who.role == "patient" and who.patient_id != patient_id:
        raise Forbidden("a patient may see only their own record")


class Clinic:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalogue: PumpCatalogue,
        library: DrugLibrary,
        policy: Policy,
        links: PumpLinks = InProcessLinks(),  # noqa: B008 - frozen, shared
    ) -> None:
        self.sessions = sessions
        self.catalogue = catalogue
        self.library = library
        self.policy = policy
        self.links = links

    def _load(
        self, db: Session, patient_id: int, expected_version: int | None = None
    ) -> LoadedPump:
        return load_pump(
            db, patient_id, self.catalogue, self.library, expected_version, self.links
        )

    @contextmanager
    def transaction(self, readonly: bool = False) -> Iterator[Session]:
        """One unit of work; a concurrent change becomes `Conflict`, nothing is kept.
        A read-only unit (a check, a plan) is always rolled back."""
        db = self.sessions()
        try:
            db.begin()
            yield db
            if readonly:
                db.rollback()
            else:
                db.commit()
        except StaleDataError as exc:
            db.rollback()
            raise Conflict(
                "someone else changed this record at the same time: nothing was saved; "
                "reload and review"
            ) from exc
        except OperationalError as exc:
            db.rollback()
            if "locked" not in str(exc.orig):
                raise
            raise Conflict(  # SQLite: another writer got there first
                "someone else is changing this record: nothing was saved; reload and review"
            ) from exc
        except IntegrityError as exc:
            db.rollback()
            raise Conflict(f"the record clashes with one already stored: {exc.orig}") from exc
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()

    # -- reading ---------------------------------------------------------------

    def _patient(self, db: Session, patient_id: int) -> Patient:
        p = db.get(Patient, patient_id)
        if p is None:
            raise NotFound(f"patient {patient_id} does not exist")
        return p

    def _implant(self, db: Session, patient_id: int) -> Implant:
        implant = db.scalars(
            select(Implant).where(Implant.patient_id == patient_id, Implant.active.is_(True))
        ).first()
        if implant is None:
            raise NotFound(f"patient {patient_id} has no active implant")
        return implant

    def _context(self, db: Session, patient_id: int, loaded: LoadedPump) -> Context:
        p = self._patient(db, patient_id)
        implant = self._implant(db, patient_id)
        clinical = ClinicalPatient(indication=p.indication, opioid_naive=p.opioid_naive)
        catheter = Catheter(implant.catheter_length_cm, implant.catheter_ul_per_cm)
        return Context(
            loaded.model,
            self.library,
            self.policy,
            clinical,
            catheter,
            self._history(db, patient_id),
        )

    def _history(self, db: Session, patient_id: int) -> tuple[DoseChange, ...]:
        rows = db.scalars(
            select(ProgramVersion)
            .where(ProgramVersion.patient_id == patient_id)
            .order_by(ProgramVersion.version_no)
        )
        out = []
        for row in rows:
            for name, dose in daily_doses(program_from_json(row.program)).items():
                out.append(DoseChange(row.created_s, name, dose.programmed_mcg))
        return tuple(out)

    # -- patients and implants ---------------------------------------------------

    def add_patient(self, who: Principal, data: dict[str, Any], reason: str, now_s: float) -> int:
        with self.transaction() as db:
            p = Patient(**data)
            db.add(p)
            db.flush()
            audit.append(db, now_s, who.username, "patient.create", "patient", p.id, reason, data)
            return p.id

    def implant(
        self, who: Principal, patient_id: int, i: ImplantInput, reason: str, now_s: float
    ) -> int:
        """A new pump, filled and started with its first program (checked like any other
        program by the pump's own validation)."""
        model = self.catalogue.get(i.model_id)
        if model is None:
            raise InputError(
                "implant refused",
                [Problem("model_id", f"unknown model; one of {sorted(self.catalogue.models)}")],
            )
        with self.transaction() as db:
            self._patient(db, patient_id)
            implant = Implant(
                patient_id=patient_id,
                model_id=i.model_id,
                serial=i.serial,
                implanted_s=now_s,
                catheter_type=i.catheter_type,
                catheter_length_cm=i.catheter_length_cm,
                catheter_ul_per_cm=i.catheter_ul_per_cm,
                tip_level=i.tip_level,
                active=True,
            )
            db.add(implant)
            db.flush()
            volume = catheter_volume_ml(i.catheter_length_cm, i.catheter_ul_per_cm)
            state = None
            if isinstance(self.links, TelemetryLinks):  # the pump starts itself, on its clock
                answer = self.links.open(i.serial).commission(
                    model.id, i.program, i.fill_ml, volume
                )
                if not answer["result"]["accepted"]:
                    raise InvalidTransition(f"the pump refused the implant: {answer['result']}")
            else:
                state, _ = firmware.initial_state(
                    model, self.library, i.program, i.fill_ml, None, volume, start_s=now_s
                )
            row = new_pump_row(patient_id, implant.id, model.id, state, now_s)
            row.last_refill_s = now_s
            db.add(row)
            db.flush()
            loaded = self._load(db, patient_id)
            self._save(db, loaded, now_s)
            self._add_program(db, patient_id, i.program, who.username, reason, now_s, None)
            audit.append(
                db,
                now_s,
                who.username,
                "implant.create",
                "implant",
                implant.id,
                reason,
                {
                    "patient_id": patient_id,
                    "model": i.model_id,
                    "serial": i.serial,
                    "fill_ml": i.fill_ml,
                    "program": program_summary(i.program),
                },
            )
            return implant.id

    def _add_program(
        self,
        db: Session,
        patient_id: int,
        program: Program,
        user: str,
        reason: str,
        now_s: float,
        session_id: int | None,
    ) -> ProgramVersion:
        last = db.scalars(
            select(ProgramVersion.version_no)
            .where(ProgramVersion.patient_id == patient_id)
            .order_by(ProgramVersion.version_no.desc())
        ).first()
        row = ProgramVersion(
            patient_id=patient_id,
            version_no=(last or 0) + 1,
            program=program_to_json(program),
            digest=program_digest(program),
            summary=program_summary(program),
            created_by=user,
            created_s=now_s,
            reason=reason,
            session_id=session_id,
        )
        db.add(row)
        db.flush()
        return row

    # -- pumps ---------------------------------------------------------------------

    def _save(
        self,
        db: Session,
        loaded: LoadedPump,
        now_s: float,
        reading: bool = True,
        interrogation: Interrogation | None = None,
    ) -> None:
        """Store the pump as it reports itself now (one interrogation, then the row)."""
        i = interrogation if interrogation is not None else loaded.pump.interrogate(now_s)
        save_pump(db, loaded, i, self.library, self.policy, reading)

    def inject_fault(self, patient_id: int, command: Any, now_s: float) -> None:
        """Emulator-only fault injection (a bias, a stall): hardware truth that no
        programmer can command, for tests and the demo. Audited like any change."""
        with self.transaction() as db:
            loaded = self._load(db, patient_id)
            loaded.pump.inject(command, now_s)
            self._save(db, loaded, now_s)
            audit.append(
                db,
                now_s,
                "emulator",
                "pump.fault",
                "patient",
                patient_id,
                "fault injected into the emulated pump",
                repr(command),
            )

    def interrogate(self, who: Principal, patient_id: int, now_s: float) -> Interrogation:
        """What the pump reports at `now_s`, advanced in memory only: nothing is stored."""
        can_see(who, patient_id)
        with self.transaction(readonly=True) as db:
            return self._load(db, patient_id).pump.interrogate(now_s)

    def sync(self, patient_id: int, now_s: float) -> None:
        """Advance the pump to the clinic's clock and store what it reports."""
        with self.transaction() as db:
            loaded = self._load(db, patient_id)
            if now_s <= loaded.row.as_of_s:  # nothing newer than what is stored
                return
            self._save(db, loaded, now_s)

    # -- programming (propose -> check -> commit) ------------------------------------

    def check_program(
        self, who: Principal, patient_id: int, program: Program, signoff: Signoff, now_s: float
    ) -> tuple[Proposal, list[Any], int]:
        """Every finding, the diff and what would still block a commit; sends nothing."""
        with self.transaction(readonly=True) as db:
            loaded = self._load(db, patient_id)
            ctx = self._context(db, patient_id, loaded)
            session, proposal = program_session(
                loaded.pump, ctx, who.username, program, now_s, signoff
            )
            return proposal, session.blockers(), loaded.row.version

    def commit_program(
        self,
        who: Principal,
        patient_id: int,
        program: Program,
        reason: str,
        signoff: Signoff,
        now_s: float,
        expected_version: int | None,
    ) -> dict[str, Any]:
        _need_reason(reason)
        with self.transaction() as db:
            loaded = self._load(db, patient_id, expected_version)
            ctx = self._context(db, patient_id, loaded)
            record = commit_program(loaded.pump, ctx, who.username, program, now_s, signoff)
            session_row = ProgrammingSessionRow(
                patient_id=patient_id,
                username=who.username,
                status=record["status"],
                started_s=record["started_s"],
                closed_s=record["closed_s"],
                record=record,
            )
            db.add(session_row)
            db.flush()
            if record["status"] == "committed":
                self._add_program(
                    db, patient_id, program, who.username, reason, now_s, session_row.id
                )
            self._save(db, loaded, now_s)
            audit.append(
                db,
                now_s,
                who.username,
                "program.commit",
                "patient",
                patient_id,
                reason,
                {
                    "status": record["status"],
                    "digest": record["proposed_digest"],
                    "before": record["before_digest"],
                    "verified_by": record["verified_by"],
                    "acknowledgements": record["acknowledgements"],
                    "summary": program_summary(program),
                },
            )
            record["session_id"] = session_row.id
            return record

    # -- refills (plan -> record -> acknowledge) -------------------------------------

    def _refill_input(self, db: Session, patient_id: int, r: RefillInput) -> RefillInput:
        """`r` with what the last completed refill told: the volume entered then
        (reconciliation) and the date this refill was booked for (DD-09)."""
        last = db.scalars(
            select(RefillRow)
            .where(RefillRow.patient_id == patient_id, RefillRow.status == "committed")
            .order_by(RefillRow.at_s.desc())
        ).first()
        if last is None:
            return r
        return replace(
            r, previous_entered_ml=last.record.get("entered_ml"), due_s=last.next_refill_s
        )

    def plan_refill(
        self, who: Principal, patient_id: int, r: RefillInput, now_s: float
    ) -> tuple[RefillSession, int]:
        with self.transaction(readonly=True) as db:
            loaded = self._load(db, patient_id)
            ctx = self._context(db, patient_id, loaded)
            full = self._refill_input(db, patient_id, r)
            session, _ = refill_session(loaded.pump, ctx, who.username, full, now_s, None)
            return session, loaded.row.version

    def record_refill(
        self,
        who: Principal,
        patient_id: int,
        r: RefillInput,
        verifier: str | None,
        now_s: float,
        expected_version: int | None,
    ) -> tuple[int, dict[str, Any]]:
        with self.transaction() as db:
            loaded = self._load(db, patient_id, expected_version)
            ctx = self._context(db, patient_id, loaded)
            full = self._refill_input(db, patient_id, r)
            session, plan = refill_session(loaded.pump, ctx, who.username, full, now_s, verifier)
            record = session.commit(now_s)
            record["entered_ml"] = (
                full.entered_ml if full.entered_ml is not None else plan.volume_after_ml
            )
            record["drugs"] = [
                {"name": d.name, "concentration_mcg_per_ml": d.concentration_mcg_per_ml}
                for d in r.drugs
            ]
            measured = session.reconciliation  # None when the pump took no refill
            withdrawn = measured.withdrawn_ml if measured else None
            classification = measured.classification if measured else "not refilled"
            row = RefillRow(
                patient_id=patient_id,
                at_s=now_s,
                expected_ml=plan.reconciliation.expected_withdrawal_ml,
                withdrawn_ml=withdrawn,
                added_ml=r.add_ml,
                lot=r.lot,
                classification=classification,
                status=record["status"],
                next_refill_s=record["next_refill_s"],
                username=who.username,
                verified_by=verifier,
                record=record,
            )
            db.add(row)
            db.flush()
            after = loaded.pump.interrogate(now_s)
            if record["status"] == "committed":
                loaded.row.last_refill_s = now_s
                if after.program is not None and (
                    self._current_digest(db, patient_id) != after.program_digest
                ):
                    self._add_program(
                        db,
                        patient_id,
                        after.program,
                        who.username,
                        f"refill with new fluid: {r.lot}",
                        now_s,
                        None,
                    )
            self._save(db, loaded, now_s, interrogation=after)
            audit.append(
                db,
                now_s,
                who.username,
                "refill.record",
                "refill",
                row.id,
                f"refill, lot {r.lot}",
                {
                    "patient_id": patient_id,
                    "status": record["status"],
                    "added_ml": r.add_ml,
                    "withdrawn_ml": withdrawn,
                    "classification": classification,
                    "open": record["open"],
                    "verified_by": verifier,
                },
            )
            return row.id, record

    def _current_digest(self, db: Session, patient_id: int) -> str | None:
        return db.scalars(
            select(ProgramVersion.digest)
            .where(ProgramVersion.patient_id == patient_id)
            .order_by(ProgramVersion.version_no.desc())
        ).first()

    def acknowledge_refill(
        self, who: Principal, refill_id: int, code: str, reason: str, now_s: float
    ) -> dict[str, Any]:
        """A discrepancy found at a refill is acknowledged with a reason (SR-21)."""
        _need_reason(reason)
        with self.transaction() as db:
            row = db.get(RefillRow, refill_id)
            if row is None:
                raise NotFound(f"refill {refill_id} does not exist")
            record = dict(row.record)
            if code not in record.get("open", []):
                raise InputError(
                    "acknowledgement refused",
                    [
                        Problem(
                            "code",
                            f"'{code}' is not an open finding of this refill; open: "
                            f"{record.get('open', [])}",
                        )
                    ],
                )
            record["open"] = [c for c in record["open"] if c != code]
            record["acknowledged"] = {
                **record.get("acknowledged", {}),
                code: {"user": who.username, "reason": reason},
            }
            row.record = record
            audit.append(
                db,
                now_s,
                who.username,
                "refill.acknowledge",
                "refill",
                refill_id,
                reason,
                {"code": code},
            )
            return record

    # -- patient role ------------------------------------------------------------------

    def request_bolus(
        self, who: Principal, patient_id: int, request_id: str, now_s: float
    ) -> DemandAnswer:
        can_see(who, patient_id)
        with self.transaction() as db:
            known = db.scalars(
                select(BolusRequestRow).where(BolusRequestRow.request_uid == request_id)
            ).first()
            if known is not None:  # a retried request: the same answer, never twice (SR-16)
                if known.patient_id != patient_id:
                    raise Conflict("request_id is already used")
                return DemandAnswer(
                    known.request_uid, known.result, known.reason, known.lockout_remaining_s
                )
            loaded = self._load(db, patient_id)
            answer = patient_service.request_bolus(loaded.pump, request_id, now_s)
            db.add(
                BolusRequestRow(
                    patient_id=patient_id,
                    request_uid=request_id,
                    at_s=now_s,
                    result=answer.result,
                    reason=answer.reason,
                    lockout_remaining_s=answer.lockout_remaining_s,
                )
            )
            self._save(db, loaded, now_s, reading=False)
            audit.append(
                db,
                now_s,
                who.username,
                "bolus.request",
                "patient",
                patient_id,
                "patient request",
                {"request_id": request_id, "result": answer.result, "reason": answer.reason},
            )
            return answer

    def add_diary(
        self,
        who: Principal,
        patient_id: int,
        pain_nrs: int | None,
        spasm: int | None,
        note: str,
        now_s: float,
    ) -> int:
        can_see(who, patient_id)
        entry = patient_service.diary_note(now_s, pain_nrs, spasm, note)
        with self.transaction() as db:
            self._patient(db, patient_id)
            row = DiaryEntry(
                patient_id=patient_id,
                at_s=now_s,
                pain_nrs=entry.pain_nrs,
                spasm=entry.spasm,
                note=entry.note,
            )
            db.add(row)
            db.flush()
            audit.append(
                db,
                now_s,
                who.username,
                "diary.add",
                "patient",
                patient_id,
                "diary entry",
                {"pain_nrs": pain_nrs, "spasm": spasm},
            )
            return row.id

    # -- alarms ----------------------------------------------------------------------

    def acknowledge_alarm(self, who: Principal, alarm_id: int, reason: str, now_s: float) -> None:
        _need_reason(reason)
        with self.transaction() as db:
            row = db.get(AlarmRow, alarm_id)
            if row is None:
                raise NotFound(f"alarm {alarm_id} does not exist")
            if row.acknowledged_s is not None:
                raise Conflict(
                    f"alarm {alarm_id} was already acknowledged by {row.acknowledged_by}"
                )
            row.acknowledged_by, row.acknowledged_s = who.username, now_s
            audit.append(
                db,
                now_s,
                who.username,
                "alarm.acknowledge",
                "alarm",
                alarm_id,
                reason,
                {"code": row.code, "patient_id": row.patient_id},
            )


def _need_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise InputError("a reason is required", [Problem("reason", "say why (audit trail)")])
