"""What a pump delivers when it is sent a program, and what it is sent for a proposal:
one answer for the implant, a transfer in, a refill and the pump's own rule (PUMP-3),
which each had their own lines (issue 27: one home per rule)."""

from __future__ import annotations

import pytest

from thecal.core.errors import InputError
from thecal.core.pump.constant_flow import delivered_by, sent_for
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.data import pump_catalogue

DAY = 86_400.0
MORPHINE = (DrugConcentration("morphine", 10_000.0),)  # 10 mg/mL
CF20, PERI = pump_catalogue().get("constant-flow-20"), pump_catalogue().get("peristaltic-20")


def test_a_constant_flow_pump_gives_its_drugs_at_its_fixed_flow():
    given = delivered_by(CF20, Program(MORPHINE, ()), "program")
    [step] = given.steps
    # constant-flow-20 runs at 0.5 mL/day (pumps.toml): 10 mg/mL gives 5 mg/day
    assert step.start_s == 0.0 and step.rate_ml_per_s * DAY == pytest.approx(0.5)
    assert step.rate_ml_per_s * DAY * MORPHINE[0].concentration_mcg_per_ml == pytest.approx(5000)
    assert given.low_reservoir_alarm_ml == 0.0  # it has no alarm
    # it is sent its drugs only, so PUMP-3 judges what it really receives
    assert sent_for(CF20, given) == Program(MORPHINE, ())


@pytest.mark.parametrize("extra", [
    {"steps": (Step(0.0, rate_ml_per_s=0.5 / DAY),)},
    {"demand_bolus": DemandBolus(Amount(ml=0.01), 600.0, 3600.0, 4)},
])  # fmt: skip
def test_a_rate_or_bolus_sent_to_a_constant_flow_pump_is_refused_by_its_field(extra):
    sent = Program(MORPHINE, extra.get("steps", ()), demand_bolus=extra.get("demand_bolus"))
    with pytest.raises(InputError) as refused:
        delivered_by(CF20, sent, "program_after")
    [problem] = refused.value.problems
    assert problem.path == "program_after"
    assert problem.message == ("constant-flow-20 is constant-flow: its rate is fixed, so what "
                               "it is given names only its fluid; its dose changes with the "
                               "concentration")  # fmt: skip


def test_a_programmable_pump_runs_what_it_is_sent_and_is_sent_what_is_proposed():
    stepped = Program(MORPHINE, (Step(0.0, rate_ml_per_s=0.3 / DAY),))
    assert delivered_by(PERI, stepped, "program") is stepped
    assert sent_for(PERI, stepped) is stepped
    bare = Program(MORPHINE, ())  # refused later by PUMP-3 ("at least one step"), not here
    assert delivered_by(PERI, bare, "program") is bare
    # a constant-flow proposal that is not its own flow is sent as it is (PUMP-3 refuses)
    assert sent_for(CF20, stepped) is stepped
