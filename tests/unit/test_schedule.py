"""The cyclic schedule's closed-form integral and inverse, against hand numbers."""

from __future__ import annotations

import math

import pytest

from thecal.core.pump.program import (
    Amount,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
    compile_program,
)
from thecal.core.pump.schedule import CycleSchedule

DAY = 86_400.0
PER_DAY = 1 / DAY


def flex() -> CycleSchedule:
    # 0.2 mL/day 00-07, 0.4 mL/day 07-22, 0.2 mL/day 22-24: 0.325 mL a day
    return CycleSchedule.build(
        DAY, [(0.0, 0.2 * PER_DAY), (7 * 3600.0, 0.4 * PER_DAY), (22 * 3600.0, 0.2 * PER_DAY)]
    )


def test_volume_over_whole_and_partial_cycles():
    s = flex()
    assert s.cycle_volume_ml == pytest.approx(0.325)
    assert s.volume_to(7 * 3600) == pytest.approx(0.2 * 7 / 24)
    assert s.volume_to(100 * DAY + 8 * 3600) == pytest.approx(100 * 0.325 + 0.2 * 7 / 24 + 0.4 / 24)


def test_inverse_finds_the_earliest_time():
    s = flex()
    # 0.2*7/24 = 0.058333 mL by 07:00; another 0.01 mL at 0.4 mL/day takes 0.6 h
    x = s.offset_reaching(0.0, 0.2 * 7 / 24 + 0.01, 0.0)
    assert x == pytest.approx(7 * 3600 + 0.6 * 3600)
    # a year and a bit later, from mid-cycle, with an extra (bolus) rate
    start = 365 * DAY + 3600.0
    target = 0.5
    got = s.offset_reaching(start, target, 0.1 * PER_DAY)
    assert s.volume_to(got) - s.volume_to(start) + 0.1 * PER_DAY * (got - start) == pytest.approx(
        target, abs=1e-12
    )


def test_inverse_skips_stopped_steps_to_the_first_moment_of_flow():
    s = CycleSchedule.build(DAY, [(0.0, 0.0), (12 * 3600.0, 1.0 * PER_DAY)])
    # nothing flows before noon: 0.01 mL needs noon + 0.24 h
    assert s.offset_reaching(0.0, 0.01, 0.0) == pytest.approx(12 * 3600 + 0.24 * 3600)
    assert CycleSchedule.build(DAY, [(0.0, 0.0)]).offset_reaching(0.0, 0.01, 0.0) == math.inf


def test_periodic_boluses_wrap_across_the_end_of_the_cycle():
    program = Program(
        drugs=(DrugConcentration("morphine", 10_000.0),),
        steps=(Step(0.0, rate_ml_per_s=0.24 * PER_DAY),),
        periodic_boluses=(PeriodicBolus(23 * 3600.0, Amount(mcg=200.0), 2 * 3600.0),),
    )
    sched = compile_program(program).schedule
    # 0.2 mg at 10 mg/mL = 0.02 mL over 2 h = 0.24 mL/day extra, from 23:00 to 01:00
    assert sched.rate_at(0.5 * 3600) == pytest.approx(0.48 * PER_DAY)
    assert sched.rate_at(23.5 * 3600) == pytest.approx(0.48 * PER_DAY)
    assert sched.rate_at(12 * 3600) == pytest.approx(0.24 * PER_DAY)
    assert sched.cycle_volume_ml == pytest.approx(0.24 + 0.02)
