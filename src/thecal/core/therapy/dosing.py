"""Dose, rate and concentration, and the 24 h dose of each drug a program gives.

One place converts between them (SR-04), so a screen, a rule and a report can
never compute a different daily dose from the same program. In an admixture the
program states doses in the primary (first) drug; every other drug follows the
volume: its dose is the volume times its own concentration.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.errors import InputError, Problem
from thecal.core.pump.program import Program, step_rate_ml_per_s
from thecal.core.units import SECONDS_PER_DAY


def dose_mcg_per_day(rate_ml_per_day: float, concentration_mcg_per_ml: float) -> float:
    return rate_ml_per_day * concentration_mcg_per_ml


def rate_ml_per_day(dose_mcg_per_day: float, concentration_mcg_per_ml: float) -> float:
    if concentration_mcg_per_ml <= 0:
        raise InputError("cannot compute a rate", [Problem("concentration", "must be > 0")])
    return dose_mcg_per_day / concentration_mcg_per_ml


def concentration_mcg_per_ml(dose_mcg_per_day: float, rate_ml_per_day: float) -> float:
    if rate_ml_per_day <= 0:
        raise InputError("cannot compute a concentration", [Problem("rate", "must be > 0")])
    return dose_mcg_per_day / rate_ml_per_day


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
    demand = program.demand_bolus
    demand_ml = demand.max_per_24h * demand.amount.volume_ml(primary) if demand else 0.0
    mean = sum(_basal_ml_on_day(program, d) for d in range(program.cycle_days))
    return DailyVolumes(best[0], best[1], demand_ml, mean / program.cycle_days)


@dataclass(frozen=True)
class DrugDose:
    """The 24 h dose of one drug: programmed (basal + periodic) and with every patient
    bolus taken (the figure rule DD-06 checks)."""

    name: str
    concentration_mcg_per_ml: float
    basal_mcg: float
    periodic_mcg: float
    demand_max_mcg: float

    @property
    def programmed_mcg(self) -> float:
        return self.basal_mcg + self.periodic_mcg

    @property
    def max_mcg(self) -> float:
        return self.programmed_mcg + self.demand_max_mcg

    def as_dict(self) -> dict[str, float | str]:
        return {
            "drug": self.name,
            "concentration_mcg_per_ml": self.concentration_mcg_per_ml,
            "basal_mcg_per_day": self.basal_mcg,
            "periodic_mcg_per_day": self.periodic_mcg,
            "programmed_mcg_per_day": self.programmed_mcg,
            "demand_max_mcg_per_day": self.demand_max_mcg,
            "max_mcg_per_day": self.max_mcg,
        }


def daily_doses(program: Program) -> dict[str, DrugDose]:
    """Each drug's 24 h dose under `program`, keyed by drug name, in program order."""
    v = daily_volumes(program)
    return {
        d.name: DrugDose(
            d.name,
            d.concentration_mcg_per_ml,
            v.basal_ml * d.concentration_mcg_per_ml,
            v.periodic_ml * d.concentration_mcg_per_ml,
            v.demand_max_ml * d.concentration_mcg_per_ml,
        )
        for d in program.drugs
    }


def percent_change(old: float, new: float) -> float | None:
    """(new - old) / old in %, or None when there was nothing before."""
    if old <= 0:
        return None
    return (new - old) / old * 100.0
