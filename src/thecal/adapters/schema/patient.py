"""The virtual patient file (docs/formats.md): every key optional, a missing key takes
the core's default; unknown keys refused, as in scenarios."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from thecal.adapters.schema.base import Doc
from thecal.adapters.schema.types import Clock, Duration, Number, Whole, at_least, refuse
from thecal.services.trial import SCALES

NRS_MAX, ASHWORTH_MAX = SCALES["nrs"][1], SCALES["ashworth"][1]  # the one table of scales


def _at_most(limit: float, what: str) -> AfterValidator:
    def check(value: float) -> float:
        if value > limit:
            raise refuse(f"{value:g} is above {what} of {limit:g}")
        return value

    return AfterValidator(check)


def _check_interval(value: float) -> float:
    if not 60.0 <= value <= 86_400.0:
        raise refuse("expected between 1 min and 1 day")
    return value


class DemandHabitDoc(Doc):
    nrs_threshold: Annotated[Number, at_least(0.0)] | None = None
    press_probability: Annotated[Number, at_least(0.0), _at_most(1.0, "a probability")] | None = (
        None
    )
    awake_from: Clock | None = None
    awake_to: Clock | None = None


class VirtualPatientDoc(Doc):
    weight_kg: Annotated[Number, at_least(1.0)] | None = None
    tip_to_brainstem_cm: Annotated[Number, at_least(0.0)] | None = None
    baseline_nrs: Annotated[Number, at_least(0.0), _at_most(NRS_MAX, "the scale's maximum")] | (
        None
    ) = None
    baseline_ashworth: (
        Annotated[Number, at_least(0.0), _at_most(ASHWORTH_MAX, "the scale's maximum")] | None
    ) = None
    sensitivity: Annotated[Number, at_least(1e-6)] | None = None
    demand: DemandHabitDoc | None = None
    check_interval: Annotated[Duration, AfterValidator(_check_interval)] | None = None
    seed: Annotated[Whole, at_least(0)] | None = None
