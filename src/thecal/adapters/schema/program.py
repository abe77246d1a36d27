"""A program as people write it (scenario files, programmer inputs, the web) -> a core
`Program` in canonical units. Whether the pump accepts it is the core's
`validate_program`, run by each reader against its pump."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from thecal.adapters.schema.base import Doc
from thecal.adapters.schema.types import (
    BolusAmount,
    Clock,
    Concentration,
    DoseRate,
    DrugAmount,
    Duration,
    Rate,
    Text,
    VolumeMl,
    Whole,
    at_least,
    at_most,
    not_negative,
    refuse,
)
from thecal.core.pump.program import (
    MAX_CYCLE_DAYS,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
)

# The format's default low-reservoir alarm when a file gives none (scenario-format.md).
DEFAULT_LOW_RESERVOIR_ALARM_ML = 2.0


class DrugDoc(Doc):
    name: Text
    concentration: Concentration

    def core(self) -> DrugConcentration:
        return DrugConcentration(self.name, self.concentration)


class StepDoc(Doc):
    """One basal step from `start`: a rate ('0.5 mL/day') or a dose ('3 mg/day')."""

    start: Clock
    rate: Annotated[Rate, AfterValidator(not_negative)] | None = None
    dose: Annotated[DoseRate, AfterValidator(not_negative)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> StepDoc:
        if (self.rate is None) == (self.dose is None):
            raise refuse("give exactly one of 'rate' (e.g. '0.5 mL/day') or 'dose' (e.g. "
                         "'3 mg/day')")  # fmt: skip
        return self

    def core(self) -> Step:
        if self.rate is not None:
            return Step(self.start, rate_ml_per_s=self.rate)
        return Step(self.start, dose_mcg_per_s=self.dose)


class BasalDoc(Doc):
    cycle_days: Annotated[Whole, at_least(1), at_most(MAX_CYCLE_DAYS, "1 to 7 days")] = 1
    steps: list[StepDoc]


class PeriodicBolusDoc(Doc):
    at: Clock
    amount: BolusAmount
    duration: Duration


class DemandBolusDoc(Doc):
    amount: BolusAmount
    duration: Duration
    lockout: Duration
    max_per_24h: Whole
    # the most drug the boluses may give in any 24 h, e.g. "0.5 mg" (SR-12)
    max_dose_per_24h: DrugAmount | None = None


class ProgramDoc(Doc):
    """A program; a constant-flow pump's names only its drugs (no basal)."""

    drugs: list[DrugDoc]
    basal: BasalDoc | None = None
    periodic_boluses: list[PeriodicBolusDoc] = Field(default_factory=list)
    demand_bolus: DemandBolusDoc | None = None
    low_reservoir_alarm_ml: VolumeMl = DEFAULT_LOW_RESERVOIR_ALARM_ML

    def core(self) -> Program:
        basal = self.basal or BasalDoc(steps=[])
        d = self.demand_bolus
        demand = None if d is None else DemandBolus(d.amount, d.duration, d.lockout,
                                                    d.max_per_24h, d.max_dose_per_24h)  # fmt: skip
        return Program(
            tuple(x.core() for x in self.drugs),
            tuple(s.core() for s in basal.steps),
            basal.cycle_days,
            tuple(PeriodicBolus(p.at, p.amount, p.duration) for p in self.periodic_boluses),
            demand,
            self.low_reservoir_alarm_ml,
        )


class PumpProgramDoc(ProgramDoc):
    """A programmable pump's program: the basal schedule is required."""

    basal: BasalDoc
