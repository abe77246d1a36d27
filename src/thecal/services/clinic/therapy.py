"""Programming, programmer boluses and refills: each a check (everything up to the
commit, nothing sent) and a commit, both through the one gate (gate.py) - the same
rules, roles, second person and digest-bound confirmation on every route."""

from __future__ import annotations

from dataclasses import dataclass, replace

from thecal.core.errors import InputError, Problem
from thecal.core.pump.program import Program
from thecal.core.safety import BolusProposal
from thecal.services.clinic.base import ClinicBase, need_reason
from thecal.services.clinic.gate import (
    Review,
    Signoff,
    change_payload,
    fluid_record,
    sign,
    therapy_change,
)
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import Principal, RefillEntry, StoredPump, UnitOfWork
from thecal.services.clinic.transactions import RefillInput, program_session, refill_session
from thecal.services.program_diff import refill_change
from thecal.services.programmer import ProgrammingSession
from thecal.services.refill import RefillSession
from thecal.services.vocabulary import (
    AppointmentStatus,
    RefillRecord,
    SessionRecord,
    SessionStatus,
)


@dataclass(frozen=True)
class BolusInput:
    """A programmer bolus: clinician, bridge (at a concentration change) or priming
    (after an implant or a catheter revision)."""

    kind: str
    volume_ml: float
    duration_s: float
    extra_ml: float = 0.0  # priming: volume added on purpose beyond the path


class Therapy(ClinicBase):
    # -- programming ---------------------------------------------------------------

    def _programming(
        self, uow: UnitOfWork, who: Principal, stored: StoredPump, now_s: float
    ) -> ProgrammingSession:
        return program_session(stored.pump, self._context(uow, stored, now_s), who.username,
                               now_s)  # fmt: skip

    def check_program(
        self,
        who: Principal,
        patient_id: int,
        program: Program,
        signoff: Signoff,
        now_s: float,
        temporary_s: float | None = None,
    ) -> Review:
        """Every finding, the diff and what would still block a commit; sends nothing."""
        authorize(who.role, "programs.check")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            session = self._programming(uow, who, stored, now_s)
            proposal = session.propose(program, now_s, temporary_s=temporary_s)
            sign(session, who, signoff, verifier, now_s)
            return Review(proposal, session.blockers(), stored.therapy_version)

    @therapy_change("programs.commit")
    def commit_program(
        self,
        who: Principal,
        patient_id: int,
        program: Program,
        reason: str,
        signoff: Signoff,
        now_s: float,
        expected_version: int,
        temporary_s: float | None = None,
    ) -> SessionRecord:
        """A temporary program (SR-36) is sent and recorded in its session with its end,
        never as a program version: the pump returns to the base program on its own, so
        the base stays the program of record, in the clinic as in the pump."""
        verifier = self._signed_change(who, "programs.commit", reason, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id, expected_version)
            session = self._programming(uow, who, stored, now_s)
            session.propose(program, now_s, temporary_s=temporary_s)
            sign(session, who, signoff, verifier, now_s)
            record = session.commit(now_s)  # Refused: nothing sent, nothing stored
            committed = program if record["status"] == SessionStatus.COMMITTED else None
            if temporary_s is not None:
                record["temporary_until_s"] = now_s + temporary_s
                committed = None
            record["session_id"] = self._record_session(
                uow, who, stored, "program.commit", reason, record, program, committed, now_s
            )
            uow.commit()
            return record

    def _record_session(
        self,
        uow: UnitOfWork,
        who: Principal,
        stored: StoredPump,
        action: str,
        reason: str,
        record: SessionRecord,
        sent: Program | None,
        committed: Program | None,
        now_s: float,
    ) -> int:
        """Store what was sent: the session record, the new program version if the pump
        read it back, the pump as it reports itself, and the audit row. Anything sent
        advances the therapy version, so every open screen reviews again."""
        pid = stored.patient_id
        session_id = uow.sessions.add(pid, who.username, record)
        if committed is not None:
            uow.programs.add(pid, committed, who.username, reason, now_s, session_id)
        stored.therapy_version += 1
        self._save(uow, stored, now_s)
        fluid = sent.drugs if sent is not None else None
        payload = change_payload(action, pid, record, fluid, session_id=session_id)
        uow.audit.append(now_s, who.username, action, "patient", pid, reason, payload)
        return session_id

    # -- programmer boluses ----------------------------------------------------------

    def _bolus_session(
        self,
        uow: UnitOfWork,
        who: Principal,
        stored: StoredPump,
        b: BolusInput,
        signoff: Signoff,
        verifier: str | None,
        now_s: float,
    ) -> ProgrammingSession:
        implant = uow.implants.active(stored.patient_id)
        window_s = self.policy.bolus.priming_window_h * 3600.0
        last_device_s = max(implant.implanted_s, implant.revised_s or implant.implanted_s)
        session = self._programming(uow, who, stored, now_s)
        session.propose_bolus(
            BolusProposal(
                b.kind,
                b.volume_ml,
                b.duration_s,
                at_implant_or_revision=now_s - last_device_s <= window_s,
                # a priming bolus is supervised: its second person is required to send it
                supervised=b.kind == "priming",
                extra_ml=b.extra_ml,
            ),
            now_s,
        )
        sign(session, who, signoff, verifier, now_s)
        return session

    def check_bolus(
        self, who: Principal, patient_id: int, b: BolusInput, signoff: Signoff, now_s: float
    ) -> Review:
        authorize(who.role, "programs.check")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            session = self._bolus_session(uow, who, stored, b, signoff, verifier, now_s)
            assert session.proposal is not None
            return Review(session.proposal, session.blockers(), stored.therapy_version)

    @therapy_change("boluses.give")
    def give_bolus(
        self,
        who: Principal,
        patient_id: int,
        b: BolusInput,
        reason: str,
        signoff: Signoff,
        now_s: float,
        expected_version: int,
    ) -> SessionRecord:
        verifier = self._signed_change(who, "boluses.give", reason, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id, expected_version)
            session = self._bolus_session(uow, who, stored, b, signoff, verifier, now_s)
            record = session.commit(now_s)
            record["bolus"] = {"kind": b.kind, "volume_ml": b.volume_ml, "duration_s": b.duration_s}
            action = f"bolus.{b.kind}"
            record["session_id"] = self._record_session(
                uow, who, stored, action, reason, record, None, None, now_s
            )
            uow.commit()
            return record

    # -- refills -----------------------------------------------------------------------

    def _refill_input(self, uow: UnitOfWork, patient_id: int, r: RefillInput) -> RefillInput:
        """`r` with what the last completed refill told: the volume entered then
        (reconciliation) and the date this refill was booked for (DD-09). With none
        completed (a new pump whose first fill the pump did not read back), the date
        the earliest fill booked still holds for DD-09: the fluid went in whatever the
        read-back said, and a pump never found overdue is the harm. Its volume is not
        trusted for the reconciliation."""
        last = uow.refills.last_committed(patient_id)
        if last is None:
            return replace(r, due_s=uow.refills.earliest_booked(patient_id))
        return replace(r, previous_entered_ml=last.entered_ml, due_s=last.next_refill_s)

    def _refill(
        self,
        uow: UnitOfWork,
        who: Principal,
        stored: StoredPump,
        r: RefillInput,
        signoff: Signoff,
        verifier: str | None,
        now_s: float,
    ) -> RefillSession:
        ctx = self._context(uow, stored, now_s)
        full = self._refill_input(uow, stored.patient_id, r)
        session, _ = refill_session(stored.pump, ctx, who.username, full, now_s)
        sign(session, who, signoff, verifier, now_s)
        return session

    def plan_refill(
        self, who: Principal, patient_id: int, r: RefillInput, signoff: Signoff, now_s: float
    ) -> tuple[RefillSession, Review]:
        authorize(who.role, "refills.plan")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            session = self._refill(uow, who, stored, r, signoff, verifier, now_s)
            assert session.proposal is not None
            review = Review(session.proposal, session.blockers(), stored.therapy_version)
            return session, review

    @therapy_change("refills.record")
    def record_refill(
        self,
        who: Principal,
        patient_id: int,
        r: RefillInput,
        signoff: Signoff,
        now_s: float,
        expected_version: int,
    ) -> tuple[int, RefillRecord]:
        authorize(who.role, "refills.record")
        if not r.lot.strip():
            raise InputError("refill refused", [Problem("lot", "the lot number of the fluid")])
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id, expected_version)
            session = self._refill(uow, who, stored, r, signoff, verifier, now_s)
            if session.changes_what_is_given:  # a new dose or a restart: a physician's act
                authorize(who.role, "programs.commit")
            record = session.commit(now_s)  # Refused: nothing sent, nothing stored
            refill_id = self._store_refill(uow, who, stored, r, session, record, now_s)
            booked = uow.appointments.open_for(patient_id)
            if booked is not None and session.reconciliation is not None:  # the pump took it
                uow.appointments.close(booked.id, AppointmentStatus.DONE, now_s)
            uow.commit()
            return refill_id, record

    def _store_refill(
        self,
        uow: UnitOfWork,
        who: Principal,
        stored: StoredPump,
        r: RefillInput,
        session: RefillSession,
        record: RefillRecord,
        now_s: float,
    ) -> int:
        pid = stored.patient_id
        plan = session.plan
        assert plan is not None and session.proposal is not None
        record["entered_ml"] = r.entered_ml if r.entered_ml is not None else plan.volume_after_ml
        record["drugs"] = fluid_record(r.drugs)
        measured = session.reconciliation  # None when the pump took no refill
        withdrawn = measured.withdrawn_ml if measured else None
        classification = measured.classification if measured else "not refilled"
        refill_id = uow.refills.add(
            RefillEntry(
                patient_id=pid, at_s=now_s,
                expected_ml=plan.reconciliation.expected_withdrawal_ml, withdrawn_ml=withdrawn,
                added_ml=r.add_ml, lot=r.lot, classification=classification,
                status=record["status"], next_refill_s=record["next_refill_s"],
                username=who.username, verified_by=session.verified_by, record=record,
            )
        )  # fmt: skip
        after = stored.pump.interrogate(now_s)
        program, before = session.proposal.program, session.before
        assert before is not None  # the session interrogated the pump first
        if record["status"] == SessionStatus.COMMITTED:
            stored.last_refill_s = now_s
            assert session.request is not None  # planned before it was recorded
            stored.naive_fill = session.request.naive_pump_first_fill
            if program is not None and uow.programs.current_digest(pid) != after.program_digest:
                reason = f"refill, lot {r.lot}: {refill_change(before.program, program)}"
                uow.programs.add(pid, program, who.username, reason, now_s, None)
        stored.therapy_version += 1
        self._save(uow, stored, now_s, interrogation=after)
        payload = change_payload(
            "refill.record", pid, record, r.drugs, refill_id=refill_id, added_ml=r.add_ml,
            withdrawn_ml=withdrawn, classification=classification, open=record["open"],
        )  # fmt: skip
        uow.audit.append(
            now_s, who.username, "refill.record", "refill", refill_id, f"refill, lot {r.lot}",
            payload,
        )  # fmt: skip
        return refill_id

    def acknowledge_refill(
        self, who: Principal, refill_id: int, code: str, reason: str, now_s: float
    ) -> RefillRecord:
        """A discrepancy found at a refill is acknowledged with a reason (SR-21)."""
        need_reason(reason)
        authorize(who.role, "refills.acknowledge")
        with self.uow() as uow:
            record = uow.refills.record(refill_id)
            if code not in record["open"]:
                raise InputError(
                    "acknowledgement refused",
                    [
                        Problem(
                            "code",
                            f"'{code}' is not an open finding of this refill; open: "
                            f"{record['open']}",
                        )
                    ],
                )
            record["open"] = [c for c in record["open"] if c != code]
            record["acknowledged"] = {
                **record["acknowledged"],
                code: {"user": who.username, "reason": reason},
            }
            uow.refills.set_record(refill_id, record)
            uow.audit.append(
                now_s, who.username, "refill.acknowledge", "refill", refill_id, reason,
                {"code": code},
            )  # fmt: skip
            uow.commit()
            return record
