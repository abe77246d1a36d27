"""Letting time pass in the firmware, in closed form.

Between two happenings the commanded volume V_cmd is a known piecewise-linear
function of time, so the strokes due by t are floor(V_cmd(t) / stroke) and the
time of stroke k is found by inverting it. The loop below stops only where
something happens: a threshold stroke (low or empty reservoir), a bolus end, a
stall recovery, a midnight battery check, the battery running out. Its work grows
with those, never with strokes, and a cycle that runs unchanged costs O(1).

Order at one instant (pump-behaviour.md §13): strokes first, then bolus ends and
stall recoveries, then the battery check; the caller applies commands after that.
"""

from __future__ import annotations

import math

from thecal.core.pump.alarm_system import next_timer_t, timers_running
from thecal.core.pump.events import Event
from thecal.core.pump.settle import bolus_end, logged, settle
from thecal.core.pump.state import (
    DELIVERING,
    STROKE_EPS,
    PumpState,
    average_daily_drain_uah,
)
from thecal.core.pump.timers import fire_timers
from thecal.core.units import SECONDS_PER_DAY

__all__ = ["advance", "bolus_end", "next_midnight", "run_to", "settle"]


def next_midnight(t: float) -> float:
    return (math.floor(t / SECONDS_PER_DAY) + 1) * SECONDS_PER_DAY


def _v_cmd_at(s: PumpState, t1: float, rate_extra: float) -> float:
    assert s.program is not None
    schedule = s.program.schedule
    scheduled = schedule.volume_to(t1 - s.anchor_s) - schedule.volume_to(s.t - s.anchor_s)
    return s.v_cmd_ml + max(0.0, scheduled) + rate_extra * (t1 - s.t)


def _strokes_for(v_cmd_ml: float, stroke_ml: float) -> int:
    return math.floor(v_cmd_ml / stroke_ml + STROKE_EPS)


def _time_of_stroke(s: PumpState, k: int, rate_extra: float) -> float:
    assert s.program is not None
    # stroke k is issued when V_cmd / stroke + STROKE_EPS reaches k (see _strokes_for)
    target = (k - STROKE_EPS) * s.stroke_ml - s.v_cmd_ml
    offset = s.program.schedule.offset_reaching(s.t - s.anchor_s, target, rate_extra)
    return s.anchor_s + offset


def _next_threshold_stroke(s: PumpState) -> int | None:
    n, empty, low = s.strokes, s.empty_at_stroke, s.low_at_stroke
    if empty > n:
        return low if n < low < empty else empty
    return low if low > n else None


def run_to(s: PumpState, t1: float, delivering: bool) -> PumpState:
    """Advance the counters to t1 with no change of state on the way."""
    if delivering:
        v1 = _v_cmd_at(s, t1, s.bolus_rate_ml_per_s())
        n1 = _strokes_for(v1, s.stroke_ml)
    else:
        v1, n1 = s.v_cmd_ml, s.strokes
    return _counters(s, t1, v1, n1)


def _counters(s: PumpState, t1: float, v1: float, n1: int) -> PumpState:
    model = s.model
    # A stroke issued at a threshold is counted even when float noise puts V_cmd a hair
    # below its boundary; later floors must not take it back.
    n1 = max(n1, s.strokes)
    dn = n1 - s.strokes
    moved = 0.0
    if dn and not s.occluded:
        moved = min(s.true_ml, dn * model.stroke_ml * (1.0 + s.bias))
    charge = s.charge_uah - model.baseline_ua * (t1 - s.t) / 3600.0 - model.uah_per_stroke * dn
    # The hottest line of the firmware (once per stretch of time): a positional copy of
    # the state is several times cheaper than NamedTuple._replace's keyword walk.
    values = list(s)
    values[_T] = t1
    values[_V_CMD] = v1
    values[_STROKES] = n1
    values[_TRUE] = s.true_ml - moved
    values[_OUTLET] = s.outlet_ml + moved
    values[_CHARGE] = charge
    return tuple.__new__(PumpState, values)


_T, _V_CMD, _STROKES, _TRUE, _OUTLET, _CHARGE = (
    PumpState._fields.index(name)
    for name in ("t", "v_cmd_ml", "strokes", "true_ml", "outlet_ml", "charge_uah")
)


def _eos_time(s: PumpState, t1: float, delivering: bool) -> float:
    """When the battery reaches zero in (s.t, t1], knowing that it does."""
    lo, hi = s.t, t1
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid <= lo or mid >= hi:
            break
        if run_to(s, mid, delivering).charge_uah > 0.0:
            lo = mid
        else:
            hi = mid
    return hi


def _eri_watch_uah(s: PumpState) -> float:
    """Above this charge no midnight check within the next eri_window_days can raise
    ERI, so the daily checks (and their samples) may be skipped.

    ERI needs charge <= eri_days * (average daily drain) and no day drains more than
    the bound D, so it needs charge <= eri_days * D. Watching from (eri_days +
    window) * D on gives at least `window` daily samples before that can happen, so
    the average over the window is always exact when it matters.
    """
    model = s.model
    return (model.eri_days + model.eri_window_days) * s.drain_bound_uah_per_day()


def _battery_check(s: PumpState) -> PumpState:
    """The daily battery check at midnight: ERI when the charge left covers <= eri_days
    at the average drain of the last eri_window_days (or since the start)."""
    model = s.model
    consecutive = s.samples_from_t + (len(s.daily_charge_uah) - 1) * SECONDS_PER_DAY
    if s.daily_charge_uah and consecutive == s.t - SECONDS_PER_DAY:
        samples = (*s.daily_charge_uah, s.charge_uah)
        first_t = s.samples_from_t
    else:  # checks were skipped while far from ERI: start a fresh series
        samples, first_t = (s.charge_uah,), s.t
    window = int(model.eri_window_days)
    if len(samples) > window + 1:
        first_t += (len(samples) - window - 1) * SECONDS_PER_DAY
        samples = samples[-(window + 1) :]
    days = len(samples) - 1
    drain_per_day = average_daily_drain_uah(samples)  # samples end with s.charge_uah
    eri = s.eri or (days > 0 and s.charge_uah <= model.eri_days * drain_per_day)
    return s.changed(daily_charge_uah=samples, samples_from_t=first_t, eri=eri)


def _at_instant(s: PumpState, out: list[Event]) -> PumpState:
    """Internal happenings due at s.t, after the strokes due then."""
    t = s.t
    timers = timers_running(s)
    if (
        not s.boluses
        and not s.stall_causes
        and not timers
        and t % SECONDS_PER_DAY
        and s.charge_uah > 0.0
    ):
        return s  # nothing can be due at an instant that is not a midnight
    if s.boluses and any(b.end_t <= t for b in s.boluses):
        out.extend(bolus_end(b, t) for b in s.boluses if b.end_t <= t)
        s = s.changed(boluses=tuple(b for b in s.boluses if b.end_t > t))
    if "mri" in s.stall_causes and s.mri_stall_until <= t:
        s = logged(s, s.changed(stall_causes=s.stall_causes - {"mri"}), out)
    if timers:
        s = fire_timers(s, out)
    midnight = t % SECONDS_PER_DAY == 0.0 and t > 0
    if midnight and not s.eri and s.model.battery_uah > 0 and s.charge_uah <= _eri_watch_uah(s):
        checked = _battery_check(s)
        s = logged(s, checked, out) if checked.eri != s.eri else checked
    if s.charge_uah <= 0.0 and not s.eos and s.model.battery_uah > 0:
        s = logged(s, s.changed(eos=True, charge_uah=0.0), out)
    return s


def advance(s: PumpState, now: float) -> tuple[PumpState, list[Event]]:
    """Let time pass to `now`, logging every internal happening on the way.

    A stretch that reaches no threshold stroke and no battery end cannot change any
    alarm or the state shown, so it is one update of the counters and nothing else.
    """
    out: list[Event] = []
    model = s.model
    battery = model.battery_uah > 0
    while s.t < now:
        t_next = now
        if battery and not s.eri:
            bound = s.drain_bound_uah_per_day()
            watch = (model.eri_days + model.eri_window_days) * bound  # see _eri_watch_uah
            midnight = next_midnight(s.t)
            if s.charge_uah <= watch:
                t_next = min(t_next, midnight)
            else:  # far from ERI: the next midnight that could be inside the watch
                safe_days = math.floor((s.charge_uah - watch) / bound)
                t_next = min(t_next, midnight + safe_days * SECONDS_PER_DAY)
        for b in s.boluses:
            if b.end_t < t_next:
                t_next = b.end_t
        if s.stall_causes and "mri" in s.stall_causes:
            t_next = min(t_next, max(s.mri_stall_until, s.t))
        if timers_running(s):
            t_next = min(t_next, next_timer_t(s))
        delivering = not s.eos and s.shown == DELIVERING
        crossing = False
        if delivering:
            extra = s.bolus_rate_ml_per_s() if s.boluses else 0.0
            assert s.program is not None
            peak = s.program.schedule.max_rate_ml_per_s + extra
            if peak > s.peak_rate_ml_per_s:
                s = s.changed(peak_rate_ml_per_s=peak)
            v1 = _v_cmd_at(s, t_next, extra)
            n1 = _strokes_for(v1, s.stroke_ml)
            k = _next_threshold_stroke(s)
            if k is not None and n1 >= k:
                t_k = _time_of_stroke(s, k, extra)
                if t_k <= t_next:
                    t_next, crossing = t_k, True
                    v1 = _v_cmd_at(s, t_next, extra)
                    n1 = max(_strokes_for(v1, s.stroke_ml), k)
        else:
            v1, n1 = s.v_cmd_ml, s.strokes
        after = _counters(s, t_next, v1, n1)
        if battery and after.charge_uah <= 0.0 and not s.eos:
            after = run_to(s, _eos_time(s, t_next, delivering), delivering)
            crossing = True
        s = logged(s, after, out) if crossing else after
        s = _at_instant(s, out)
    return s, out
