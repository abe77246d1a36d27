"""A naive pump's first fill of ziconotide is refilled within 14 days (drugs-and-dosing
F8: the drug adsorbs to a pump it has not met), later fills within 84 (undiluted).
The clinic booked a new ziconotide pump's first refill by the 84 days, and by no
stability at all when the clinic never set the flag. Ziconotide 25 mcg/mL at 1.2
mcg/day is 0.048 mL/day: 19 mL lasts about 395 days, so stability sets the date."""

from __future__ import annotations

import pytest

from tests.services.world import DAY, DR, RN, T0, Clinicians
from thecal.core.pump.program import DrugConcentration, Program, Step
from thecal.core.therapy.refill import naive_fill
from thecal.data import drug_library
from thecal.services.clinic.transactions import RefillInput

ZICONOTIDE = (DrugConcentration("ziconotide", 25.0),)
MORPHINE = (DrugConcentration("morphine", 10_000.0),)


def ziconotide() -> Program:
    return Program(ZICONOTIDE, (Step(0.0, dose_mcg_per_s=1.2 / DAY),), low_reservoir_alarm_ml=3.0)


def test_a_fill_is_naive_when_it_brings_a_drug_with_a_first_fill_limit_new_to_the_pump():
    library = drug_library()
    assert naive_fill((), ZICONOTIDE, library)  # a new pump
    assert not naive_fill(ZICONOTIDE, ZICONOTIDE, library)  # a refill of the same drug
    assert naive_fill(MORPHINE, ZICONOTIDE, library)  # ziconotide new to this pump
    assert not naive_fill((), MORPHINE, library)  # morphine has no first-fill limit


def test_a_new_ziconotide_pump_is_booked_14_days_out_then_84_after_its_first_refill():
    c = Clinicians()
    pid = c.patient("Z1", ziconotide(), indication="non_cancer")
    assert c.pump(pid).naive_fill
    c.clinic.care.sync(pid, T0 + DAY)
    first = c.pump(pid).outlook
    assert first.refill_due_s == pytest.approx(T0 + 14 * DAY)
    assert first.refill_due_reason == (
        "ziconotide first fill of a naive pump: 14 d after the last fill"
    )
    at = T0 + 10 * DAY
    c.refill(RN, pid, RefillInput(15.0, ZICONOTIDE, None, None, "LOT-Z"), at)
    pump = c.pump(pid)
    assert not pump.naive_fill
    assert pump.outlook.refill_due_s == pytest.approx(at + 84 * DAY)
    assert pump.outlook.refill_due_reason == "ziconotide stability: 84 d after the last fill"
    # the implant's first fill, booked by the 14 days, then this refill
    assert [r.next_refill_s for r in c.table("refills")] == [
        pytest.approx(T0 + 14 * DAY), pytest.approx(at + 84 * DAY)]  # fmt: skip


def test_a_refill_that_brings_ziconotide_to_a_morphine_pump_is_booked_14_days_out():
    """The plan reads the running fluid (morphine) before the new one (ziconotide): the
    new fill is the pump's first of ziconotide. The fluid change asks for the new
    program (ziconotide alone at 1.2 mcg/day) and a bridge for the old fluid."""
    c = Clinicians()
    pid = c.patient("Z2", Program(MORPHINE, (Step(0.0, dose_mcg_per_s=3000.0 / DAY),),
                                  low_reservoir_alarm_ml=3.0), indication="non_cancer")  # fmt: skip
    assert not c.pump(pid).naive_fill
    at = T0 + 20 * DAY
    c.refill(DR, pid, RefillInput(15.0, ZICONOTIDE, None, ziconotide(), "LOT-Z",
                                  bridge_duration_s=3600.0), at, verifier="ph.c")  # fmt: skip
    assert c.pump(pid).naive_fill
    # the morphine first fill: 19 mL down to the 3 mL alarm at 0.3 mL/day, 3 d early
    assert [r.next_refill_s for r in c.table("refills")] == [
        pytest.approx(T0 + (16 / 0.3 - 3) * DAY), pytest.approx(at + 14 * DAY)]  # fmt: skip
