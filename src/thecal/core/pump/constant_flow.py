"""Constant-flow (gas-driven) pumps: no firmware, no strokes, no alarms (§9).

The propellant's vapour pressure pushes the drug through a fixed restrictor:

    Q = Q_nom * (dP / dP_ref) * (mu_ref / mu(T))
    dP = P_prop(T) - P_ambient,  P_prop(T) = P_prop(37 °C) + dP/dT * (T - 37)
    mu(T) = mu_ref * exp(-k_mu * (T - 37))

so fever and altitude raise the flow and diving lowers it. Flow is piecewise
constant between environment events; delivery is continuous until the reservoir
is empty. The same `step(state, command, now)` shape as the firmware keeps every
caller on one interface.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from thecal.core.errors import InputError, InvalidTransition
from thecal.core.pump import commands as c
from thecal.core.pump.events import Event, event
from thecal.core.pump.models import PumpModel
from thecal.core.pump.path import PathLedger, Vector
from thecal.core.pump.program import DrugConcentration, Program, Step, fixed_rate_problem
from thecal.core.pump.reservoir import refill_event, refill_fluid, refill_refusal
from thecal.core.units import SECONDS_PER_DAY


@dataclass(frozen=True, slots=True)
class FlowState:
    model: PumpModel
    t: float
    body_temp_c: float
    ambient_kpa: float
    bias: float
    occluded: bool
    true_ml: float
    outlet_ml: float
    drug_names: tuple[str, ...]
    reservoir_conc: Vector
    path: PathLedger

    @property
    def shown(self) -> str:
        return "empty" if self.true_ml <= 0.0 else "delivering"

    def tip_drug_mcg(self) -> Vector:
        return self.path.tip_drug(self.outlet_ml, len(self.drug_names))


def flow_ml_per_day(model: PumpModel, body_temp_c: float, ambient_kpa: float) -> float:
    """The restrictor flow at a body temperature and ambient pressure (no bias)."""
    ref_t = model.reference_body_temp_c
    pressure = model.propellant_kpa_37c + model.propellant_kpa_per_c * (body_temp_c - ref_t)
    reference_dp = model.propellant_kpa_37c - model.reference_ambient_kpa
    dp = max(0.0, pressure - ambient_kpa)
    viscosity_ratio = math.exp(model.viscosity_frac_per_c * (body_temp_c - ref_t))  # mu_ref / mu
    return model.nominal_rate_ml_day * (dp / reference_dp) * viscosity_ratio


def initial_flow_state(
    model: PumpModel,
    program: Program,
    fill_ml: float,
    catheter_volume_ml: float,
    catheter_initial: str = "drug",
    start_s: float = 0.0,
) -> FlowState:
    names = tuple(d.name for d in program.drugs)
    conc: Vector = tuple(d.concentration_mcg_per_ml for d in program.drugs)
    catheter: Vector = conc if catheter_initial == "drug" else (0.0,) * len(conc)
    return FlowState(
        model=model,
        t=start_s,
        body_temp_c=model.reference_body_temp_c,
        ambient_kpa=model.reference_ambient_kpa,
        bias=0.0,
        occluded=False,
        true_ml=fill_ml,
        outlet_ml=0.0,
        drug_names=names,
        reservoir_conc=conc,
        path=PathLedger.initial(model.pump_tubing_ml + catheter_volume_ml, catheter, conc),
    )


def effective_program(model: PumpModel, drugs: tuple[DrugConcentration, ...]) -> Program:
    """What a constant-flow pump delivers as a program: its drugs at the nominal flow
    (37 °C, sea level) every hour of the day, with no alarm and no bolus. The clinic's
    doses, refill dates and records read it like any other program."""
    rate = model.nominal_rate_ml_day / SECONDS_PER_DAY
    return Program(drugs, (Step(0.0, rate_ml_per_s=rate),), low_reservoir_alarm_ml=0.0)


def delivered_by(model: PumpModel, sent: Program, path: str) -> Program:
    """What a pump delivers when it is sent `sent`, the one answer for an implant, a
    transfer in and a refill: a programmable pump runs it as sent; a constant-flow pump
    takes only its drugs and gives them at its fixed flow. A rate, schedule or bolus
    cannot be given to it and is refused by `path`, never dropped: its concentration is
    its only dose setting."""
    if model.programmable:
        return sent
    fixed = fixed_rate_problem(model, sent, path)
    if fixed is not None:
        raise InputError("refused", [fixed])
    return effective_program(model, sent.drugs)


def sent_for(model: PumpModel, delivered: Program) -> Program:
    """What the pump is sent for a proposal of what it delivers: a constant-flow pump
    proposed at its own flow (`delivered_by`) is sent only its drugs, so the pump's own
    rules (PUMP-3) judge what it really receives; anything else is sent as it is."""
    if not model.programmable and delivered == effective_program(model, delivered.drugs):
        return Program(delivered.drugs, ())
    return delivered


def fixed_daily_dose_mcg(model: PumpModel, concentration_mcg_per_ml: float) -> float:
    """The dose a constant-flow pump gives a day at its nominal flow: the
    concentration alone sets it."""
    return model.nominal_rate_ml_day * concentration_mcg_per_ml


def concentration_for(model: PumpModel, dose_mcg_per_day: float) -> float:
    """The concentration (mcg/mL) that gives `dose_mcg_per_day` at the nominal flow."""
    return dose_mcg_per_day / model.nominal_rate_ml_day


def rate_ml_per_s(s: FlowState) -> float:
    if s.occluded:
        return 0.0
    return flow_ml_per_day(s.model, s.body_temp_c, s.ambient_kpa) * (1.0 + s.bias) / SECONDS_PER_DAY


def advance(s: FlowState, now: float) -> FlowState:
    moved = min(s.true_ml, rate_ml_per_s(s) * (now - s.t))
    return replace(s, t=now, true_ml=s.true_ml - moved, outlet_ml=s.outlet_ml + moved)


def step(s: FlowState, command: c.Command, now: float) -> tuple[FlowState, list[Event]]:
    if now < s.t:
        raise InvalidTransition(f"time runs forwards: now={now} is before the pump's t={s.t}")
    s = advance(s, now)
    if isinstance(command, c.Environment):
        return replace(
            s,
            body_temp_c=s.body_temp_c if command.body_temp_c is None else command.body_temp_c,
            ambient_kpa=s.ambient_kpa if command.ambient_kpa is None else command.ambient_kpa,
        ), []
    if isinstance(command, c.Fault) and command.fault == "bias":
        return replace(s, bias=command.value), []
    if isinstance(command, c.Fault) and command.fault in ("occlusion", "occlusion_cleared"):
        return replace(s, occluded=command.fault == "occlusion"), []
    if isinstance(command, c.Refill):
        return _refill(s, command)
    return s, []  # MRI has no effect; the scenario loader refuses firmware commands


def _refill(s: FlowState, cmd: c.Refill) -> tuple[FlowState, list[Event]]:
    refusal = refill_refusal(s.model, s.true_ml, cmd.add_ml, cmd.pocket_fill_ml)
    if refusal is not None:
        return s, [event(s.t, "refill", result="refused", reason=refusal)]
    fluid = refill_fluid(
        s.model, s.true_ml, s.drug_names, s.reservoir_conc, s.path, s.outlet_ml, cmd
    )
    after = replace(
        s,
        drug_names=fluid.drug_names,
        reservoir_conc=fluid.reservoir_conc,
        true_ml=fluid.true_ml,
        path=fluid.path,
    )
    return after, [refill_event(s.t, cmd, fluid)]
