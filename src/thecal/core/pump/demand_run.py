"""A run of demand requests answered in one pass, equal to stepping them one by one.

Stepping a request costs a new frozen state, a re-derivation of the state shown and
a rebuilt window of grants, even though a request changes almost nothing: where the
pump is plainly delivering and nothing else can happen (no threshold stroke, no
battery check, no stall), the only things that vary over a run of requests are the
lockout, the 24-hour window and the demand boluses starting and ending. This pass
keeps those in plain locals (the window as a sorted list with a moving start, so a
count is one binary search), logs exactly the events `step` would log, and builds
one state at the end: the counters in closed form over the whole stretch.

It answers only where it can prove the stretch quiet; otherwise it returns None and
the caller steps the requests one by one. tests/property/test_demand_run.py holds it
to folding `step` over random runs, including the ones it declines.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import pairwise

from thecal.core.pump.advance import next_midnight
from thecal.core.pump.alarm_system import next_timer_t, timers_running
from thecal.core.pump.demand_answers import (
    Requests,
    demand_event,
    refused_after_end_of_service,
)
from thecal.core.pump.demand_rule import (
    LOCKOUT,
    MAX_PER_24H,
    in_lockout,
    window_from,
    window_full,
)
from thecal.core.pump.events import Event
from thecal.core.pump.state import DELIVERING, STROKE_EPS, DemandVerdict, PumpState, RunningBolus
from thecal.core.units import SECONDS_PER_DAY

_GRANTED = DemandVerdict("granted", None)
_LOCKOUT = DemandVerdict("denied", LOCKOUT)
_MAX_PER_24H = DemandVerdict("denied", MAX_PER_24H)


def answer_run(s: PumpState, requests: Requests) -> tuple[PumpState, list[Event]] | None:
    """The state and events after `requests`, or None where the run is not provably quiet."""
    if not requests:
        return None
    t0, t_last = s.t, requests[-1][0]
    times = [t for t, _ in requests]
    if times[0] < t0 or any(a > b for a, b in pairwise(times)):
        return None  # time running backwards: step raises at the right request
    if s.eos:
        return refused_after_end_of_service(s, requests)
    program = s.program
    if program is None or program.program.demand_bolus is None:
        return None
    if program.program.demand_bolus.max_mcg_per_24h is not None:
        return None  # a dose window: step the requests (firmware._demand holds it)
    if s.shown != DELIVERING or not s.demand_fluid_ok:
        return None
    volume, rate = program.demand_volume_ml, program.demand_rate_ml_per_s
    schedule, anchor = program.schedule, s.anchor_s
    scheduled_ml = max(0.0, schedule.volume_to(t_last - anchor) - schedule.volume_to(t0 - anchor))
    # Every stroke the stretch could issue: the schedule, what running boluses have
    # left, and every request granted in full.
    running_left_ml = sum(b.programmed_ml for b in s.boluses)
    v_bound = s.v_cmd_ml + scheduled_ml + running_left_ml + _most_grants(s, requests) * volume
    n_bound = max(s.strokes, math.floor(v_bound / s.stroke_ml + STROKE_EPS))
    if not _quiet(s, t_last, n_bound, volume, rate):
        return None
    return _answer(s, requests, scheduled_ml)


def _most_grants(s: PumpState, requests: Requests) -> int:
    """No more requests can be granted than there are, than one per lockout, or than
    max_per_24h in each day the run spans."""
    assert s.program is not None and s.program.program.demand_bolus is not None
    demand = s.program.program.demand_bolus
    span_s = requests[-1][0] - s.t
    by_day = demand.max_per_24h * (math.floor(span_s / SECONDS_PER_DAY) + 2)
    lockout_s = demand.lockout_s
    by_lockout = math.floor(span_s / lockout_s) + 1 if lockout_s > 0 else len(requests)
    return min(len(requests), by_day, by_lockout)


def _quiet(s: PumpState, t_last: float, n_bound: int, volume: float, rate: float) -> bool:
    """Nothing but demand answers and bolus ends can happen up to t_last, even if every
    request were granted: no threshold stroke, the reservoir never short for a demand
    bolus, no fluid run out, and the battery far from every check."""
    program = s.program
    assert program is not None
    if timers_running(s) and next_timer_t(s) <= t_last:
        return False  # a temporary program ends, a silence ends or a self-test runs
    if n_bound >= s.empty_at_stroke or n_bound >= s.low_at_stroke:
        return False
    lowest_estimate = s.estimate_base_ml - s.stroke_ml * (n_bound - s.estimate_base_strokes)
    if lowest_estimate < volume + program.low_reservoir_alarm_ml:
        return False  # some request might be denied for the reservoir: step them
    dn = n_bound - s.strokes
    if not s.occluded and dn * s.stroke_ml * (1.0 + s.bias) > s.true_ml:
        return False
    model = s.model
    if model.battery_uah <= 0:
        return True
    lowest_charge = (
        s.charge_uah
        - model.baseline_ua * (t_last - s.t) / 3600.0
        - model.uah_per_stroke * dn
    )
    if s.eri or t_last < next_midnight(s.t):
        return lowest_charge > 0.0  # no midnight battery check before t_last: only the end
    # Below this charge a midnight battery check could run (advance._eri_watch_uah);
    # the peak rate as high as every request's bolus could make it.
    demand = program.program.demand_bolus
    assert demand is not None
    lockout_s = demand.lockout_s
    at_once = 1 + (math.floor((volume / rate) / lockout_s) if lockout_s > 0 else 10**6)
    peak = max(
        s.peak_rate_ml_per_s,
        program.schedule.max_rate_ml_per_s + s.bolus_rate_ml_per_s() + rate * at_once,
    )
    rate_bound = max(model.max_rate_ml_day / SECONDS_PER_DAY, peak)
    day_bound = model.baseline_ua * SECONDS_PER_DAY / 3600.0 + (
        model.uah_per_stroke * rate_bound * SECONDS_PER_DAY / model.stroke_ml
    )
    return lowest_charge > (model.eri_days + model.eri_window_days) * day_bound


def _answer(
    s: PumpState, requests: Requests, scheduled_ml: float
) -> tuple[PumpState, list[Event]]:
    """The loop, in locals only. The boluses this run grants are kept as start times
    (they share one volume, rate and duration, so they end in the order they start);
    the boluses already running when it starts (`carried`) are few and kept whole."""
    program = s.program
    assert program is not None
    demand = program.program.demand_bolus
    assert demand is not None
    volume, rate = program.demand_volume_ml, program.demand_rate_ml_per_s
    duration = volume / rate
    lockout_s, max_per_24h = demand.lockout_s, demand.max_per_24h
    max_rate = program.schedule.max_rate_ml_per_s
    start_fields = (("bolus", "demand"), ("phase", "start"), ("programmed_ml", volume))
    end_fields = (*start_fields[:1], ("phase", "end"), *start_fields[2:], ("delivered_ml", volume))
    known_get = s.answers.known([request_id for _, request_id in requests]).get
    new: dict[str, DemandVerdict] = {}
    new_get = new.get
    grants = list(s.grants)
    window_start = 0
    lockout_from = s.lockout_from_t
    carried = list(s.boluses)
    starts: list[float] = []  # this run's grants' boluses; starts[:ended] have ended
    ended = 0
    peak = s.peak_rate_ml_per_s
    out: list[Event] = []
    append = out.append
    make = tuple.__new__  # Event(...) without NamedTuple's Python-level __new__: 40 % less
    t_prev = s.t
    for t, request_id in requests:
        if t > t_prev:  # advance to t: the stretch's peak rate, then the boluses that end
            if carried or ended < len(starts):
                extra = 0.0
                for b in carried:
                    extra += b.rate_ml_per_s
                for _ in range(len(starts) - ended):
                    extra += rate
                if max_rate + extra > peak:
                    peak = max_rate + extra
                if carried:
                    ended = _end_with_carried(carried, starts, ended, duration, end_fields, t, out)
                while ended < len(starts) and starts[ended] + duration <= t:
                    append(make(Event, (starts[ended] + duration, "bolus", end_fields)))
                    ended += 1
            elif max_rate > peak:
                peak = max_rate
            t_prev = t
        answer = new_get(request_id) or known_get(request_id)
        if answer is not None:
            append(demand_event(t, request_id, answer))
            continue
        start = window_from(t)
        if in_lockout(t - lockout_from, lockout_s):
            new[request_id] = _LOCKOUT
            append(make(Event, (t, "demand", (("id", request_id), *_LOCKOUT_FIELDS))))
        elif window_full(len(grants) - bisect_right(grants, start, window_start), max_per_24h):
            new[request_id] = _MAX_PER_24H
            append(make(Event, (t, "demand", (("id", request_id), *_MAX_PER_24H_FIELDS))))
        else:
            while window_start < len(grants) and grants[window_start] <= start:
                window_start += 1
            grants.append(t)
            lockout_from = t
            starts.append(t)
            new[request_id] = _GRANTED
            append(make(Event, (t, "demand", (("id", request_id), ("result", "granted")))))
            append(make(Event, (t, "bolus", start_fields)))
    running = [b for b in carried if b.end_t > t_prev]
    running += [RunningBolus("demand", rate, t, t + duration, volume) for t in starts[ended:]]
    bolus_parts = [(b.rate_ml_per_s, b.start_t, b.end_t) for b in s.boluses]
    bolus_parts += [(rate, t, t + duration) for t in starts]
    after = _counters(s, t_prev, scheduled_ml, bolus_parts)
    dose = volume * program.program.primary_mcg_per_ml
    doses = s.grant_doses_mcg(dose) + (dose,) * len(starts)
    return after.changed(
        peak_rate_ml_per_s=peak,
        boluses=tuple(running),
        grants=tuple(grants[window_start:]),
        grant_mcg=doses[window_start:],
        lockout_from_t=lockout_from,
        answers=s.answers.add_all(new.items()),
    ), out


_LOCKOUT_FIELDS = (("result", "denied"), ("reason", LOCKOUT))
_MAX_PER_24H_FIELDS = (("result", "denied"), ("reason", MAX_PER_24H))


def _end_with_carried(
    carried: list[RunningBolus],
    starts: list[float],
    ended: int,
    duration: float,
    end_fields: tuple[tuple[str, object], ...],
    t: float,
    out: list[Event],
) -> int:
    """Log the boluses that end by t, earliest first and, at one instant, in the order
    advance holds them (carried ones, then this run's by start), as advance does: it
    stops at each end. Removes the carried ones that ended; returns the new `ended`."""
    while True:
        own_end = starts[ended] + duration if ended < len(starts) else math.inf
        first_end = min(min((b.end_t for b in carried), default=math.inf), own_end)
        if first_end > t:
            return ended
        for b in carried:
            if b.end_t <= first_end:
                fields = (
                    ("bolus", b.kind),
                    ("phase", "end"),
                    ("programmed_ml", b.programmed_ml),
                    ("delivered_ml", b.programmed_ml),
                )
                out.append(Event(b.end_t, "bolus", fields))
        carried[:] = [b for b in carried if b.end_t > first_end]
        while ended < len(starts) and starts[ended] + duration <= first_end:
            out.append(Event(starts[ended] + duration, "bolus", end_fields))
            ended += 1
        if not carried:
            return ended


def _counters(
    s: PumpState, t1: float, scheduled_ml: float, boluses: list[tuple[float, float, float]]
) -> PumpState:
    """The counters at t1 in one closed-form update: the schedule's volume plus each
    bolus's (rate, start, end) part inside (s.t, t1]."""
    t0 = s.t
    boluses_ml = sum(rate * (min(end, t1) - max(start, t0)) for rate, start, end in boluses)
    v1 = s.v_cmd_ml + scheduled_ml + boluses_ml
    n1 = max(s.strokes, math.floor(v1 / s.stroke_ml + STROKE_EPS))
    dn = n1 - s.strokes
    model = s.model
    moved = 0.0
    if dn and not s.occluded:
        moved = min(s.true_ml, dn * model.stroke_ml * (1.0 + s.bias))
    charge = s.charge_uah - model.baseline_ua * (t1 - t0) / 3600.0 - model.uah_per_stroke * dn
    return s.changed(
        t=t1,
        v_cmd_ml=v1,
        strokes=n1,
        true_ml=s.true_ml - moved,
        outlet_ml=s.outlet_ml + moved,
        charge_uah=charge,
    )
