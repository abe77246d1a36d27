"""The program as a document a clinician edits, in each drug's own unit: baclofen is
labelled and dosed in mcg (2000 mcg/mL, 1200 mcg/day), morphine in mg. Without the
units the writer keeps its old rule (mg from 1000 mcg up), which the API answers."""

from __future__ import annotations

from thecal.adapters.scenario.program_writer import program_document
from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
)
from thecal.core.units import SECONDS_PER_DAY


def baclofen_1200() -> Program:
    return Program(
        drugs=(DrugConcentration("baclofen", 2000.0),),
        steps=(Step(0.0, dose_mcg_per_s=1200.0 / SECONDS_PER_DAY),),
        periodic_boluses=(PeriodicBolus(8 * 3600.0, Amount(mcg=1500.0), 1800.0),),
        demand_bolus=DemandBolus(Amount(mcg=50.0), 600.0, 4 * 3600.0, 2),
    )


def test_in_each_drugs_unit_baclofen_reads_in_mcg():
    doc = program_document(baclofen_1200(), {"baclofen": "mcg"})
    assert doc["drugs"] == [{"name": "baclofen", "concentration": "2000 mcg/mL"}]
    assert doc["basal"]["steps"] == [{"start": "00:00", "dose": "1200 mcg/day"}]
    assert doc["periodic_boluses"][0]["amount"] == "1500 mcg"
    assert doc["demand_bolus"]["amount"] == "50 mcg"


def test_morphine_reads_in_mg_even_below_a_milligram():
    morphine = Program(
        drugs=(DrugConcentration("morphine", 10_000.0),),
        steps=(Step(0.0, dose_mcg_per_s=500.0 / SECONDS_PER_DAY),),
    )
    doc = program_document(morphine, {"morphine": "mg"})
    assert doc["drugs"] == [{"name": "morphine", "concentration": "10 mg/mL"}]
    assert doc["basal"]["steps"] == [{"start": "00:00", "dose": "0.5 mg/day"}]
    # a second drug in its own unit; doses stay the first drug's
    mixed = Program(
        drugs=(DrugConcentration("morphine", 10_000.0), DrugConcentration("clonidine", 500.0)),
        steps=morphine.steps,
    )
    doc = program_document(mixed, {"morphine": "mg", "clonidine": "mcg"})
    assert [d["concentration"] for d in doc["drugs"]] == ["10 mg/mL", "500 mcg/mL"]


def test_without_units_mg_from_a_thousand_mcg_up():
    doc = program_document(baclofen_1200())
    assert doc["drugs"] == [{"name": "baclofen", "concentration": "2 mg/mL"}]
    assert doc["basal"]["steps"] == [{"start": "00:00", "dose": "1.2 mg/day"}]
    assert doc["demand_bolus"]["amount"] == "50 mcg"
