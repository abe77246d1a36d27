"""The programmable pump's firmware: `step(state, command, now) -> (state, events)`.

Pure and total: the same state, command and time always give the same answer; a
command the pump refuses changes nothing and is logged with its reason. The
emulator process, the clinic and the simulator all drive this one function.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Any

from thecal.core.drugs import DrugLibrary
from thecal.core.errors import InputError, InvalidTransition, Problem
from thecal.core.pump import commands as c
from thecal.core.pump.advance import advance, next_midnight, settle
from thecal.core.pump.alarm_system import table
from thecal.core.pump.answer_log import AnswerLog
from thecal.core.pump.demand_answers import demand_event
from thecal.core.pump.demand_rule import demand_denial, demand_dose_mcg
from thecal.core.pump.demand_run import answer_run
from thecal.core.pump.events import Event, event
from thecal.core.pump.models import VALVE_GATED, PumpModel
from thecal.core.pump.monitor import bolus_violations, library_mismatch, program_violations
from thecal.core.pump.path import PathLedger, Vector
from thecal.core.pump.program import Program, compile_program, validate_program
from thecal.core.pump.reservoir import refill_event, refill_fluid, refill_refusal
from thecal.core.pump.state import (
    DELIVERING,
    NO_DOSE_YET,
    NOT_YET,
    DemandVerdict,
    PumpState,
    RunningBolus,
)
from thecal.core.pump.timers import acknowledge, run_self_test, silence
from thecal.core.pump.timers import anchor as _anchor
from thecal.core.units import SECONDS_PER_DAY


def initial_state(
    model: PumpModel,
    library: DrugLibrary,
    program: Program,
    fill_ml: float,
    entered_ml: float | None,
    catheter_volume_ml: float,
    catheter_initial: str = "drug",
    start_s: float = 0.0,
) -> tuple[PumpState, list[Event]]:
    """A pump filled with the program's drugs, the program applied at `start_s` (0 in a
    scenario; the implant time on the clinic's clock)."""
    problems = validate_program(program, model, library)
    problems += [Problem("program", why) for why in program_violations(program, library)]
    if problems:
        raise InputError("the initial program is refused", problems)
    names = tuple(d.name for d in program.drugs)
    conc: Vector = tuple(d.concentration_mcg_per_ml for d in program.drugs)
    catheter: Vector = conc if catheter_initial == "drug" else (0.0,) * len(conc)
    path_ml = model.pump_tubing_ml + catheter_volume_ml
    blank = PumpState(
        model=model,
        library=library,
        t=start_s,
        program=None,
        anchor_s=_anchor(start_s),
        v_cmd_ml=0.0,
        strokes=0,
        estimate_base_ml=fill_ml if entered_ml is None else entered_ml,
        estimate_base_strokes=0,
        true_ml=fill_ml,
        outlet_ml=0.0,
        bias=0.0,
        occluded=False,
        drug_names=names,
        reservoir_conc=conc,
        path=PathLedger.initial(path_ml, catheter, conc),
        suspended=False,
        stall_causes=frozenset(),
        mri_stall_until=0.0,
        valve_closed=False,
        charge_uah=model.battery_uah,
        daily_charge_uah=(model.battery_uah,),
        samples_from_t=start_s,
        peak_rate_ml_per_s=0.0,
        eri=False,
        eos=False,
        boluses=(),
        lockout_from_t=NO_DOSE_YET,
        grants=(),
        answers=AnswerLog(),
    ).with_levels()
    applied = blank.changed(program=compile_program(program), anchor_s=_anchor(start_s))
    # Alarms already true at t = 0 (a fill at or below the threshold) are logged;
    # the state shown at the start is not a change.
    _, logged = settle(blank, applied)
    return applied, [e for e in logged if e.kind == "alarm"]


def step(s: PumpState, command: c.Command, now: float) -> tuple[PumpState, list[Event]]:
    if now < s.t:
        raise InvalidTransition(f"time runs forwards: now={now} is before the pump's t={s.t}")
    s, out = advance(s, now)
    handler = _HANDLERS.get(type(command))
    if handler is not None:
        s, logged = handler(s, command)
        out.extend(logged)
    return s, out


def run(s: PumpState, commands: Sequence[tuple[float, c.Command]]) -> tuple[PumpState, list[Event]]:
    """`step` folded over timed commands, in order: the same state and the same events.
    Consecutive demand requests go through one pass where the stretch is provably
    quiet (demand_run), so a run of them costs neither a state nor a window each."""
    out: list[Event] = []
    i, n = 0, len(commands)
    while i < n:
        j = i
        while j < n and type(commands[j][1]) is c.DemandRequest:
            j += 1
        if j - i >= 2:
            s = _demand_run(s, commands[i:j], out)
            i = j
            continue
        s, logged = step(s, commands[i][1], commands[i][0])
        out.extend(logged)
        i += 1
    return s, out


def _demand_run(
    s: PumpState, commands: Sequence[tuple[float, c.Command]], out: list[Event]
) -> PumpState:
    """A run of demand requests: in one pass if it is quiet as a whole; if not, day by
    day (near ERI the battery is checked only at midnights, so a day may be quiet when
    the run is not), stepping the requests from each midnight's check on to the next
    day's. Every request is looked at a bounded number of times."""
    requests = [(t, cmd.id) for t, cmd in commands if isinstance(cmd, c.DemandRequest)]
    answered = answer_run(s, requests)
    if answered is not None:
        out.extend(answered[1])
        return answered[0]
    k, m = 0, len(requests)
    while k < m:
        before = bisect_left(requests, next_midnight(s.t), lo=k, key=_time)
        if before - k >= 2:
            answered = answer_run(s, requests[k:before])
            if answered is not None:
                s = answered[0]
                out.extend(answered[1])
                k = before
                continue
        for t, cmd in commands[k : min(before + 1, m)]:  # through the next midnight
            s, logged = step(s, cmd, t)
            out.extend(logged)
        k = min(before + 1, m)
    return s


def _time(request: tuple[float, str]) -> float:
    return request[0]


def _changed(
    before: PumpState, after: PumpState, extra: list[Event] | None = None
) -> tuple[PumpState, list[Event]]:
    after, logged = settle(before, after)
    return after, (extra or []) + logged


def _apply_program(s: PumpState, cmd: c.ApplyProgram) -> tuple[PumpState, list[Event]]:
    reasons = [f"{p.path}: {p.message}" for p in validate_program(cmd.program, s.model, s.library)]
    reasons += library_mismatch(cmd.library_digest, s.library)
    reasons += program_violations(cmd.program, s.library)  # the pump's own monitor (SR-41)
    if s.eos:
        reasons.append("end_of_service: the pump has reached end of service")
    reasons += _temporary_refusal(s, cmd.temporary_s)
    if reasons:
        return s, [event(s.t, "program", result="refused", reasons=reasons)]
    # the lockout counts doses given: a new program starts none (SR-06). Writing a program
    # rewrites its memory: a program CRC fault is gone (the other checks stand).
    after = s.changed(
        program=compile_program(cmd.program),
        anchor_s=_anchor(s.t),
        corrupt=s.corrupt - {"program_crc"},
        self_test_failed=s.self_test_failed - {"program_crc"},
    )
    if cmd.temporary_s is None:
        after = after.changed(base_program=None, temporary_until=NOT_YET)
    else:  # a temporary program over a temporary one keeps the first one's base
        base = s.base_program if s.base_program is not None else s.program
        after = after.changed(base_program=base, temporary_until=s.t + cmd.temporary_s)
    extra = [] if cmd.temporary_s is None else [
        event(s.t, "program", result="temporary", until=s.t + cmd.temporary_s)
    ]  # fmt: skip
    return _changed(s, after, extra)


def _temporary_refusal(s: PumpState, temporary_s: float | None) -> list[str]:
    if temporary_s is None:
        return []
    longest = table(s).temporary_max_s
    if not 0.0 < temporary_s <= longest:
        return [f"temporary_s: {temporary_s:g} s, from above 0 to {longest:g} s (SR-36)"]
    if s.program is None:
        return ["temporary_s: a temporary program needs a base program to revert to"]
    return []


def _demand(s: PumpState, cmd: c.DemandRequest) -> tuple[PumpState, list[Event]]:
    known = s.answers.get(cmd.id)
    if known is not None:
        return s, [demand_event(s.t, cmd.id, known)]
    reason = demand_denial(s)
    if reason is not None:
        answer = DemandVerdict("denied", reason)
        return s.changed(answers=s.answers.add(cmd.id, answer)), [
            demand_event(s.t, cmd.id, answer)
        ]
    program = s.program
    assert program is not None
    t, volume, rate = s.t, program.demand_volume_ml, program.demand_rate_ml_per_s
    bolus = RunningBolus("demand", rate, t, t + volume / rate, volume)
    # at most max_per_24h grants are ever inside the window, so this tuple stays that short
    dose = demand_dose_mcg(s)
    kept = [(g, m) for g, m in zip(s.grants, s.grant_doses_mcg(dose), strict=True)
            if g > t - SECONDS_PER_DAY]  # fmt: skip
    after = s.changed(
        answers=s.answers.add(cmd.id, _GRANTED),
        boluses=s.boluses + (bolus,),
        grants=tuple(g for g, _ in kept) + (t,),
        grant_mcg=tuple(m for _, m in kept) + (dose,),
        lockout_from_t=t,
    )
    return after, [
        demand_event(t, cmd.id, _GRANTED),
        event(t, "bolus", bolus="demand", phase="start", programmed_ml=volume),
    ]


_GRANTED = DemandVerdict("granted", None)


def _refill(s: PumpState, cmd: c.Refill) -> tuple[PumpState, list[Event]]:
    model = s.model
    refusal = refill_refusal(model, s.true_ml, cmd.add_ml, cmd.pocket_fill_ml)
    if refusal is not None:
        return s, [event(s.t, "refill", result="refused", reason=refusal)]
    fluid = refill_fluid(model, s.true_ml, s.drug_names, s.reservoir_conc, s.path, s.outlet_ml, cmd)
    after = s.changed(
        drug_names=fluid.drug_names,
        reservoir_conc=fluid.reservoir_conc,
        true_ml=fluid.true_ml,
        estimate_base_ml=fluid.true_ml if cmd.entered_ml is None else cmd.entered_ml,
        estimate_base_strokes=s.strokes,
        path=fluid.path,
    )
    logged = refill_event(s.t, cmd, fluid)
    return _changed(s, after, [logged])


def _bolus(s: PumpState, cmd: c.StartBolus) -> tuple[PumpState, list[Event]]:
    if s.shown != DELIVERING or s.program is None:
        return s, [event(s.t, "bolus", bolus=cmd.kind, result="refused", reason="not_delivering")]
    if any(b.kind != "demand" for b in s.boluses):
        return s, [event(s.t, "bolus", bolus=cmd.kind, result="refused", reason="bolus_running")]
    refused = bolus_violations(cmd.kind, cmd.amount, s.program.program, s.library)
    if refused:  # the pump's own monitor (SR-41)
        return s, [event(s.t, "bolus", bolus=cmd.kind, result="refused", reason="; ".join(refused))]
    volume = cmd.amount.volume_ml(s.program.program.primary_mcg_per_ml)
    bolus = RunningBolus(cmd.kind, volume / cmd.duration_s, s.t, s.t + cmd.duration_s, volume)
    return s.changed(boluses=s.boluses + (bolus,)), [
        event(s.t, "bolus", bolus=cmd.kind, phase="start", programmed_ml=volume)
    ]


def _suspend(s: PumpState, _: c.Suspend) -> tuple[PumpState, list[Event]]:
    return (s, []) if s.suspended else _changed(s, s.changed(suspended=True))


def _resume(s: PumpState, _: c.Resume) -> tuple[PumpState, list[Event]]:
    return _changed(s, s.changed(suspended=False)) if s.suspended else (s, [])


def _fault(s: PumpState, cmd: c.Fault) -> tuple[PumpState, list[Event]]:
    if cmd.fault in c.SELF_TEST_FAULTS:  # found by the next check, not at once
        return s.changed(corrupt=s.corrupt | {cmd.fault}), []
    if cmd.fault == "bias":
        return s.changed(bias=cmd.value), []
    if cmd.fault in ("occlusion", "occlusion_cleared"):
        return s.changed(occluded=cmd.fault == "occlusion"), []
    if cmd.fault in c.VALVE_FAULTS:
        # A metering valve stuck open lets the reservoir's pressure drive flow: the
        # flow-activated safety valve trips as it does in MRI. A pump without a valve
        # (peristaltic: the rollers always pinch the tube; constant-flow: a fixed
        # restrictor) has nothing to stick (docs/alarms.md, SR-20).
        return _trip_flow_valve(s) if s.model.kind == VALVE_GATED else (s, [])
    causes = s.stall_causes | {"fault"} if cmd.fault == "stall" else s.stall_causes - {"fault"}
    return _changed(s, s.changed(stall_causes=causes)) if causes != s.stall_causes else (s, [])


def _trip_flow_valve(s: PumpState) -> tuple[PumpState, list[Event]]:
    """The flow-activated valve lets up to mri_valve_leak_ul through before it closes
    (unmetered, so the estimate does not see it); delivery stops with the high
    VALVE_CLOSED alarm until a clinician resets the valve."""
    if s.valve_closed or s.eos:
        return s, []
    leak = 0.0 if s.occluded else min(s.true_ml, s.model.mri_valve_leak_ul / 1000.0)
    after = s.changed(valve_closed=True, true_ml=s.true_ml - leak, outlet_ml=s.outlet_ml + leak)
    return _changed(s, after)


def _mri(s: PumpState, cmd: c.MriExposure) -> tuple[PumpState, list[Event]]:
    if s.model.kind == VALVE_GATED:
        return _trip_flow_valve(s)
    until = max(s.mri_stall_until, s.t + cmd.duration_s + cmd.recovery_s)
    if until <= s.t:
        return s, []
    return _changed(s, s.changed(stall_causes=s.stall_causes | {"mri"}, mri_stall_until=until))


def _valve_reset(s: PumpState, _: c.ValveReset) -> tuple[PumpState, list[Event]]:
    return _changed(s, s.changed(valve_closed=False)) if s.valve_closed else (s, [])


def _telemetry(s: PumpState, _: c.TelemetrySession) -> tuple[PumpState, list[Event]]:
    """The session's charge; a battery it empties reaches end of service now."""
    if s.eos or s.model.battery_uah <= 0:
        return s, []
    charge = s.charge_uah - s.model.uah_per_telemetry_session
    if charge > 0.0:
        return s.changed(charge_uah=charge), []
    return _changed(s, s.changed(charge_uah=0.0, eos=True))


def _self_test(s: PumpState, _: c.SelfTest) -> tuple[PumpState, list[Event]]:
    after = run_self_test(s)
    return _changed(s, after, [event(s.t, "self_test", failed=sorted(after.self_test_failed))])


def _silence(s: PumpState, cmd: c.SilenceAlarm) -> tuple[PumpState, list[Event]]:
    return silence(s, cmd.code, cmd.duration_s)


def _acknowledge(s: PumpState, cmd: c.AcknowledgeAlarm) -> tuple[PumpState, list[Event]]:
    return acknowledge(s, cmd.code)


_HANDLERS: dict[type, Callable[[PumpState, Any], tuple[PumpState, list[Event]]]] = {
    c.ApplyProgram: _apply_program,
    c.DemandRequest: _demand,
    c.Refill: _refill,
    c.StartBolus: _bolus,
    c.Suspend: _suspend,
    c.Resume: _resume,
    c.Fault: _fault,
    c.MriExposure: _mri,
    c.ValveReset: _valve_reset,
    c.TelemetrySession: _telemetry,
    c.SelfTest: _self_test,
    c.SilenceAlarm: _silence,
    c.AcknowledgeAlarm: _acknowledge,
}
