"""Issue 24: a pump that ran empty for weeks, refilled in the clinic. The interruption
comes from the pump's own log (the EMPTY_RESERVOIR alarm's onset), never typed; the
refill that would resume the old opioid dose is checked as the new start it is."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db.models import AlarmRow
from thecal.core.errors import Refused
from thecal.core.pump.program import DrugConcentration, Program, Step
from thecal.services.clinic.gate import Signoff
from thecal.services.clinic.transactions import RefillInput

MORPHINE_10 = (DrugConcentration("morphine", 10_000.0),)


def test_a_refill_after_67_days_empty_restarts_morphine_as_a_new_start(world):
    """Ann: morphine 10 mg/mL at 3 mg/day (0.3 mL/day), 19 mL filled at T0: the pump's
    estimate reaches 0 after 19 / 0.3 = 63.3 days (EMPTY_RESERVOIR then)."""
    w, nurse = world, world.users["nurse"]
    w.clinic.care.sync(w.a, T0 + 70 * DAY)  # the clinic's sync stores what the pump logged
    with w.db.reads() as db:
        rows = select(AlarmRow).where(AlarmRow.patient_id == w.a)
        [empty] = db.scalars(rows.where(AlarmRow.code == "EMPTY_RESERVOIR"))
        assert empty.onset_s == pytest.approx(T0 + 19.0 / 0.3 * DAY, abs=600)
    at = empty.onset_s + 67 * DAY
    same = RefillInput(15.0, MORPHINE_10, None, None, "LOT-R1")
    _, review = w.clinic.therapy.plan_refill(nurse, w.a, same, Signoff(), at)
    hard = {f.code for f in review.proposal.findings if f.severity == "hard"}
    assert "START_ABOVE_LABEL_NAIVE" in hard  # 3.3 mg/day with boluses > the label's 1 mg
    with pytest.raises(Refused, match="START_ABOVE_LABEL_NAIVE"):
        w.clinic.therapy.record_refill(w.users["physician"], w.a, same, w.signed(review), at,
                               review.therapy_version)  # fmt: skip
    # re-titrated: 0.8 mg/day, no patient bolus until the dose is found again
    low = Program(MORPHINE_10, (Step(0.0, dose_mcg_per_s=800.0 / DAY),), low_reservoir_alarm_ml=3.0)
    again = RefillInput(15.0, MORPHINE_10, None, low, "LOT-R1")
    _, review = w.clinic.therapy.plan_refill(w.users["physician"], w.a, again, Signoff(), at)
    soft = {f.code for f in review.proposal.findings if f.severity == "soft"}
    assert "START_ABOVE_CEILING" in soft  # above PACC's 0.5 mg/day: acknowledged with a reason
    assert not [f for f in review.proposal.findings if f.severity == "hard"]
    _, record = w.clinic.therapy.record_refill(
            w.users["physician"], w.a, again, w.signed(review), at,
            review.therapy_version)  # fmt: skip
    assert record["status"] == "committed"


def test_a_short_gap_is_not_a_restart(world):
    """Empty for about a day (under the 72 h policy threshold): the refill resumes 3 mg/day."""
    w, nurse = world, world.users["nurse"]
    w.clinic.care.sync(w.a, T0 + 64 * DAY)
    at = T0 + 64.5 * DAY
    _, review = w.clinic.therapy.plan_refill(nurse, w.a, RefillInput(15.0, MORPHINE_10, None, None,
                                                             "LOT-R2"), Signoff(), at)  # fmt: skip
    assert not [f for f in review.proposal.findings if f.rule_id == "DD-03"]
