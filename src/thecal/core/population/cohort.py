"""A cohort: many pumps as columns of arrays, everything drawn beforehand.

The engine is deterministic given a cohort; the generator owns the randomness
(seeded). Only what the population engine models is here: programmable pumps with
one constant basal rate, an optional demand bolus, a constant accuracy bias, and
refills that fill the reservoir back to capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741


@dataclass(frozen=True)
class Cohort:
    model_index: I  # into `model_ids`
    model_ids: tuple[str, ...]
    stroke_ml: F
    capacity_ml: F
    dead_volume_ml: F
    fill_ml: F
    rate_ml_per_s: F  # basal, constant
    bolus_ml: F  # 0: no demand bolus
    bolus_s: F
    lockout_s: F
    max_per_24h: I
    alarm_ml: F
    bias: F
    requests_s: F  # (N, J) sorted request times, padded with +inf
    # refill policy, per patient
    max_interval_s: F  # the clinic books no later than this after a refill
    margin_s: F  # booked this long before the low-reservoir date (every bolus taken)
    missed: npt.NDArray[np.bool_]  # (N, K): the k-th booked refill is missed
    miss_delay_s: F  # (N, K): how late a missed refill happens
    alarm_response_s: F  # refilled this long after the low-reservoir alarm sounds
    horizon_s: float

    @property
    def size(self) -> int:
        return int(self.rate_ml_per_s.size)

    def with_(self, **changes: object) -> Cohort:
        values: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Cohort(**values)
