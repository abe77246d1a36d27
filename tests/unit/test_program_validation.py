"""Program validation (pump-behaviour.md §3): every reason listed, with its path."""

from __future__ import annotations

import pytest

from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
    validate_program,
)
from thecal.data import drug_library, pump_catalogue

DAY = 86_400.0
MORPHINE = (DrugConcentration("morphine", 10_000.0),)


def check(program, model="peristaltic-20"):
    return [
        (p.path, p.message)
        for p in validate_program(program, pump_catalogue().get(model), drug_library())
    ]


def paths(program, model="peristaltic-20"):
    return [p for p, _ in check(program, model)]


def rate(ml_per_day):
    return ml_per_day / DAY


def test_a_good_program_passes():
    p = Program(
        MORPHINE,
        (Step(0.0, rate_ml_per_s=rate(0.5)), Step(7 * 3600.0, dose_mcg_per_s=4000 / DAY)),
        demand_bolus=DemandBolus(Amount(mcg=100.0), 600.0, 3 * 3600.0, 4),
    )
    assert check(p) == []


def test_zero_is_a_stopped_step_but_below_the_minimum_is_refused():
    assert check(Program(MORPHINE, (Step(0.0, rate_ml_per_s=0.0),))) == []
    assert paths(Program(MORPHINE, (Step(0.0, rate_ml_per_s=rate(0.04)),))) == [
        "basal.steps[0].rate"
    ]


@pytest.mark.sr("SR-14")
def test_the_largest_rate_that_can_occur_is_checked_and_equal_is_allowed():
    """SR-14: a patient bolus runs on top of the basal; thecal refuses at programming
    any program whose basal + boluses could pass the pump's maximum, so the firmware
    never has to cut a bolus short at run time (docs/alarms.md)."""
    # basal 23 mL/day + a 1 mL/day periodic bolus = 24 (allowed); + a demand bolus: too much
    periodic = (PeriodicBolus(0.0, Amount(ml=1 / 24), 3600.0),)
    assert (
        check(Program(MORPHINE, (Step(0.0, rate_ml_per_s=rate(23)),), periodic_boluses=periodic))
        == []
    )
    demand = DemandBolus(Amount(ml=0.01), 600.0, 3600.0, 4)  # 1.44 mL/day
    problems = check(
        Program(
            MORPHINE,
            (Step(0.0, rate_ml_per_s=rate(23)),),
            periodic_boluses=periodic,
            demand_bolus=demand,
        )
    )
    assert [p for p, _ in problems] == ["basal"]
    assert "25.44 mL/day" in problems[0][1]


def test_every_problem_is_listed_not_just_the_first():
    p = Program(
        drugs=(DrugConcentration("baclofen", 500.0),),
        steps=(Step(3600.0, rate_ml_per_s=rate(0.5)), Step(0.0, rate_ml_per_s=rate(30))),
        cycle_days=8,
        periodic_boluses=(PeriodicBolus(0.0, Amount(ml=0.1), 9 * DAY),),
        demand_bolus=DemandBolus(Amount(mcg=50.0), 3600.0, 600.0, 0),
    )
    assert set(paths(p)) == {
        "basal.cycle_days",
        "basal.steps[0].start",
        "basal.steps[1].start",
        "basal.steps[1].rate",
        "periodic_boluses[0].duration",
        "demand_bolus.lockout",
        "demand_bolus.max_per_24h",
        "demand_bolus",  # baclofen is never demand-eligible
    }


def test_demand_bolus_is_refused_for_baclofen_in_an_admixture():
    p = Program(
        (DrugConcentration("morphine", 10_000.0), DrugConcentration("baclofen", 500.0)),
        (Step(0.0, rate_ml_per_s=rate(0.5)),),
        demand_bolus=DemandBolus(Amount(mcg=100.0), 600.0, 3600.0, 4),
    )
    problems = check(p)
    assert problems == [
        (
            "demand_bolus",
            "'baclofen' (drugs[1]) is not eligible for patient demand boluses in the drug library",
        )
    ]


def test_unknown_drug_names_the_accepted_ones():
    problems = check(
        Program((DrugConcentration("morfine", 10_000.0),), (Step(0.0, rate_ml_per_s=rate(0.5)),))
    )
    assert problems[0][0] == "drugs[0].name" and "morphine" in problems[0][1]


@pytest.mark.parametrize("model", ["constant-flow-20", "constant-flow-35"])
def test_constant_flow_programs_name_only_drugs(model):
    assert check(Program(MORPHINE, ()), model) == []
    assert paths(Program(MORPHINE, (Step(0.0, rate_ml_per_s=rate(0.5)),)), model) == ["basal"]


def test_the_minimum_rate_survives_the_trip_through_ml_per_s():
    # 0.048 mL/day -> mL/s -> mL/day is 0.047999999999999994: still the minimum, allowed
    assert check(Program(MORPHINE, (Step(0.0, rate_ml_per_s=0.048 / DAY),))) == []
    assert paths(Program(MORPHINE, (Step(0.0, rate_ml_per_s=0.0479 / DAY),))) == [
        "basal.steps[0].rate"
    ]


@pytest.mark.sr("SR-12")
def test_a_dose_window_below_one_bolus_is_refused_and_it_bounds_the_daily_volume():
    from thecal.adapters.schema.program import ProgramDoc
    from thecal.core.pump.volumes import daily_volumes

    def doc(window):
        return ProgramDoc.model_validate(
            {
                "drugs": [{"name": "morphine", "concentration": "10 mg/mL"}],
                "basal": {"steps": [{"start": "00:00", "rate": "0.5 mL/day"}]},
                "demand_bolus": {"amount": "100 mcg", "duration": "10 min", "lockout": "1 h",
                                 "max_per_24h": 6, "max_dose_per_24h": window},
            }
        ).core()  # fmt: skip

    assert paths(doc("99 mcg")) == ["demand_bolus.max_dose_per_24h"]
    # 0.25 mg a day allows two 100 mcg boluses (a third would pass it): 2 x 0.01 mL
    assert doc("0.25 mg").demand_bolus.max_mcg_per_24h == pytest.approx(250.0)
    assert daily_volumes(doc("0.25 mg")).demand_max_ml == pytest.approx(0.02)
    assert daily_volumes(doc("2 mg")).demand_max_ml == pytest.approx(0.06)  # the count
