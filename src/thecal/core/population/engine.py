"""The population engine: many pumps at once, the firmware's arithmetic in columns.

Every pump advances from one happening to its next (a demand request, a refill, a
bolus end, a threshold stroke, a change of the scheduled rate, the start or end of
an occlusion, the horizon) in the same closed form as
`thecal.core.pump.advance`: strokes(t) = floor(V_cmd(t) / stroke), the estimate
falls by a stroke per stroke, the true reservoir by stroke x (1 + bias). Each loop
turn is a handful of NumPy operations over the whole cohort, so the cost grows with
the happenings of the busiest pump, not with the number of pumps. A test holds it
to the per-pump firmware to 1e-9 mL on random patients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from thecal.core.population.cohort import Cohort, F, I
from thecal.core.population.schedules import daily_volume_ml, rate_pieces
from thecal.core.pump.demand_rule import granted_mask, window_from
from thecal.core.pump.state import STROKE_EPS, strokes_until_level
from thecal.core.therapy.refill import booked_after, time_to_low
from thecal.core.units import SECONDS_PER_DAY

INF = np.inf


@dataclass(frozen=True)
class CohortResult:
    true_ml: F
    estimate_ml: F
    outlet_ml: F
    strokes: F
    refill_s: F  # (N, K), nan where none
    withdrawn_ml: F  # (N, K)
    added_ml: F  # (N, K)
    granted: I
    denied: I
    low_alarms: I
    empty_alarms: I
    dry_episodes: I  # refill cycles in which the patient stopped getting drug
    dry_s: F  # time without drug, summed
    visits: I


def _level_stroke(est_base: F, est_strokes: F, stroke: F, level: F, cf: npt.NDArray[np.bool_]) -> F:
    """The stroke at which the estimate falls to <= level (PumpState.strokes_to_level);
    never, for a constant-flow pump (it has no estimate)."""
    at = est_strokes + strokes_until_level(est_base, level, stroke)
    return np.asarray(np.where(cf, INF, at), np.float64)


def _booked(c: Cohort, t: F, volume: F, new_pump: npt.NDArray[np.bool_] | None = None) -> F:
    """The next booked refill by the clinic's rule (refill_due): the earlier of the date
    the reservoir reaches the alarm or the booking floor, whichever is higher, with
    every bolus taken (a constant-flow pump: empty at its fastest flow), less the
    margin, and the end of the fluid's stability; no later than the maximum interval,
    nor than the elective replacement date while it is still ahead (the visit on that
    date replaces the pump). `new_pump`: the fill just made is a new pump's first
    (the replacement visit), booked by the naive first-fill stability. Times in
    seconds here."""
    use_all = (daily_volume_ml(c) + c.max_per_24h * c.bolus_ml) / SECONDS_PER_DAY
    low = np.where(c.constant_flow, c.book_floor_ml, np.maximum(c.alarm_ml, c.book_floor_ml))
    to_low = time_to_low(volume, low, use_all * c.book_flow_factor)
    stability = c.stability_s if new_pump is None else np.where(
        new_pump, c.naive_stability_s, c.stability_s
    )
    booked = np.minimum(booked_after(to_low, c.margin_s), stability)
    replace = np.where(c.replace_at_s > t, c.replace_at_s, INF)
    return np.asarray(np.minimum(t + np.clip(booked, 0.0, c.max_interval_s), replace), np.float64)


def run_cohort(c: Cohort) -> CohortResult:
    n = c.size
    ar = np.arange(n)
    cf = c.constant_flow  # continuous flow: no strokes, no estimate, no thresholds
    s = np.where(cf, 1.0, c.stroke_ml)
    cf_rate = c.flow_ml_per_s * (1.0 + c.bias)
    req = np.concatenate([c.requests_s, np.full((n, 1), INF)], axis=1)
    n_slots = max(1, int(c.max_per_24h.max(initial=1)))
    k_max = c.missed.shape[1]
    t = np.zeros(n)
    vcmd = np.zeros(n)
    strokes = np.zeros(n)
    true = c.fill_ml.copy()
    outlet = np.zeros(n)
    est_base, est_strokes = c.fill_ml.copy(), np.zeros(n)
    low_at = _level_stroke(est_base, est_strokes, s, c.alarm_ml, cf)
    empty_at = _level_stroke(est_base, est_strokes, s, np.zeros(n), cf)
    low, empty = strokes >= low_at, strokes >= empty_at
    last_grant = np.full(n, -INF)  # the lockout counts doses given (SR-06)
    bolus_end, bolus_rate = np.full(n, INF), np.zeros(n)
    starts, rates, pieces = rate_pieces(c)
    piece, cycle_from = np.zeros(n, np.int64), np.zeros(n)  # the schedule runs from t = 0
    grants = np.full((n, n_slots), -INF)
    j = np.zeros(n, dtype=np.int64)
    k = np.zeros(n, dtype=np.int64)
    # a pump new at the start is booked by its first fill's stability (ziconotide 14 d)
    next_refill = _booked(c, t, true, c.new_at_start) + np.where(
        c.missed[:, 0], c.miss_delay_s[:, 0], 0.0
    )
    refill_s, withdrawn_ml = np.full((n, k_max), np.nan), np.full((n, k_max), np.nan)
    added_ml = np.full((n, k_max), np.nan)
    granted, denied = np.zeros(n, np.int64), np.zeros(n, np.int64)
    low_alarms = low.astype(np.int64)
    empty_alarms = empty.astype(np.int64)
    no_drug_since = np.full(n, INF)
    replaced_yet = np.zeros(n, dtype=bool)
    dry_episodes, dry_s = np.zeros(n, np.int64), np.zeros(n)
    horizon = c.horizon_s
    while True:
        live = t < horizon
        if not live.any():
            break
        next_req = req[ar, j]
        nxt = np.minimum(piece + 1, starts.shape[1] - 1)
        next_break = cycle_from + np.where(piece + 1 < pieces, starts[ar, nxt], SECONDS_PER_DAY)
        occluded = (c.occlusion_from_s <= t) & (t < c.occlusion_to_s)
        next_occlusion = np.where(
            t < c.occlusion_from_s,
            c.occlusion_from_s,
            np.where(t < c.occlusion_to_s, c.occlusion_to_s, INF),
        )
        cand = np.minimum.reduce(
            [next_req, next_refill, bolus_end, next_break, next_occlusion, np.full(n, horizon)]
        )
        rho = np.where(empty | cf, 0.0, rates[ar, piece] + bolus_rate)
        k_next = np.where(low, empty_at, np.minimum(low_at, empty_at))
        with np.errstate(divide="ignore", invalid="ignore"):
            t_k = np.where(
                rho > 0, t + np.maximum(0.0, (k_next - STROKE_EPS) * s - vcmd) / rho, INF
            )
        crossing = live & (t_k <= cand)
        t1 = np.where(live, np.where(crossing, t_k, cand), t)
        v1 = np.where(empty, vcmd, vcmd + rho * (t1 - t))
        n1 = np.maximum(np.floor(v1 / s + STROKE_EPS), strokes)
        n1 = np.where(crossing, np.maximum(n1, k_next), n1)
        moved_per = s * (1.0 + c.bias)
        flowed = cf_rate * (t1 - t)
        moved = np.where(cf, flowed, (n1 - strokes) * moved_per)
        moved = np.where(occluded, 0.0, np.minimum(true, moved))
        runs_out = (true > 0) & (true - moved <= 0) & (moved > 0)
        if runs_out.any():
            kd = strokes + np.ceil(true / moved_per)
            with np.errstate(divide="ignore", invalid="ignore"):
                t_stroke = t + ((kd - STROKE_EPS) * s - vcmd) / rho
                t_dry = np.clip(np.where(cf, t + true / cf_rate, t_stroke), t, t1)
            no_drug_since = np.where(runs_out, np.minimum(no_drug_since, t_dry), no_drug_since)
        true, outlet, strokes, vcmd, t = true - moved, outlet + moved, n1, v1, t1
        turn = live & (t >= next_break)  # the next piece of the day's schedule
        piece = np.where(turn, piece + 1, piece)
        wrap = piece >= pieces
        piece, cycle_from = np.where(wrap, 0, piece), np.where(wrap, next_break, cycle_from)
        # thresholds, as the firmware settles them after the strokes
        now_low = strokes >= low_at
        onset = now_low & ~low
        low_alarms += onset
        next_refill = np.where(onset, np.minimum(next_refill, t + c.alarm_response_s), next_refill)
        now_empty = strokes >= empty_at
        stop = now_empty & ~empty
        empty_alarms += stop
        no_drug_since = np.where(stop, np.minimum(no_drug_since, t), no_drug_since)
        bolus_end = np.where(stop, INF, bolus_end)
        bolus_rate = np.where(stop, 0.0, bolus_rate)
        low, empty = now_low, now_empty
        ended = bolus_end <= t
        bolus_end, bolus_rate = np.where(ended, INF, bolus_end), np.where(ended, 0.0, bolus_rate)
        # refill: withdraw above the dead volume, fill to capacity, estimate = true volume
        rf = live & (next_refill <= t) & (t < horizon)
        if rf.any():
            slot = np.minimum(k, k_max - 1)
            w = np.maximum(0.0, true - c.dead_volume_ml)
            kept = true - w
            refill_s[ar[rf], slot[rf]] = t[rf]
            withdrawn_ml[ar[rf], slot[rf]] = w[rf]
            add = c.capacity_ml - kept
            added_ml[ar[rf], slot[rf]] = add[rf]
            true = np.where(rf, kept + add, true)
            est_base = np.where(rf, true, est_base)
            est_strokes = np.where(rf, strokes, est_strokes)
            low_at = _level_stroke(est_base, est_strokes, s, c.alarm_ml, cf)
            empty_at = _level_stroke(est_base, est_strokes, s, np.zeros(n), cf)
            low, empty = strokes >= low_at, strokes >= empty_at
            was_dry = rf & np.isfinite(no_drug_since)
            dry_episodes += was_dry
            dry_s += np.where(was_dry, t - no_drug_since, 0.0)
            no_drug_since = np.where(rf, INF, no_drug_since)
            k = k + rf
            nk = np.minimum(k, k_max - 1)
            late = np.where(c.missed[ar, nk], c.miss_delay_s[ar, nk], 0.0)
            # the visit on (or after) the ERI date replaced the pump: a new pump's fill
            replaced = rf & ~replaced_yet & (t >= c.replace_at_s)
            replaced_yet = replaced_yet | replaced
            booked = _booked(c, t, true, replaced) + late
            next_refill = np.where(rf, np.where(k < k_max, booked, INF), next_refill)
        # demand request, checked in the firmware's order (pump-behaviour.md §7)
        rq = live & (next_req <= t)
        if rq.any():
            est = est_base - s * (strokes - est_strokes)
            count = (grants > np.asarray(window_from(t))[:, None]).sum(axis=1)
            ok = granted_mask(
                rq,
                enabled=c.bolus_ml > 0,
                delivering=~empty,
                since_last_grant_s=t - last_grant,
                lockout_s=c.lockout_s,
                granted_in_window=count,
                max_per_24h=c.max_per_24h,
                estimate_ml=est,
                bolus_ml=c.bolus_ml,
                low_alarm_ml=c.alarm_ml,
            )
            granted += ok
            denied += rq & ~ok
            bolus_rate = np.where(ok, c.bolus_ml / np.where(ok, c.bolus_s, 1.0), bolus_rate)
            bolus_end = np.where(ok, t + c.bolus_s, bolus_end)
            last_grant = np.where(ok, t, last_grant)
            if ok.any():
                grants[ok, :-1] = grants[ok, 1:]
                grants[ok, -1] = t[ok]
            j = j + rq
    ongoing = np.isfinite(no_drug_since)
    dry_episodes += ongoing
    dry_s += np.where(ongoing, horizon - no_drug_since, 0.0)
    return CohortResult(
        true_ml=true,
        estimate_ml=np.where(cf, np.nan, est_base - s * (strokes - est_strokes)),
        outlet_ml=outlet,
        strokes=strokes,
        refill_s=refill_s,
        withdrawn_ml=withdrawn_ml,
        added_ml=added_ml,
        granted=granted,
        denied=denied,
        low_alarms=low_alarms,
        empty_alarms=empty_alarms,
        dry_episodes=dry_episodes,
        dry_s=dry_s,
        visits=k,
    )
