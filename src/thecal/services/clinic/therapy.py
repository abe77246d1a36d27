"""Programming (propose -> check -> commit) and refills (plan -> record ->
acknowledge) as clinic use cases over the programmer sessions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from thecal.core.errors import InputError, Problem
from thecal.core.pump.program import Program
from thecal.services.clinic.base import ClinicBase, need_reason
from thecal.services.clinic.ports import Principal, RefillEntry, UnitOfWork
from thecal.services.clinic.transactions import (
    RefillInput,
    Signoff,
    commit_program,
    program_session,
    refill_session,
)
from thecal.services.program_diff import program_summary
from thecal.services.proposal import Proposal
from thecal.services.refill import RefillSession


class Therapy(ClinicBase):
    def check_program(
        self, who: Principal, patient_id: int, program: Program, signoff: Signoff, now_s: float
    ) -> tuple[Proposal, list[Any], int]:
        """Every finding, the diff and what would still block a commit; sends nothing."""
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            ctx = self._context(uow, stored)
            session, proposal = program_session(
                stored.pump, ctx, who.username, program, now_s, signoff
            )
            return proposal, session.blockers(), stored.version

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
        need_reason(reason)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id, expected_version)
            ctx = self._context(uow, stored)
            record = commit_program(stored.pump, ctx, who.username, program, now_s, signoff)
            session_id = uow.sessions.add(patient_id, who.username, record)
            if record["status"] == "committed":
                uow.programs.add(patient_id, program, who.username, reason, now_s, session_id)
            self._save(uow, stored, now_s)
            uow.audit.append(
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
            uow.commit()
            record["session_id"] = session_id
            return record

    def _refill_input(self, uow: UnitOfWork, patient_id: int, r: RefillInput) -> RefillInput:
        """`r` with what the last completed refill told: the volume entered then
        (reconciliation) and the date this refill was booked for (DD-09)."""
        last = uow.refills.last_committed(patient_id)
        if last is None:
            return r
        return replace(r, previous_entered_ml=last.entered_ml, due_s=last.next_refill_s)

    def plan_refill(
        self, who: Principal, patient_id: int, r: RefillInput, now_s: float
    ) -> tuple[RefillSession, int]:
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            ctx = self._context(uow, stored)
            full = self._refill_input(uow, patient_id, r)
            session, _ = refill_session(stored.pump, ctx, who.username, full, now_s, None)
            return session, stored.version

    def record_refill(
        self,
        who: Principal,
        patient_id: int,
        r: RefillInput,
        verifier: str | None,
        now_s: float,
        expected_version: int | None,
    ) -> tuple[int, dict[str, Any]]:
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id, expected_version)
            ctx = self._context(uow, stored)
            full = self._refill_input(uow, patient_id, r)
            session, plan = refill_session(stored.pump, ctx, who.username, full, now_s, verifier)
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
            refill_id = uow.refills.add(
                RefillEntry(
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
            )
            after = stored.pump.interrogate(now_s)
            if record["status"] == "committed":
                stored.last_refill_s = now_s
                new_fluid = uow.programs.current_digest(patient_id) != after.program_digest
                if after.program is not None and new_fluid:
                    uow.programs.add(
                        patient_id, after.program, who.username,
                        f"refill with new fluid: {r.lot}", now_s, None,
                    )  # fmt: skip
            self._save(uow, stored, now_s, interrogation=after)
            uow.audit.append(
                now_s,
                who.username,
                "refill.record",
                "refill",
                refill_id,
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
            uow.commit()
            return refill_id, record

    def acknowledge_refill(
        self, who: Principal, refill_id: int, code: str, reason: str, now_s: float
    ) -> dict[str, Any]:
        """A discrepancy found at a refill is acknowledged with a reason (SR-21)."""
        need_reason(reason)
        with self.uow() as uow:
            record = dict(uow.refills.record(refill_id))
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
            uow.refills.set_record(refill_id, record)
            uow.audit.append(
                now_s, who.username, "refill.acknowledge", "refill", refill_id, reason,
                {"code": code},
            )  # fmt: skip
            uow.commit()
            return record
