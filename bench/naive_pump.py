"""A naive stroke-by-stroke pump: the baseline for bench/delivery.py and an independent
reference for the engine's stroke counts in the tests.

It walks forward one stroke at a time, re-reading the rate at every step, exactly as
a first implementation would. It covers what the benchmark needs: a programmable
pump with a cyclic schedule (steps and periodic boluses), programs, demand requests
(lockout, max per 24 h, reservoir), refills and the low/empty reservoir levels. No
faults, MRI, suspend or battery.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from thecal.core.pump import commands as c
from thecal.core.pump.program import CompiledProgram, compile_program
from thecal.core.pump.state import STROKE_EPS
from thecal.core.scenario import Scenario

DAY = 86_400.0


@dataclass
class NaiveResult:
    strokes_at: list[int] = field(default_factory=list)  # at each day boundary
    demand: list[tuple[str, str]] = field(default_factory=list)
    low_onset_t: list[float] = field(default_factory=list)
    strokes: int = 0


def _rate(program: CompiledProgram, anchor: float, t: float) -> tuple[float, float]:
    """Scheduled rate at t and the next time it may change."""
    sched = program.schedule
    x = t - anchor
    cycles = int(x // sched.cycle_s)
    pos = x - cycles * sched.cycle_s
    i = bisect_right(sched.breaks_s, pos) - 1
    i = min(i, len(sched.rates_ml_per_s) - 1)
    return sched.rates_ml_per_s[i], anchor + cycles * sched.cycle_s + sched.breaks_s[i + 1]


def run_naive(scenario: Scenario) -> NaiveResult:
    stroke = scenario.model.stroke_ml
    program = compile_program(scenario.program)
    anchor, t, v, n = 0.0, 0.0, 0.0, 0
    estimate = scenario.fill_ml if scenario.entered_ml is None else scenario.entered_ml
    lockout_from, grants, answers = float("-inf"), [], {}  # no dose given yet
    boluses: list[tuple[float, float]] = []  # (end time, rate)
    eps = STROKE_EPS * stroke  # a level counts as reached within this (as in the engine)
    low_active = estimate <= program.low_reservoir_alarm_ml + eps
    empty = estimate <= eps
    out = NaiveResult()
    boundaries = [d * DAY for d in range(1, int(-(-scenario.duration_s // DAY)))] + [
        scenario.duration_s
    ]
    pending = list(scenario.events)
    bi = ei = 0
    while bi < len(boundaries):
        sched_rate, next_change = _rate(program, anchor, t)
        rate = 0.0 if empty else sched_rate + sum(r for _, r in boluses)
        horizon = min(
            next_change,
            boundaries[bi],
            pending[ei].t_s if ei < len(pending) else 1e300,
            min((e for e, _ in boluses), default=1e300),
        )
        need = (n + 1 - STROKE_EPS) * stroke - v  # due within STROKE_EPS, as in the engine
        if rate > 0 and t + need / rate <= horizon:
            t += need / rate
            v += need
            n += 1
            estimate -= stroke
            if not low_active and estimate <= program.low_reservoir_alarm_ml + eps:
                low_active = True
                out.low_onset_t.append(t)
            if estimate <= eps:
                empty = True
                boluses = []
            continue
        v += rate * (horizon - t)
        t = horizon
        boluses = [(e, r) for e, r in boluses if e > t]
        if t == boundaries[bi] and not (ei < len(pending) and pending[ei].t_s == t):
            out.strokes_at.append(n)
            bi += 1
        while ei < len(pending) and pending[ei].t_s == t:
            cmd = pending[ei].command
            ei += 1
            if isinstance(cmd, c.ApplyProgram):
                program, anchor = compile_program(cmd.program), (t // DAY) * DAY
                low_active = estimate <= program.low_reservoir_alarm_ml + eps
            elif isinstance(cmd, c.Refill):
                if cmd.entered_ml is None:  # the default is the true volume, not tracked here
                    raise ValueError("the naive pump needs entered_ml on every refill")
                estimate = cmd.entered_ml
                low_active = estimate <= program.low_reservoir_alarm_ml + eps
                empty = estimate <= eps
                if empty:  # the pump stops: a running bolus ends, never made up
                    boluses = []
            elif isinstance(cmd, c.DemandRequest):
                if cmd.id in answers:
                    out.demand.append((cmd.id, answers[cmd.id]))
                    continue
                d = program.program.demand_bolus
                grants = [g for g in grants if g > t - DAY]
                if d is None:
                    result = "not_enabled"
                elif empty:
                    result = "not_delivering"
                elif t - lockout_from < d.lockout_s:
                    result = "lockout"
                elif len(grants) >= d.max_per_24h:
                    result = "max_per_24h"
                elif estimate < program.demand_volume_ml + program.low_reservoir_alarm_ml:
                    result = "insufficient_reservoir"
                else:
                    result = "granted"
                    grants.append(t)
                    lockout_from = t
                    boluses.append((t + d.duration_s, program.demand_rate_ml_per_s))
                answers[cmd.id] = result
                out.demand.append((cmd.id, result))
        if bi < len(boundaries) and t == boundaries[bi]:
            out.strokes_at.append(n)
            bi += 1
    out.strokes = n
    return out
