"""What the clinic hands the programmer sessions: the patient's context, and the
sessions started from the pump (the gate, gate.py, signs and commits them)."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.safety import Catheter, DoseChange, Patient, Policy
from thecal.core.therapy.refill import RefillPlan, naive_fill
from thecal.services.clinic.outlook import booking_limit
from thecal.services.ports import PumpPort
from thecal.services.programmer import ProgrammingSession
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
    stopped_since_s: float | None = None  # the pump has delivered nothing since (its log)


def program_session(port: PumpPort, ctx: Context, user: str, now_s: float) -> ProgrammingSession:
    """Interrogate the pump: a session that can propose a program or a bolus."""
    return ProgrammingSession.start(
        port, ctx.model, ctx.library, ctx.policy, ctx.patient, ctx.catheter, user, now_s,
        history=ctx.history, stopped_since_s=ctx.stopped_since_s,
    )  # fmt: skip


@dataclass(frozen=True)
class RefillInput:
    add_ml: float
    drugs: tuple[DrugConcentration, ...]
    entered_ml: float | None
    program_after: Program | None
    lot: str
    previous_entered_ml: float | None = None
    due_s: float | None = None
    bridge_duration_s: float | None = None  # at a concentration change (DD-07)
    diluted: bool | None = None  # as the pharmacy labelled the fluid (stability, [E4])


def refill_session(
    port: PumpPort, ctx: Context, user: str, r: RefillInput, now_s: float
) -> tuple[RefillSession, RefillPlan]:
    """Interrogate the pump and plan the refill, with the programming rules on any new
    program in the patient's context."""
    session = RefillSession.start(
        port, ctx.model, ctx.library, ctx.policy, user, now_s,
        patient=ctx.patient, catheter=ctx.catheter, history=ctx.history,
        stopped_since_s=ctx.stopped_since_s,
    )  # fmt: skip
    assert session.before is not None  # start interrogated the pump
    limit_s, limit_reason = booking_limit(session.before, ctx.model)
    held = session.before.program.drugs if session.before.program is not None else ()
    plan = session.propose(
        r.add_ml,
        r.drugs,
        now_s,
        entered_ml=r.entered_ml,
        program_after=r.program_after,
        lot=r.lot,
        bridge_duration_s=r.bridge_duration_s,
        previous_entered_ml=r.previous_entered_ml,
        due_s=r.due_s,
        diluted=r.diluted,
        elective_replacement_s=limit_s,
        elective_replacement_reason=limit_reason,
        # a drug new to this pump with a first-fill limit (ziconotide: 14 days)
        naive_pump_first_fill=naive_fill(held, r.drugs, ctx.library),
    )
    return session, plan
