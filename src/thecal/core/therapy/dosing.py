"""Dose, rate and concentration, and the 24 h dose of each drug a program gives.

One place converts between them (SR-04), so a screen, a rule and a report can
never compute a different daily dose from the same program. In an admixture the
program states doses in the primary (first) drug; every other drug follows the
volume: its dose is the volume times its own concentration.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.errors import InputError, Problem
from thecal.core.pump.program import Program
from thecal.core.pump.volumes import daily_volumes as daily_volumes  # re-export


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
    # rounded to a billionth of a percent: the same dose computed two ways reads 0.0,
    # never -1.65e-14 or -0.0 (issue 25)
    return round((new - old) / old * 100.0, 9) + 0.0
