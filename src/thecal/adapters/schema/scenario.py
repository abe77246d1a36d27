"""The scenario file (scenario-format.md) as pydantic models: the shape of the file,
its units and every check within one object. What needs the pump or the library
(capacity, constant-flow limits, the core's program rules) is checked by the reader
(`adapters/scenario/document.py`) against the catalogue it is given."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from thecal.adapters.schema.base import Doc
from thecal.adapters.schema.program import DrugDoc, ProgramDoc
from thecal.adapters.schema.types import (
    BolusAmount,
    ClockOrSeconds,
    Duration,
    NonNegative,
    Number,
    Text,
    VolumeMl,
    at_least,
    choice,
    not_negative,
    positive,
    refuse,
)
from thecal.core.pump import commands as c

# A plausibility floor for the constant-flow physics, not a clinical limit: a body
# temperature below it is a typing slip, not a patient.
BODY_TEMP_FLOOR_C = 25.0


class PumpDoc(Doc):
    model: str
    overrides: dict[str, NonNegative] = Field(default_factory=dict)


class CatheterDoc(Doc):
    length_cm: NonNegative
    # None: the figure for the catheter sold with the pump model (pumps.toml)
    ul_per_cm: NonNegative | None = None
    initial: choice(("drug", "saline")) = "drug"  # type: ignore[valid-type]


class ReservoirDoc(Doc):
    fill_ml: VolumeMl | None = None  # None: filled to the model's capacity
    entered_ml: VolumeMl | None = None


class DemandRequestEvent(Doc):
    t: ClockOrSeconds
    type: Literal["demand_request"]
    id: Text


class ProgramEvent(Doc):
    t: ClockOrSeconds
    type: Literal["program"]
    program: ProgramDoc


class RefillEvent(Doc):
    t: ClockOrSeconds
    type: Literal["refill"]
    add_ml: Annotated[VolumeMl, AfterValidator(not_negative)]
    pocket_fill_ml: VolumeMl = 0.0
    drugs: list[DrugDoc]
    entered_ml: VolumeMl | None = None

    @field_validator("pocket_fill_ml")
    @classmethod
    def _within_added(cls, value: float, info: ValidationInfo) -> float:
        add = info.data.get("add_ml")
        if add is not None and not 0 <= value <= add:
            raise refuse(f"must be 0 to add_ml ({add:g} mL)")
        return value


class BolusEvent(Doc):
    t: ClockOrSeconds
    type: Literal["bolus"]
    kind: choice(c.PROGRAMMER_BOLUS_KINDS)  # type: ignore[valid-type]
    amount: BolusAmount
    duration: Annotated[Duration, AfterValidator(positive)]


class SuspendEvent(Doc):
    t: ClockOrSeconds
    type: Literal["suspend"]


class ResumeEvent(Doc):
    t: ClockOrSeconds
    type: Literal["resume"]


class ValveResetEvent(Doc):
    t: ClockOrSeconds
    type: Literal["valve_reset"]


class FaultEvent(Doc):
    t: ClockOrSeconds
    type: Literal["fault"]
    fault: choice(c.FAULTS)  # type: ignore[valid-type]
    value: Annotated[Number, at_least(-1.0)] | None = None  # a bias: a fraction >= -1

    @model_validator(mode="after")
    def _value_for_bias_only(self) -> FaultEvent:
        if self.fault == "bias" and self.value is None:
            raise refuse("value is required for a bias: a fraction >= -1, e.g. 0.2")
        if self.fault != "bias" and self.value is not None:
            raise refuse("only a bias takes a value")
        return self


class MriEvent(Doc):
    t: ClockOrSeconds
    type: Literal["mri"]
    duration: Annotated[Duration, AfterValidator(not_negative)]
    recovery: Annotated[Duration, AfterValidator(not_negative)] = 0.0


class EnvironmentEvent(Doc):
    t: ClockOrSeconds
    type: Literal["environment"]
    body_temp_c: Annotated[Number, at_least(BODY_TEMP_FLOOR_C)] | None = None
    ambient_kpa: NonNegative | None = None


Event = Annotated[
    DemandRequestEvent | ProgramEvent | RefillEvent | BolusEvent | SuspendEvent | ResumeEvent
    | FaultEvent | MriEvent | ValveResetEvent | EnvironmentEvent,
    Field(discriminator="type"),
]  # fmt: skip


class ScenarioDoc(Doc):
    """One implanted pump, its first program, and everything that happens to it."""

    pump: PumpDoc
    catheter: CatheterDoc
    reservoir: ReservoirDoc = ReservoirDoc()
    duration: Annotated[Duration, AfterValidator(positive)]
    program: ProgramDoc
    events: list[Event] = Field(default_factory=list)
