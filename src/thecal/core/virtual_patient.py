"""A virtual patient: who they are (weight, sensitivity, pain) and how they use the
demand button. The decision is pure: the caller supplies the uniform draw, so a
seeded run replays exactly and a test can force either answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.units import SECONDS_PER_DAY


@dataclass(frozen=True)
class DemandHabit:
    """Presses the button when pain is above a threshold, awake, with some probability
    at each check. Illustrative: the sources give no model of patient behaviour."""

    nrs_threshold: float = 4.0
    press_probability: float = 0.5
    awake_from_s: float = 7 * 3600.0
    awake_to_s: float = 23 * 3600.0

    def is_awake(self, t_s: float) -> bool:
        clock = t_s % SECONDS_PER_DAY
        if self.awake_from_s <= self.awake_to_s:
            return self.awake_from_s <= clock < self.awake_to_s
        return clock >= self.awake_from_s or clock < self.awake_to_s


@dataclass(frozen=True)
class VirtualPatient:
    weight_kg: float = 70.0
    tip_to_brainstem_cm: float = 40.0
    baseline_nrs: float | None = None  # None: the pd.toml population baseline
    baseline_ashworth: float | None = None
    sensitivity: float = 1.0  # EC50 divisor: 2 halves the concentration needed
    habit: DemandHabit = DemandHabit()
    check_interval_s: float = 900.0
    seed: int = 0


def wants_bolus(habit: DemandHabit, nrs: float, t_s: float, uniform: float) -> bool:
    """One check of the button: awake, in pain above the threshold, and minded to press."""
    return habit.is_awake(t_s) and nrs > habit.nrs_threshold and uniform < habit.press_probability
