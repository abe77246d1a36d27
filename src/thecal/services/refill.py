"""A refill session: interrogate, plan, second person, refill, reconcile, read back.

The plan is checked before the needle goes in (overfill, the volume to enter, the
fluid against the program); the withdrawn volume is reconciled after, and a
discrepancy stays open on the record until someone acknowledges it with a reason
(SR-21). A change of drug or concentration goes to the pump with the refill, as a
new program, in the same session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thecal.core.drugs import DrugLibrary
from thecal.core.errors import InputError, InvalidTransition, LinkError, Problem, Refused
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import DrugConcentration, Program, program_digest
from thecal.core.safety import HARD, SOFT, Finding, Policy, finding
from thecal.core.therapy.reconcile import Reconciliation, reconcile
from thecal.core.therapy.refill import RefillPlan, RefillRequest, plan_refill
from thecal.services.ports import Interrogation, PumpPort

OPEN, COMMITTED, INCOMPLETE, UNCERTAIN = "open", "committed", "incomplete", "uncertain"


@dataclass
class RefillSession:
    port: PumpPort
    model: PumpModel
    library: DrugLibrary
    policy: Policy
    user: str
    started_s: float
    before: Interrogation | None = None
    request: RefillRequest | None = None
    plan: RefillPlan | None = None
    verified_by: str | None = None
    status: str = OPEN
    reconciliation: Reconciliation | None = None  # measured at commit (SR-21)
    after_findings: list[Finding] = field(default_factory=list)
    acknowledged: dict[str, tuple[str, str]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        port: PumpPort,
        model: PumpModel,
        library: DrugLibrary,
        policy: Policy,
        user: str,
        now_s: float,
    ) -> RefillSession:
        session = cls(port, model, library, policy, user, now_s)
        session.before = port.interrogate(now_s)
        session.log.append({"t": now_s, "event": "interrogated"})
        return session

    def propose(
        self,
        add_ml: float,
        drugs: tuple[DrugConcentration, ...],
        now_s: float,
        entered_ml: float | None = None,
        program_after: Program | None = None,
        **plan_options: Any,
    ) -> RefillPlan:
        if self.status != OPEN:
            raise InvalidTransition(f"the session is {self.status}")
        assert self.before is not None
        program = program_after or self.before.program
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
        self.verified_by = None
        self.log.append(
            {"t": now_s, "event": "planned", "findings": [f.code for f in self.plan.all_findings]}
        )
        return self.plan

    def verify(self, user: str, now_s: float) -> None:
        """The second person has checked drug, concentration and volume (DD-10)."""
        if user == self.user:
            raise InputError(
                "verification refused",
                [Problem("user", "the second person must be someone other than the one refilling")],
            )
        self.verified_by = user
        self.log.append({"t": now_s, "event": "verified", "user": user})

    def commit(self, now_s: float) -> dict[str, Any]:
        if self.plan is None or self.request is None or self.before is None:
            raise InvalidTransition("nothing has been planned in this session")
        blockers = [f for f in self.plan.all_findings if f.severity == HARD]
        if self.verified_by is None:
            blockers.append(
                finding(
                    "DD-10",
                    HARD,
                    "SECOND_PERSON_REQUIRED",
                    "a second person must check the drug and concentration",
                )
            )
        if blockers:
            raise Refused("refill refused: " + ", ".join(f.code for f in blockers), tuple(blockers))
        req = self.request
        entered = req.entered_ml if req.entered_ml is not None else self.plan.volume_after_ml
        new_program = req.program_after != self.before.program
        try:
            result = self.port.refill(req.add_ml, req.drugs, entered, now_s)
            if result.accepted and new_program:
                self.port.apply_program(req.program_after, now_s)
        except LinkError:
            return self._read_back(now_s, None)
        if not result.accepted:
            self.status = INCOMPLETE
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

    def _read_back(self, now_s: float, entered: float | None) -> dict[str, Any]:
        assert self.request is not None
        try:
            after = self.port.interrogate(now_s)
        except LinkError:
            self.status = UNCERTAIN
            self.after_findings.append(
                finding(
                    "SR-34",
                    HARD,
                    "DELIVERY_UNCERTAIN",
                    "the link dropped: interrogate the pump before anything else",
                )
            )
            return self.record(now_s)
        same_program = after.program_digest == program_digest(self.request.program_after)
        volume_ok = (
            entered is not None
            and after.reservoir_estimate_ml is not None
            and abs(after.reservoir_estimate_ml - entered) < 1e-6
        )
        self.status = COMMITTED if same_program and volume_ok else INCOMPLETE
        if self.status == INCOMPLETE:
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

    def acknowledge(self, code: str, user: str, reason: str, now_s: float) -> None:
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

    def record(self, now_s: float) -> dict[str, Any]:
        if self.status == OPEN:
            self.status = INCOMPLETE
            self.after_findings.append(
                finding(
                    "F19",
                    HARD,
                    "SESSION_INCOMPLETE",
                    "the refill session closed before the pump was updated",
                )
            )
        plan = self.plan
        return {
            "status": self.status,
            "user": self.user,
            "verified_by": self.verified_by,
            "started_s": self.started_s,
            "closed_s": now_s,
            "plan_findings": [f.as_dict() for f in plan.all_findings] if plan else [],
            "findings": [f.as_dict() for f in self.after_findings],
            "open": [f.code for f in self.open_findings()],
            "acknowledged": {
                k: {"user": u, "reason": r} for k, (u, r) in self.acknowledged.items()
            },
            "next_refill_s": plan.next_refill_s if plan else None,
            "next_refill_reason": plan.next_refill_reason if plan else None,
            "log": list(self.log),
        }
