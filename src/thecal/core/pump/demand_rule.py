"""The patient-bolus rule (pump-behaviour.md §7, SR-06/10/11/12), in one place.

A demand request is answered by three paths: the firmware stepping one request
(`demand_denial`), the one-pass run over a quiet stretch (`demand_run`) and the
population engine over a whole cohort in NumPy columns (`granted_mask`). Each check
is written once below, in arithmetic that means the same on a float and on an
array, and each path calls it; the order of the checks is written once, in
`demand_denial`, and `granted_mask` takes them in that order. A change to the
lockout or the 24-hour window is one edit here; tests/property/test_demand_run.py
and tests/simulator/test_population_engine.py hold the three paths equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from thecal.core.pump.state import DELIVERING, PumpState
from thecal.core.tolerance import above
from thecal.core.units import SECONDS_PER_DAY

# a quantity of one pump (float) or of every pump in a cohort (array), and a truth
Q = float | npt.NDArray[np.floating[Any]] | npt.NDArray[np.int64]
Truth = bool | npt.NDArray[np.bool_]

NOT_ENABLED = "not_enabled"
NOT_DELIVERING = "not_delivering"
LOCKOUT = "lockout"
MAX_PER_24H = "max_per_24h"
MAX_DOSE_24H = "max_dose_24h"
INSUFFICIENT_RESERVOIR = "insufficient_reservoir"


def in_lockout(since_last_grant_s: Q, lockout_s: Q) -> Truth:
    """Still inside the lockout after the last dose given (SR-06, SR-10). Written as
    a difference so that it is exactly PumpState.lockout_remaining_s > 0: for finite
    floats a - b > 0 holds exactly when a > b, so every path agrees at the boundary."""
    return lockout_s - since_last_grant_s > 0.0


def window_from(t: Q) -> Q:
    """The 24-hour window counts grants strictly after this instant (SR-11)."""
    return t - SECONDS_PER_DAY


def window_full(granted_in_window: Q, max_per_24h: Q) -> Truth:
    """As many boluses in the window as the program allows (SR-11)."""
    return granted_in_window >= max_per_24h


def over_dose_cap(given_mcg: float, dose_mcg: float, cap_mcg: float) -> bool:
    """One more bolus would take the window's drug beyond the program's maximum
    dose; the request is then denied in full, never given in part (SR-12)."""
    return above(given_mcg + dose_mcg, cap_mcg)


def reservoir_short(estimate_ml: Q, bolus_ml: Q, low_alarm_ml: Q) -> Truth:
    """The bolus would take the estimate below the low-reservoir alarm."""
    return estimate_ml < bolus_ml + low_alarm_ml


def demand_denial(s: PumpState) -> str | None:
    """The first failing check, in the order of pump-behaviour.md §7, or None."""
    program = s.program
    if program is None or program.program.demand_bolus is None or not s.demand_fluid_ok:
        return NOT_ENABLED
    if s.shown != DELIVERING:
        return NOT_DELIVERING
    demand = program.program.demand_bolus
    if in_lockout(s.t - s.lockout_from_t, demand.lockout_s):
        return LOCKOUT
    start = window_from(s.t)
    if window_full(sum(1 for g in s.grants if g > start), demand.max_per_24h):
        return MAX_PER_24H
    cap = demand.max_mcg_per_24h
    if cap is not None:
        dose = demand_dose_mcg(s)
        doses = s.grant_doses_mcg(dose)
        given = sum(m for g, m in zip(s.grants, doses, strict=True) if g > start)
        if over_dose_cap(given, dose, cap):
            return MAX_DOSE_24H
    if reservoir_short(s.estimate_ml, program.demand_volume_ml, program.low_reservoir_alarm_ml):
        return INSUFFICIENT_RESERVOIR
    return None


def demand_dose_mcg(s: PumpState) -> float:
    """The primary drug in one demand bolus of the running program."""
    program = s.program
    assert program is not None
    return program.demand_volume_ml * program.program.primary_mcg_per_ml


def granted_mask(
    asked: npt.NDArray[np.bool_],
    *,
    enabled: npt.NDArray[np.bool_],
    delivering: npt.NDArray[np.bool_],
    since_last_grant_s: npt.NDArray[np.float64],
    lockout_s: npt.NDArray[np.float64],
    granted_in_window: npt.NDArray[np.int64],
    max_per_24h: npt.NDArray[np.int64],
    estimate_ml: npt.NDArray[np.float64],
    bolus_ml: npt.NDArray[np.float64],
    low_alarm_ml: npt.NDArray[np.float64],
) -> npt.NDArray[np.bool_]:
    """Which of a cohort's requests are granted: every check of `demand_denial` but
    the dose cap, which a cohort's programs do not carry."""
    return np.asarray(
        asked
        & enabled
        & delivering
        & ~np.asarray(in_lockout(since_last_grant_s, lockout_s), np.bool_)
        & ~np.asarray(window_full(granted_in_window, max_per_24h), np.bool_)
        & ~np.asarray(reservoir_short(estimate_ml, bolus_ml, low_alarm_ml), np.bool_),
        np.bool_,
    )
