"""A refill's new program version says what changed: every one read "refill with new
fluid", a restart at a lower dose of the same fluid too."""

from __future__ import annotations

from thecal.core.pump.program import DrugConcentration, Program, Step
from thecal.services.program_diff import refill_change

DAY = 86400.0


def morphine(conc_mcg_per_ml: float, mcg_per_day: float) -> Program:
    return Program((DrugConcentration("morphine", conc_mcg_per_ml),),
                   (Step(0.0, dose_mcg_per_s=mcg_per_day / DAY),))  # fmt: skip


def test_each_kind_of_refill_change_is_named():
    running = morphine(10_000.0, 3000.0)
    # 20 mg/mL at the same 3 mg/day: half the mL per day, the same drug
    assert refill_change(running, morphine(20_000.0, 3000.0)) == "new fluid, same daily dose"
    assert refill_change(running, morphine(10_000.0, 500.0)) == "new daily dose"
    assert refill_change(running, morphine(20_000.0, 500.0)) == "new fluid and daily dose"
    assert refill_change(None, running) == "new fluid and daily dose"  # nothing ran
