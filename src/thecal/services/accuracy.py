"""Each pump model's delivery accuracy (SR-17): the start-up graph, the trumpet curve
and the bolus accuracy of core/pump/accuracy.py, run on the catalogue's models at the
rates of data/accuracy.toml, noiseless and with a bias at the catalogue's accuracy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thecal.core.drugs import DrugLibrary
from thecal.core.pump import constant_flow, firmware
from thecal.core.pump.accuracy import (
    BolusAccuracy,
    FlowRun,
    Step,
    bolus_accuracy,
    sample_delivery,
)
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.pump.program import Step as BasalStep
from thecal.core.units import SECONDS_PER_DAY

# a dilute drug keeps every rate and bolus far from any drug limit: this measures the
# pump, not the drug
_FLUID = (DrugConcentration("morphine", 100.0),)


@dataclass(frozen=True)
class AccuracyReport:
    model: PumpModel
    runs: tuple[FlowRun, ...]
    boluses: tuple[BolusAccuracy, ...]  # empty for a constant-flow pump (no bolus)


def _pump(model: PumpModel, library: DrugLibrary, rate_ml_per_day: float) -> tuple[Any, Step]:
    if not model.programmable:
        program = constant_flow.effective_program(model, _FLUID)
        flow = constant_flow.initial_flow_state(model, program, model.capacity_ml, 0.2)
        return flow, constant_flow.step
    program = Program(_FLUID, (BasalStep(0.0, rate_ml_per_s=rate_ml_per_day / SECONDS_PER_DAY),))
    state, _ = firmware.initial_state(model, library, program, model.capacity_ml, None, 0.2)
    return state, firmware.step


def accuracy_report(
    model: PumpModel, library: DrugLibrary, config: Mapping[str, float]
) -> AccuracyReport:
    biases = (0.0, model.accuracy_pct / 100.0)
    rates = (
        (config["low_rate_ml_day"], config["intermediate_rate_ml_day"])
        if model.programmable
        else (model.nominal_rate_ml_day,)
    )
    runs = []
    for rate in rates:
        for bias in biases:
            state, step = _pump(model, library, rate)
            runs.append(FlowRun(rate, bias, sample_delivery(state, step, bias)))
    boluses = []
    if model.programmable:
        duration_s = config["bolus_duration_min"] * 60.0
        for volume in (config["smallest_bolus_ml"], config["largest_bolus_ml"]):
            for bias in biases:
                state, step = _pump(model, library, 0.0)
                boluses.append(bolus_accuracy(state, step, volume, duration_s, bias))
    return AccuracyReport(model, tuple(runs), tuple(boluses))
