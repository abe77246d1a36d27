"""Therapy math against numbers worked out by hand or quoted in the sources."""

import pytest

from tests.programmer.helpers import DAY, HOUR, MG, demand, model, periodic, program
from thecal.core.errors import InputError
from thecal.core.pump.program import Step
from thecal.core.therapy import (
    ConversionTable,
    bridge_plan,
    concentration_mcg_per_ml,
    daily_doses,
    dose_mcg_per_day,
    path_volume_ml,
    rate_ml_per_day,
)
from thecal.data import conversions


def test_dose_rate_concentration_round_trip():
    assert dose_mcg_per_day(0.5, 10 * MG) == pytest.approx(5 * MG)  # 0.5 mL/d x 10 mg/mL
    assert rate_ml_per_day(3 * MG, 10 * MG) == pytest.approx(0.3)
    # fact 5: 0.048 mL/d x 25 mcg/mL = 1.2 mcg/d, so 1.2 mcg/d at 0.048 mL/d is 25 mcg/mL
    assert concentration_mcg_per_ml(1.2, 0.048) == pytest.approx(25.0)
    with pytest.raises(InputError) as err:
        rate_ml_per_day(1.0, 0.0)
    assert err.value.problems[0].path == "concentration"


def test_admixture_doses_follow_the_volume():
    # morphine 10 mg/mL + clonidine 150 mcg/mL at 3 mg/day of morphine: 0.3 mL/day,
    # so clonidine 0.3 x 150 = 45 mcg/day; 4 demand boluses of 0.1 mg = 0.04 mL add
    # 0.4 mg morphine and 6 mcg clonidine.
    p = program([("morphine", 10 * MG), ("clonidine", 150.0)], 3 * MG, demand=demand(100.0))
    d = daily_doses(p)
    assert d["morphine"].programmed_mcg == pytest.approx(3000.0)
    assert d["morphine"].max_mcg == pytest.approx(3400.0)
    assert d["clonidine"].programmed_mcg == pytest.approx(45.0)
    assert d["clonidine"].demand_max_mcg == pytest.approx(6.0)


def test_flex_day_and_periodic_bolus():
    # 00:00-07:00 at 3 mg/day (0.3 mL/day), 07:00-24:00 at 0.4 mL/day, 10 mg/mL:
    # 0.3 x 7/24 + 0.4 x 17/24 = 0.0875 + 0.283333 = 0.370833 mL = 3.70833 mg,
    # plus a 0.2 mg periodic bolus at 12:00.
    steps = (Step(0.0, dose_mcg_per_s=3 * MG / DAY), Step(7 * HOUR, rate_ml_per_s=0.4 / DAY))
    p = program([("morphine", 10 * MG)], steps=steps, periodic=[periodic(12, 200.0)])
    d = daily_doses(p)["morphine"]
    assert d.basal_mcg == pytest.approx(3708.333333, rel=1e-9)
    assert d.periodic_mcg == pytest.approx(200.0)


def test_path_volume_and_bridge_examples():
    # scenario-format.md: 90 cm x 2.6 uL/cm + 0.140 mL tubing = 0.374 mL
    assert path_volume_ml(model("peristaltic-20"), 90, 2.6) == pytest.approx(0.374)
    # drugs-and-dosing.md §3 worked example: 0.26 mL of path at 0.5 mL/d = 12.5 h,
    # at 0.048 mL/d = 5.4 d. A valve-gated pump has no tubing: 100 cm x 2.6 = 0.26 mL.
    vg = model("valve-gated-20")
    old = program([("morphine", 10 * MG)], rate_ml_per_day=0.5)
    new = program([("morphine", 20 * MG)], rate_ml_per_day=0.5)
    plan = bridge_plan(vg, 100, 2.6, old, new)
    assert plan.volume_ml == pytest.approx(0.26)
    assert plan.clear_without_bridge_days * 24 == pytest.approx(12.48)
    assert plan.old_drug_mcg["morphine"] == pytest.approx(2600.0)  # 0.26 mL x 10 mg/mL
    # at the old program's 0.5 mL/day the same 0.26 mL takes 12.48 h: over that long the
    # bridge keeps the old dose rate (the old and new rates differ in the next example)
    assert plan.at_old_rate_days * 24 == pytest.approx(12.48)
    halved = program([("morphine", 20 * MG)], rate_ml_per_day=0.25)  # same 5 mg/day
    both = bridge_plan(vg, 100, 2.6, old, halved)
    assert (both.clear_without_bridge_days * 24, both.at_old_rate_days * 24) == (
        pytest.approx(24.96), pytest.approx(12.48))  # fmt: skip
    slow = program([("morphine", 20 * MG)], rate_ml_per_day=0.048)
    assert bridge_plan(vg, 100, 2.6, old, slow).clear_without_bridge_days == pytest.approx(
        0.26 / 0.048
    )  # 5.42 d
    with pytest.raises(InputError) as err:
        path_volume_ml(vg, -1, 2.6)
    assert err.value.problems[0].path == "catheter.length_cm"


@pytest.fixture(scope="module")
def table():
    return ConversionTable.from_mapping(conversions())


def test_morphine_oral_to_intrathecal(table):
    # §3: IT = oral / 300 (conservative) or / 100 (aggressive)
    c = table.convert(300.0, ("morphine", "oral"), ("morphine", "intrathecal"))
    assert (c.conservative, c.aggressive) == pytest.approx((1.0, 3.0))
    assert len(c.steps) == 1  # the direct sourced ratio, not the 3 x 10 x 10 chain
    # IV -> IT through epidural: 100 : 10 : 1
    c = table.convert(100.0, ("morphine", "iv"), ("morphine", "intrathecal"))
    assert (c.conservative, c.aggressive) == pytest.approx((1.0, 1.0))


def test_hydromorphone_and_fentanyl_ratios(table):
    # fact 20: 1 mg IV = 0.2 mg epidural = 0.04 mg IT (5:5); [E23] the commonest answer is
    # 100:10:1 for hydromorphone and fentanyl too: 1 mg IV -> 0.01 mg IT, the conservative
    # end (limits-audit.md §1 item 4: 0.04 was "conservative" before, 4x more)
    c = table.convert(1.0, ("hydromorphone", "iv"), ("hydromorphone", "intrathecal"))
    assert (c.conservative, c.aggressive) == pytest.approx((0.01, 0.04))
    assert c.reduction_pct is None  # the same drug onto the IT route: no reduction
    # fentanyl 100 mcg IV: 100 / (10 x 10) = 1 mcg to 100 / (3.03 x 3.3) = 10 mcg IT
    c = table.convert(100.0, ("fentanyl", "iv"), ("fentanyl", "intrathecal"))
    assert (c.conservative, c.aggressive) == pytest.approx((1.0, 10.0))
    # 3 mg IT morphine = 3/6 to 3/5 mg IT hydromorphone (§3, fact 11), less the 25-50 %
    # cross-tolerance reduction: 0.5 x 0.5 = 0.25 to 0.6 x 0.75 = 0.45 mg
    c = table.convert(3.0, ("morphine", "intrathecal"), ("hydromorphone", "intrathecal"))
    assert (c.conservative, c.aggressive) == pytest.approx((0.25, 0.45))
    assert c.reduction_pct == (25.0, 50.0)
    # and back again, reduced the same way: 2.5 x 0.5 = 1.25 to 3.0 x 0.75 = 2.25 mg
    c = table.convert(0.5, ("hydromorphone", "intrathecal"), ("morphine", "intrathecal"))
    assert (c.conservative, c.aggressive) == pytest.approx((1.25, 2.25))


def test_coming_off_intrathecal_takes_the_reduction_too(table):
    # 1 mg IT morphine -> oral: 100-300 mg raw; less 50 % / 25 %: 50 to 225 mg. ([E24]
    # reports a patient who needed 12:1: the conservative figure is still a ceiling to
    # titrate up to, docs/safety-rules.md says so.)
    c = table.convert(1.0, ("morphine", "intrathecal"), ("morphine", "oral"))
    assert (c.conservative, c.aggressive) == pytest.approx((50.0, 225.0))


def test_conversion_without_a_sourced_path_is_refused(table):
    with pytest.raises(InputError) as err:
        table.convert(10.0, ("sufentanil", "iv"), ("morphine", "intrathecal"))
    assert err.value.problems[0].path == "from"
    with pytest.raises(InputError) as err:
        table.convert(10.0, ("fentanyl", "iv"), ("morphine", "intrathecal"))
    assert "no chain of sourced ratios" in err.value.problems[0].message
