"""Each virtual patient's program, and its daily rate schedule as padded columns.

A patient's program is built from the cohort's columns (a base step, an optional
day step, an optional periodic bolus, an optional demand bolus) by `program_for`,
the one builder that both the population engine (through the firmware's own
`compile_program`, so the pieces are the firmware's pieces) and the replay use.
"""

from __future__ import annotations

import numpy as np

from thecal.core.population.cohort import Cohort, F, I
from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
    compile_program,
)
from thecal.core.units import SECONDS_PER_DAY


def program_for(c: Cohort, i: int, drugs: tuple[DrugConcentration, ...]) -> Program:
    steps = [Step(0.0, rate_ml_per_s=float(c.rate_ml_per_s[i]))]
    if np.isfinite(c.day_start_s[i]):
        steps.append(Step(float(c.day_start_s[i]), rate_ml_per_s=float(c.day_rate_ml_per_s[i])))
    periodic: tuple[PeriodicBolus, ...] = ()
    if c.periodic_ml[i] > 0:
        periodic = (PeriodicBolus(float(c.periodic_at_s[i]), Amount(ml=float(c.periodic_ml[i])),
                                  float(c.periodic_s[i])),)
    demand = None
    if c.bolus_ml[i] > 0:
        demand = DemandBolus(Amount(ml=float(c.bolus_ml[i])), float(c.bolus_s[i]),
                             float(c.lockout_s[i]), int(c.max_per_24h[i]))
    return Program(drugs=drugs, steps=tuple(steps), periodic_boluses=periodic,
                   demand_bolus=demand, low_reservoir_alarm_ml=float(c.alarm_ml[i]))


def daily_volume_ml(c: Cohort) -> F:
    """Programmed volume a day (basal steps and periodic boluses), as the refill
    booking rule counts it."""
    day = np.where(np.isfinite(c.day_start_s), c.day_start_s, SECONDS_PER_DAY)
    basal = c.rate_ml_per_s * day + c.day_rate_ml_per_s * (SECONDS_PER_DAY - day)
    return np.asarray(basal + c.periodic_ml, np.float64)


_PLACEHOLDER = (DrugConcentration("schedule-only", 1.0),)  # rates here are in mL/s


def rate_pieces(c: Cohort) -> tuple[F, F, I]:
    """(starts (N, P), rates (N, P), count (N,)): each patient's 24-hour cycle of
    constant rates, padded with +inf starts. A one-step program is one piece."""
    simple = ~np.isfinite(c.day_start_s) & (c.periodic_ml <= 0)
    schedules = {
        int(i): compile_program(program_for(c, int(i), _PLACEHOLDER)).schedule
        for i in np.flatnonzero(~simple)
    }
    width = max([1] + [len(s.rates_ml_per_s) for s in schedules.values()])
    starts = np.full((c.size, width), np.inf)
    rates = np.zeros((c.size, width))
    count = np.ones(c.size, dtype=np.int64)
    starts[:, 0], rates[:, 0] = 0.0, c.rate_ml_per_s
    for i, s in schedules.items():
        n = len(s.rates_ml_per_s)
        starts[i, :n], rates[i, :n], count[i] = s.breaks_s[:-1], s.rates_ml_per_s, n
    return starts, rates, count
