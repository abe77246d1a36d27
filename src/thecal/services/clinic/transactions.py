"""Programming and refill as single transactions over the programmer sessions.

A web request cannot hold a session open between clicks, so each request replays the
whole session from the pump: interrogate, propose, acknowledge, verify, confirm,
commit. "Check" runs the same steps up to commit and sends nothing. Because the
proposal is rebuilt from the pump every time, an acknowledgement or a second
person's sign-off can only ever apply to the values on the screen when they were
given: if the pump changed in between, the findings change and commit refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.safety import Catheter, DoseChange, Patient, Policy
from thecal.core.therapy.refill import RefillPlan
from thecal.services.ports import PumpPort
from thecal.services.programmer import ProgrammingSession
from thecal.services.proposal import Proposal
from thecal.services.refill import RefillSession


@dataclass(frozen=True)
class Context:
    """What the programmer needs to know besides the pump."""

    model: PumpModel
    library: DrugLibrary
    policy: Policy
    patient: Patient
    catheter: Catheter
    history: tuple[DoseChange, ...] = ()


@dataclass(frozen=True)
class Signoff:
    """The clinician's decisions on the screen: soft findings acknowledged with
    reasons, the second person (already authenticated), and the confirmation."""

    acknowledgements: dict[str, str] = field(default_factory=dict)  # code -> reason
    verifier: str | None = None
    confirmed: bool = False


def program_session(
    port: PumpPort, ctx: Context, user: str, program: Program, now_s: float, signoff: Signoff
) -> tuple[ProgrammingSession, Proposal]:
    session = ProgrammingSession.start(
        port,
        ctx.model,
        ctx.library,
        ctx.policy,
        ctx.patient,
        ctx.catheter,
        user,
        now_s,
        history=ctx.history,
    )
    proposal = session.propose(program, now_s)
    for code, reason in sorted(signoff.acknowledgements.items()):
        if any(f.code == code for f in proposal.findings):
            session.acknowledge(code, user, reason, now_s)
    if signoff.verifier is not None:
        session.verify(signoff.verifier, now_s)
    if signoff.confirmed:
        session.confirm(now_s)
    return session, proposal


def commit_program(
    port: PumpPort, ctx: Context, user: str, program: Program, now_s: float, signoff: Signoff
) -> dict[str, Any]:
    """Commit or raise `Refused` with every blocker; the pump is untouched on refusal."""
    session, _ = program_session(port, ctx, user, program, now_s, signoff)
    return session.commit(now_s)


@dataclass(frozen=True)
class RefillInput:
    add_ml: float
    drugs: tuple[DrugConcentration, ...]
    entered_ml: float | None
    program_after: Program | None
    lot: str
    previous_entered_ml: float | None = None
    due_s: float | None = None


def refill_session(
    port: PumpPort, ctx: Context, user: str, r: RefillInput, now_s: float, verifier: str | None
) -> tuple[RefillSession, RefillPlan]:
    session = RefillSession.start(port, ctx.model, ctx.library, ctx.policy, user, now_s)
    plan = session.propose(
        r.add_ml,
        r.drugs,
        now_s,
        entered_ml=r.entered_ml,
        program_after=r.program_after,
        previous_entered_ml=r.previous_entered_ml,
        due_s=r.due_s,
    )
    if verifier is not None:
        session.verify(verifier, now_s)
    return session, plan
