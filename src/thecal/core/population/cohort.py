"""A cohort: many pumps as columns of arrays, everything drawn beforehand.

The engine is deterministic given a cohort; the generator owns the randomness
(seeded). Only what the population engine models is here: programmable pumps with a
24-hour program (a base step, an optional day step and an optional periodic bolus:
flex dosing), an optional demand bolus, a constant accuracy bias, an optional
catheter occlusion, and refills that fill the reservoir back to capacity; and
constant-flow (gas-driven) pumps, which deliver continuously at their restrictor
flow for the patient's ambient pressure, with no strokes, no estimate, no alarms.
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
    stroke_ml: F  # 0 for constant-flow pumps
    constant_flow: npt.NDArray[np.bool_]
    flow_ml_per_s: F  # constant-flow pumps: the restrictor flow (before bias), else 0
    ambient_kpa: F  # where the patient lives (what sets a constant-flow pump's flow)
    capacity_ml: F
    dead_volume_ml: F
    fill_ml: F
    rate_ml_per_s: F  # the basal step from 00:00
    day_start_s: F  # a second step from this time of day (+inf: none)
    day_rate_ml_per_s: F  # its rate (0 where there is none)
    periodic_ml: F  # a daily periodic bolus (0: none)
    periodic_at_s: F
    periodic_s: F
    bolus_ml: F  # 0: no demand bolus
    bolus_s: F
    lockout_s: F
    max_per_24h: I
    alarm_ml: F
    bias: F
    occlusion_from_s: F  # the catheter is occluded over [from, to) (+inf: never)
    occlusion_to_s: F
    requests_s: F  # (N, J) sorted request times, padded with +inf
    # refill policy, per patient
    max_interval_s: F  # the clinic books no later than this after a refill
    margin_s: F  # booked this long before the low-reservoir date (every bolus taken)
    # what the clinic's booking rule (core.therapy.refill.refill_due) reads of each
    # pump besides its alarm: the least volume it books from whatever the alarm (the
    # residual or the manufacturer's refill volume; a constant-flow pump, which has no
    # alarm: its residual), how much faster than programmed it assumes the pump may run
    # (a constant-flow pump's accuracy), and the fluid's stability (diluted or not, as
    # the generator drew it; +inf: none)
    book_floor_ml: F
    book_flow_factor: F
    stability_s: F
    # the same for a new pump's first fill (ziconotide: 14 days, drugs-and-dosing F8):
    # the fill after the replacement visit below
    naive_stability_s: F
    # the elective replacement date (ERI): the clinic books a visit no later and
    # replaces the pump then, after which the new pump's date is beyond the horizon
    # (+inf: not within it; a constant-flow pump: no battery)
    replace_at_s: F
    # the study starts at a new pump's first fill (an implant or a replacement that
    # day): its battery is new and the first refill is booked by naive_stability_s
    new_at_start: npt.NDArray[np.bool_]
    missed: npt.NDArray[np.bool_]  # (N, K): the k-th booked refill is missed
    miss_delay_s: F  # (N, K): how late a missed refill happens
    alarm_response_s: F  # refilled this long after the low-reservoir alarm sounds
    horizon_s: float

    @property
    def size(self) -> int:
        return int(self.rate_ml_per_s.size)

    def subset(self, keep: npt.NDArray[np.bool_]) -> Cohort:
        """The patients where `keep` is true (every per-patient column cut alike)."""
        values: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            per_patient = isinstance(v, np.ndarray) and v.shape[:1] == keep.shape
            values[f.name] = v[keep] if per_patient else v
        return Cohort(**values)

    def with_(self, **changes: object) -> Cohort:
        values: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Cohort(**values)
