"""A refill session: interrogate, plan, second person, refill, reconcile, read back.

The plan is checked before the needle goes in (overfill, the volume to enter, the
fluid against the program); the withdrawn volume is reconciled after, and a
discrepancy stays open on the record until someone acknowledges it with a reason
(SR-21). A change of drug or concentration goes to the pump with the refill, as a
new program, in the same session - and that program is checked by every programming
rule, in the refill's context, exactly as the programming route checks it: a refill
is no side door to a new dose (issue 22).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thecal.core.drugs import DrugLibrary
from thecal.core.errors import InputError, InvalidTransition, LinkError, Problem, Refused
from thecal.core.pump.constant_flow import delivered_by
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import DrugConcentration, Program, program_digest
from thecal.core.safety import (
    HARD,
    SOFT,
    Catheter,
    DoseChange,
    Finding,
    Patient,
    Policy,
    ProgramProposal,
    finding,
)
from thecal.core.safety.findings import by_severity
from thecal.core.therapy.reconcile import Reconciliation, reconcile
from thecal.core.therapy.refill import RefillPlan, RefillRequest, plan_refill
from thecal.services.ports import Interrogation, PumpPort
from thecal.services.programmer import (
    battery_left_uah,
    earliest_stop,
    interruption_h,
    program_proposal,
    send_bridge,
)
from thecal.services.proposal import Proposal, blockers, review_digest
from thecal.services.vocabulary import RefillRecord, SessionStatus

REFILL_SIGNS = "a refill: drug, concentration and volume (DD-10)"

@dataclass
class RefillSession:
    port: PumpPort
    model: PumpModel
    library: DrugLibrary
    policy: Policy
    user: str
    started_s: float
    patient: Patient = field(default_factory=Patient)
    catheter: Catheter = field(default_factory=lambda: Catheter(None, None))
    history: tuple[DoseChange, ...] = ()
    stopped_since_s: float | None = None  # delivery stopped then (the pump's log)
    before: Interrogation | None = None
    request: RefillRequest | None = None
    plan: RefillPlan | None = None
    proposal: Proposal | None = None  # the plan's findings and the new program's, signed
    status: SessionStatus = SessionStatus.OPEN
    reconciliation: Reconciliation | None = None  # measured at commit (SR-21)
    after_digest: str | None = None  # the program the pump reported at read-back
    after_findings: list[Finding] = field(default_factory=list)
    acknowledged: dict[str, tuple[str, str]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    # the refill restarts a pump stopped long enough that a drug of its fluid starts
    # anew (DD-03, policy.toml [reinitiation]): set by each plan
    restarts: bool = False

    @classmethod
    def start(
        cls,
        port: PumpPort,
        model: PumpModel,
        library: DrugLibrary,
        policy: Policy,
        user: str,
        now_s: float,
        **context: Any,
    ) -> RefillSession:
        session = cls(port, model, library, policy, user, now_s, **context)
        session.before = port.interrogate(now_s)
        session.stopped_since_s = earliest_stop(session.stopped_since_s, session.before)
        session.log.append({"t": now_s, "event": "interrogated"})
        return session

    def propose(
        self,
        add_ml: float,
        drugs: tuple[DrugConcentration, ...],
        now_s: float,
        entered_ml: float | None = None,
        program_after: Program | None = None,
        lot: str = "",
        bridge_duration_s: float | None = None,
        **plan_options: Any,
    ) -> RefillPlan:
        if self.status != SessionStatus.OPEN:
            raise InvalidTransition(f"the session is {self.status}")
        assert self.before is not None
        program = program_after or self.before.program
        if not self.model.programmable:
            # the refill's program is the new fluid at the fixed flow: a new
            # concentration is a new dose (the only way to change it), checked by the
            # same dose rules as a program; a program given names only its drugs
            # (whether they are the fluid's is DD-07's question)
            given = program_after or Program(drugs, ())
            program = delivered_by(self.model, given, "program_after")
        if program is None:
            raise InputError(
                "refill refused",
                [
                    Problem(
                        "program_after",
                        "the pump runs no program: give the program for the new fluid",
                    )
                ],
            )
        self.request = RefillRequest(
            self.model,
            now_s,
            self.before.reservoir_estimate_ml,
            program,
            add_ml,
            drugs,
            entered_ml=entered_ml,
            **plan_options,
        )
        self.plan = plan_refill(self.request, self.library, self.policy)
        self.proposal = self._proposal(
            program,
            now_s,
            [add_ml, drugs, entered_ml, lot, plan_options.get("diluted")],
            bridge_duration_s,
        )
        self.log.append(
            {
                "t": now_s,
                "event": "planned",
                "review": self.proposal.digest,
                "findings": [f.code for f in self.proposal.findings],
            }
        )
        return self.plan

    def _proposal(
        self, program: Program, now_s: float, fluid: list[Any], bridge_s: float | None
    ) -> Proposal:
        """The plan's findings and, when the refill changes the program (a new dose, a
        new drug or concentration), every programming rule on it in this context."""
        assert self.before is not None and self.plan is not None
        current = self.before.program
        findings = tuple(self.plan.all_findings)
        reasons: tuple[str, ...] = (REFILL_SIGNS,)
        diff, doses = [], []
        gap_h = interruption_h(self.stopped_since_s, now_s)
        ctx = ProgramProposal(
            program, current, self.model, self.library, self.policy, self.patient,
            self.catheter, now_s, current is None, self.history,
            bridge_planned=bridge_s is not None,
            reservoir_drugs=self.request.drugs if self.request else None,
            interruption_h=gap_h,
            battery_uah_left=battery_left_uah(self.before, self.model),
        )  # fmt: skip
        restart = any(
            (drug := self.library.get(d.name)) is not None and ctx.interrupted(drug)
            for d in program.drugs
        )
        self.restarts = restart
        if program != current or restart:  # a refill that restarts a long-stopped pump
            # is checked as the new start it is, even with the program unchanged (issue 24)
            checked = program_proposal(ctx, "refill", self.before.program_digest, bridge_s)
            # the fluid's own findings were checked once already with the plan (the same
            # finding under another path is the same finding: one acknowledgement)
            seen = {(f.rule_id, f.code, f.message) for f in findings}
            findings += tuple(
                f for f in checked.findings if (f.rule_id, f.code, f.message) not in seen
            )
            reasons += checked.needs_second_person
            diff, doses = checked.diff, checked.doses
        digest = review_digest("refill", self.before.program_digest, [program, bridge_s, *fluid])
        # the plan's and the program's findings as one review sorts them (a soft one
        # of the program came after the plan's info lines)
        return Proposal(
            program, None, by_severity(findings), diff, doses, reasons, bridge_s,
            digest=digest, second_person_rule="DD-10",
        )  # fmt: skip

    def acknowledge(self, code: str, user: str, reason: str, now_s: float) -> None:
        """A soft finding of the plan or the new program accepted before the refill."""
        self._need_proposal().acknowledge(code, user, reason, now_s)
        self.log.append({"t": now_s, "event": "acknowledged", "code": code, "user": user})

    def confirm(self, now_s: float, digest: str) -> None:
        """The clinician confirms the plan they reviewed, named by its digest (SR-08)."""
        self._need_proposal().confirm(digest)
        self.log.append({"t": now_s, "event": "confirmed", "review": digest})

    def blockers(self) -> list[Finding]:
        """Why commit would refuse now, as findings; empty when it may proceed."""
        return blockers(self._need_proposal())

    def _need_proposal(self) -> Proposal:
        if self.proposal is None:
            raise InvalidTransition("nothing has been planned in this session")
        return self.proposal

    @property
    def changes_program(self) -> bool:
        """The refill changes what the pump runs (a new concentration, a new dose): a
        physician's act (services/clinic/therapy.py), said in the plan beforehand."""
        p = self._need_proposal()
        return self.before is not None and p.program != self.before.program

    @property
    def changes_what_is_given(self) -> bool:
        """A new program, or the same one restarted after the pump gave nothing long
        enough for tolerance to be lost: either way the dose the patient gets is decided
        anew, which is a physician's act (the restart's DD-03 finding is theirs to
        accept)."""
        return self.changes_program or self.restarts

    @property
    def verified_by(self) -> str | None:
        return self.proposal.verified_by if self.proposal is not None else None

    def verify(self, user: str, now_s: float) -> None:
        """The second person has checked drug, concentration and volume (DD-10)."""
        self._need_proposal().verify(self.user, user)
        self.log.append({"t": now_s, "event": "verified", "user": user})

    def commit(self, now_s: float) -> RefillRecord:
        if self.plan is None or self.request is None or self.before is None:
            raise InvalidTransition("nothing has been planned in this session")
        refused = self.blockers()
        if refused:
            raise Refused("refill refused: " + ", ".join(f.code for f in refused), tuple(refused))
        req = self.request
        entered = req.entered_ml if req.entered_ml is not None else self.plan.volume_after_ml
        new_program = req.program_after != self.before.program
        try:
            result = self.port.refill(req.add_ml, req.drugs, entered, now_s)
            # a constant-flow pump's program is its fluid: the refill itself changed it
            if result.accepted and new_program and self.model.programmable:
                self.port.apply_program(req.program_after, now_s, self.library.digest)
                bridge_s = self._need_proposal().bridge_duration_s
                send_bridge(self.port, self.model, self.catheter, bridge_s, now_s)
        except LinkError:
            return self._read_back(now_s, None)
        if not result.accepted:
            self.status = SessionStatus.INCOMPLETE
            self.after_findings.append(
                finding(
                    "SR-24",
                    HARD,
                    "PUMP_REFUSED_REFILL",
                    f"the pump refused the refill: {result.reason}",
                )
            )
            return self.record(now_s)
        rec = reconcile(
            self.model,
            self.policy,
            req.estimate_ml or 0.0,
            result.withdrawn_ml,
            req.previous_entered_ml,
        )
        self.reconciliation = rec
        self.after_findings.extend(rec.findings)
        self.log.append(
            {
                "t": now_s,
                "event": "refilled",
                "withdrawn_ml": result.withdrawn_ml,
                "classification": rec.classification,
                "ratio": rec.ratio,
            }
        )
        return self._read_back(now_s, entered)

    def _read_back(self, now_s: float, entered: float | None) -> RefillRecord:
        assert self.request is not None
        try:
            after = self.port.interrogate(now_s)
        except LinkError:
            self.status = SessionStatus.UNCERTAIN
            self.after_findings.append(
                finding(
                    "SR-34",
                    HARD,
                    "DELIVERY_UNCERTAIN",
                    "the link dropped: interrogate the pump before anything else",
                )
            )
            return self.record(now_s)
        self.after_digest = after.program_digest
        same_program = after.program_digest == program_digest(self.request.program_after)
        volume_ok = (
            entered is not None
            and after.reservoir_estimate_ml is not None
            and abs(after.reservoir_estimate_ml - entered) < 1e-6
        )
        done = same_program and volume_ok
        self.status = SessionStatus.COMMITTED if done else SessionStatus.INCOMPLETE
        if self.status == SessionStatus.INCOMPLETE:
            self.after_findings.append(
                finding(
                    "F19",
                    HARD,
                    "SESSION_INCOMPLETE",
                    "the pump does not hold the refill's volume and program: interrogate, "
                    "reconcile, and finish the refill",
                )
            )
        return self.record(now_s)

    def acknowledge_discrepancy(self, code: str, user: str, reason: str, now_s: float) -> None:
        """Acknowledge a discrepancy found after the refill (SR-21)."""
        soft = [f for f in self.after_findings if f.code == code and f.severity == SOFT]
        if not soft or not reason.strip():
            raise InputError(
                "acknowledgement refused",
                [
                    Problem(
                        "code" if not soft else "reason",
                        f"'{code}' is not an open soft finding"
                        if not soft
                        else "a reason is required",
                    )
                ],
            )
        self.acknowledged[code] = (user, reason)
        self.log.append({"t": now_s, "event": "acknowledged", "code": code, "user": user})

    def open_findings(self) -> list[Finding]:
        return [
            f
            for f in self.after_findings
            if f.severity != "info" and f.code not in self.acknowledged
        ]

    def record(self, now_s: float) -> RefillRecord:
        if self.status == SessionStatus.OPEN:
            self.status = SessionStatus.INCOMPLETE
            self.after_findings.append(
                finding(
                    "F19",
                    HARD,
                    "SESSION_INCOMPLETE",
                    "the refill session closed before the pump was updated",
                )
            )
        plan, p = self.plan, self.proposal
        return {
            "status": self.status,
            "user": self.user,
            "verified_by": self.verified_by,
            "started_s": self.started_s,
            "closed_s": now_s,
            "review_digest": p.digest if p else None,
            "before_digest": self.before.program_digest if self.before else None,
            "after_digest": self.after_digest,
            "plan_findings": [f.as_dict() for f in p.findings] if p else [],
            "acknowledgements": [a.__dict__ for a in p.acknowledgements] if p else [],
            "doses": [r.__dict__ for r in p.doses] if p else [],
            # what the refill's program changed (a new concentration, a restart dose)
            "diff": [r.__dict__ for r in p.diff] if p else [],
            "fixed_flow": not self.model.programmable,
            "findings": [f.as_dict() for f in self.after_findings],
            "open": [f.code for f in self.open_findings()],
            "acknowledged": {
                k: {"user": u, "reason": r} for k, (u, r) in self.acknowledged.items()
            },
            "next_refill_s": plan.next_refill_s if plan else None,
            "next_refill_reason": plan.next_refill_reason if plan else None,
            "log": list(self.log),
        }
