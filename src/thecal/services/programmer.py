"""A programming session: interrogate, propose, check, acknowledge, verify, confirm,
commit atomically, read back, record.

Every way out of a session leaves a record. A session that never commits, or whose
link drops, reports itself incomplete and says what the pump is running: the
previous program keeps delivering, because nothing stops the pump during an update
(devices.md F19). A link that drops and cannot be re-established leaves the session
*uncertain*: nothing is retried until the pump has been interrogated (SR-34).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thecal.core.drugs import DrugLibrary
from thecal.core.errors import InputError, InvalidTransition, LinkError, Problem, Refused
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import Program, program_digest
from thecal.core.safety import (
    HARD,
    INFO,
    BolusProposal,
    Catheter,
    DoseChange,
    Finding,
    Patient,
    Policy,
    ProgramProposal,
    check_bolus,
    check_program,
    finding,
)
from thecal.core.safety.concentration_change import fluid_changes
from thecal.core.therapy.catheter import path_volume_ml
from thecal.services.ports import Interrogation, PumpPort
from thecal.services.program_diff import DoseRow, dose_diff, settings_diff
from thecal.services.proposal import Proposal, blockers, review_digest
from thecal.services.vocabulary import SessionRecord, SessionStatus


def program_proposal(
    ctx: ProgramProposal,
    kind: str,
    before_digest: str | None,
    bridge_s: float | None = None,
    temporary_s: float | None = None,
) -> Proposal:
    """`ctx.proposed` checked against every program rule in its context (first fill,
    continuation, reprogram, refill), with the side-by-side diff, the 24 h dose per
    drug and % change, who must sign, and the digest a confirmation must name. A
    temporary program is checked as any change is; its return to the running program
    is a return to what already passed."""
    review = check_program(ctx)
    doses = dose_diff(ctx.current, ctx.proposed)
    findings = review.findings
    if temporary_s is not None:
        findings += (temporary_finding(ctx, temporary_s),)
    elif kind == "program" and before_digest == program_digest(ctx.proposed):
        findings += (unchanged_finding(),)
    proposal = Proposal(
        ctx.proposed,
        None,
        findings,
        settings_diff(ctx.current, ctx.proposed, ctx.library),
        doses,
        second_person_reasons(ctx, doses),
        bridge_s,
        digest=review_digest(kind, before_digest, [ctx.proposed, bridge_s, temporary_s]),
    )
    proposal.temporary_s = temporary_s
    return proposal


def unchanged_finding() -> Finding:
    """Sending the program the pump already runs is allowed (a re-send after a doubt is
    a real act, recorded as any session is), but the review says it changes nothing, so
    a clinician who meant to change a dose sees that the change is not in the form."""
    return finding(
        "SR-08",
        INFO,
        "PROGRAM_UNCHANGED",
        "this is the program the pump runs now: sending it changes nothing it delivers",
    )


def temporary_finding(ctx: ProgramProposal, temporary_s: float) -> Finding:
    """A temporary program needs a program to return to and lasts at most as long as
    the pump's alarm table allows (SR-36); the review says when it ends."""
    table = ctx.model.alarms
    longest_s = table.temporary_max_s if table is not None else 0.0
    if ctx.current is None or not 0.0 < temporary_s <= longest_s:
        raise InputError(
            "temporary program refused",
            [
                Problem(
                    "temporary_h",
                    f"{temporary_s / 3600.0:g} h: from above 0 to {longest_s / 3600.0:g} h, "
                    "over a running program to return to (SR-36)",
                )
            ],
        )
    return finding(
        "SR-36",
        INFO,
        "TEMPORARY_PROGRAM",
        f"temporary: the pump returns to the running program on its own after "
        f"{temporary_s / 3600.0:g} h",
    )


def send_bridge(
    port: PumpPort, model: PumpModel, catheter: Catheter, duration_s: float | None, now_s: float
) -> None:
    """The bridge bolus after a concentration change: the old fluid still in the pump's
    tubing and the catheter is pushed out at the old dose rate over `duration_s`, so the
    new concentration reaches the tip on time (DD-07)."""
    if duration_s is None or catheter.length_cm is None or not catheter.ul_per_cm:
        return
    volume = path_volume_ml(model, catheter.length_cm, catheter.ul_per_cm)
    port.start_bolus("bridge", volume, duration_s, now_s)


def second_person_reasons(ctx: ProgramProposal, doses: list[DoseRow]) -> tuple[str, ...]:
    why = []
    if ctx.first_fill:
        why.append("first fill")
    if fluid_changes(ctx):
        why.append("drug or concentration change")
    limit = ctx.policy.verification.large_increase_pct
    for row in doses:
        if row.change_pct is not None and row.change_pct > limit:
            why.append(f"{row.drug} +{round(row.change_pct, 1):g} % (> {limit:g} %)")
    return tuple(why)


def interruption_h(stopped_since_s: float | None, now_s: float) -> float | None:
    """Hours the pump has delivered nothing at `now_s`, or None while it delivers."""
    return None if stopped_since_s is None else max(0.0, now_s - stopped_since_s) / 3600.0


def earliest_stop(known_s: float | None, report: Interrogation) -> float | None:
    """The interruption's start: the clinic's log or the pump's own report, the earlier
    (a suspension is in the pump's state only; an empty reservoir in both)."""
    found = [t for t in (known_s, report.delivery_stopped_since_s) if t is not None]
    return min(found) if found else None


def battery_left_uah(report: Interrogation | None, model: PumpModel) -> float | None:
    """The charge the pump reported (SR-31), or None for a pump without a battery."""
    if report is None or model.battery_uah <= 0:
        return None
    return report.battery_fraction * model.battery_uah


@dataclass
class ProgrammingSession:
    port: PumpPort
    model: PumpModel
    library: DrugLibrary
    policy: Policy
    patient: Patient
    catheter: Catheter
    user: str
    started_s: float
    history: tuple[DoseChange, ...] = ()
    first_fill: bool = False
    stopped_since_s: float | None = None  # delivery stopped then (the pump's log)
    before: Interrogation | None = None
    proposal: Proposal | None = None
    status: SessionStatus = SessionStatus.OPEN
    after_digest: str | None = None  # the program the pump reported at read-back
    log: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        port: PumpPort,
        model: PumpModel,
        library: DrugLibrary,
        policy: Policy,
        patient: Patient,
        catheter: Catheter,
        user: str,
        now_s: float,
        **options: Any,
    ) -> ProgrammingSession:
        session = cls(port, model, library, policy, patient, catheter, user, now_s, **options)
        session.before = port.interrogate(now_s)  # nothing is proposed blind
        session.stopped_since_s = earliest_stop(session.stopped_since_s, session.before)
        session._note(now_s, "interrogated", digest=session.before.program_digest)
        return session

    def _note(self, at_s: float, what: str, **details: Any) -> None:
        self.log.append({"t": at_s, "event": what, **details})

    def _current(self) -> Program | None:
        return self.before.program if self.before is not None else None

    def propose(
        self,
        program: Program,
        now_s: float,
        bridge_duration_s: float | None = None,
        temporary_s: float | None = None,
    ) -> Proposal:
        """Check `program` against every rule. A new proposal voids earlier
        acknowledgements, verification and confirmation: they were for other values."""
        self._require_open()
        ctx = ProgramProposal(
            program,
            self._current(),
            self.model,
            self.library,
            self.policy,
            self.patient,
            self.catheter,
            now_s,
            self.first_fill,
            self.history,
            bridge_planned=bridge_duration_s is not None,
            interruption_h=interruption_h(self.stopped_since_s, now_s),
            battery_uah_left=battery_left_uah(self.before, self.model),
        )
        before = self.before.program_digest if self.before is not None else None
        kind = "first fill" if self.first_fill else "program"
        self.proposal = program_proposal(ctx, kind, before, bridge_duration_s, temporary_s)
        self._note(
            now_s,
            "proposed",
            digest=program_digest(program),
            review=self.proposal.digest,
            findings=[f.code for f in self.proposal.findings],
        )
        return self.proposal

    def propose_bolus(self, bolus: BolusProposal, now_s: float) -> Proposal:
        self._require_open()
        current = self._current()
        if current is None:
            raise InvalidTransition("the pump runs no program: a bolus needs its concentrations")
        found = tuple(
            check_bolus(bolus, current, self.model, self.library, self.policy, self.catheter)
        )
        before = self.before.program_digest if self.before is not None else None
        kind = f"{bolus.kind} bolus"
        self.proposal = Proposal(
            None,
            bolus,
            found,
            [],
            [],
            ("a supervised bolus",) if bolus.supervised else (),
            # what the clinician entered; not the flags derived from the context
            digest=review_digest(
                kind, before, [bolus.volume_ml, bolus.duration_s, bolus.route, bolus.extra_ml]
            ),
        )
        self._note(now_s, "proposed bolus", kind=bolus.kind, findings=[f.code for f in found])
        return self.proposal

    def acknowledge(self, code: str, user: str, reason: str, now_s: float) -> None:
        self._proposal().acknowledge(code, user, reason, now_s)
        self._note(now_s, "acknowledged", code=code, user=user, reason=reason)

    def verify(self, user: str, now_s: float) -> None:
        self._proposal().verify(self.user, user)
        self._note(now_s, "verified", user=user)

    def confirm(self, now_s: float, digest: str) -> None:
        """The clinician has seen the side-by-side diff of the review named by `digest`
        and confirms it (SR-08); any other proposal is refused."""
        self._proposal().confirm(digest)
        self._note(now_s, "confirmed", review=digest)

    def blockers(self) -> list[Finding]:
        """Why commit would refuse now, as findings; empty when it may proceed."""
        return blockers(self._proposal())

    def commit(self, now_s: float) -> SessionRecord:
        """Send the proposal as one command, read it back, and return the record."""
        p = self._proposal()
        self._require_open()
        blockers = self.blockers()
        if blockers:
            self._note(now_s, "commit refused", findings=[f.code for f in blockers])
            raise Refused("commit refused: " + ", ".join(f.code for f in blockers), tuple(blockers))
        try:
            if p.program is not None:
                self.port.apply_program(p.program, now_s, self.library.digest, p.temporary_s)
                send_bridge(self.port, self.model, self.catheter, p.bridge_duration_s, now_s)
            else:
                assert p.bolus is not None
                self.port.start_bolus(p.bolus.kind, p.bolus.volume_ml, p.bolus.duration_s, now_s)
        except LinkError as exc:
            self._note(now_s, "link lost", detail=str(exc))
            return self._read_back(now_s)
        return self._read_back(now_s)

    def _read_back(self, now_s: float) -> SessionRecord:
        p = self._proposal()
        try:
            after = self.port.interrogate(now_s)
        except LinkError:
            self.status = SessionStatus.UNCERTAIN
            return self.record(now_s)
        self.after_digest = after.program_digest
        if p.program is None or after.program_digest == program_digest(p.program):
            self.status = SessionStatus.COMMITTED
            self._note(now_s, "read back", digest=after.program_digest, verified=True)
        else:
            self.status = SessionStatus.INCOMPLETE
            self._note(
                now_s,
                "read back",
                digest=after.program_digest,
                verified=False,
                code="READBACK_MISMATCH",
            )
        return self.record(now_s)

    def record(self, now_s: float) -> SessionRecord:
        """The session record. Asked for before a commit, it closes the session as
        incomplete: the pump keeps the program it had (F19)."""
        if self.status == SessionStatus.OPEN:
            self.status = SessionStatus.INCOMPLETE
            self._note(now_s, "closed without commit")
        p = self.proposal
        findings = list(p.findings) if p else []
        if self.status == SessionStatus.INCOMPLETE:
            findings.append(
                finding(
                    "F19",
                    HARD,
                    "SESSION_INCOMPLETE",
                    "the session did not finish: the pump runs the program it had before; "
                    "re-interrogate and program again",
                )
            )
        if self.status == SessionStatus.UNCERTAIN:
            findings.append(
                finding(
                    "SR-34",
                    HARD,
                    "DELIVERY_UNCERTAIN",
                    "the link dropped and the pump did not answer: do not resend; interrogate "
                    "the pump and reconcile before anything else",
                )
            )
        return {
            "status": self.status,
            "user": self.user,
            "started_s": self.started_s,
            "closed_s": now_s,
            "before_digest": self.before.program_digest if self.before else None,
            "proposed_digest": program_digest(p.program) if p and p.program else None,
            "after_digest": self.after_digest,
            "review_digest": p.digest if p else None,
            "findings": [f.as_dict() for f in findings],
            "acknowledgements": [a.__dict__ for a in p.acknowledgements] if p else [],
            "verified_by": p.verified_by if p else None,
            "diff": [r.__dict__ for r in p.diff] if p else [],
            "doses": [r.__dict__ for r in p.doses] if p else [],
            "log": list(self.log),
        }

    def _proposal(self) -> Proposal:
        if self.proposal is None:
            raise InvalidTransition("nothing has been proposed in this session")
        return self.proposal

    def _require_open(self) -> None:
        if self.status != SessionStatus.OPEN:
            raise InvalidTransition(f"the session is {self.status}; start a new one")
