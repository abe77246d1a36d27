"""How much a program moves in its worst 24 h: the one volume arithmetic that the
firmware's limit monitor and the programmer's dose math (core/therapy/dosing) share."""

from __future__ import annotations

import math
from dataclasses import dataclass

from thecal.core.pump.program import Program, step_rate_ml_per_s
from thecal.core.tolerance import RELATIVE_SLACK
from thecal.core.units import SECONDS_PER_DAY


@dataclass(frozen=True)
class DailyVolumes:
    """mL in the worst 24 h (a calendar day of the cycle) of a program."""

    basal_ml: float  # basal steps on the day with most basal + periodic volume
    periodic_ml: float  # periodic boluses starting that day
    demand_max_ml: float  # every allowed patient bolus taken
    mean_basal_ml_per_day: float  # basal averaged over the cycle

    @property
    def programmed_ml(self) -> float:
        return self.basal_ml + self.periodic_ml

    @property
    def max_ml(self) -> float:
        return self.programmed_ml + self.demand_max_ml


def _basal_ml_on_day(program: Program, day: int) -> float:
    cycle_s = program.cycle_days * SECONDS_PER_DAY
    primary = program.primary_mcg_per_ml
    starts = [s.start_s for s in program.steps] + [cycle_s]
    lo, hi = day * SECONDS_PER_DAY, (day + 1) * SECONDS_PER_DAY
    total = 0.0
    for i, step in enumerate(program.steps):
        overlap = min(hi, starts[i + 1]) - max(lo, step.start_s)
        if overlap > 0:
            total += step_rate_ml_per_s(step, primary) * overlap
    return total


def daily_volumes(program: Program) -> DailyVolumes:
    primary = program.primary_mcg_per_ml
    best = (0.0, 0.0)
    for day in range(program.cycle_days):
        basal = _basal_ml_on_day(program, day)
        periodic = sum(
            pb.amount.volume_ml(primary)
            for pb in program.periodic_boluses
            if int(pb.at_s // SECONDS_PER_DAY) == day
        )
        if basal + periodic > sum(best):
            best = (basal, periodic)
    demand_ml = _demand_max_ml(program)
    mean = sum(_basal_ml_on_day(program, d) for d in range(program.cycle_days))
    return DailyVolumes(best[0], best[1], demand_ml, mean / program.cycle_days)


def _demand_max_ml(program: Program) -> float:
    """Every bolus the pump can grant in 24 h: the count, or fewer where the dose window
    (SR-12) stops them first (a grant that would pass the window is denied in full)."""
    demand = program.demand_bolus
    if demand is None:
        return 0.0
    volume = demand.amount.volume_ml(program.primary_mcg_per_ml)
    count = demand.max_per_24h
    cap, dose = demand.max_mcg_per_24h, volume * program.primary_mcg_per_ml
    if cap is not None and dose > 0:
        count = min(count, math.floor(cap / dose * (1 + RELATIVE_SLACK)))  # at the cap: allowed
    return count * volume
