"""Refill plans: reconciliation, volumes and the next date, computed by hand."""

import pytest

from tests.programmer.helpers import DAY, MG, codes, demand, model, program
from thecal.core.pump.program import DrugConcentration
from thecal.core.therapy import RefillRequest, plan_refill
from thecal.core.therapy.reconcile import OK, OVERINFUSION, POCKET_OR_LEAK, UNDERINFUSION
from thecal.data import drug_library, policy

MORPHINE = (DrugConcentration("morphine", 10 * MG),)
P = program([("morphine", 10 * MG)], rate_ml_per_day=0.5)
NOW = 1000 * DAY


def plan(model_id="peristaltic-20", estimate=5.0, add=15.0, drugs=MORPHINE, prog=P, **kw):
    req = RefillRequest(model(model_id), NOW, estimate, prog, add, drugs, **kw)
    return plan_refill(req, drug_library(), policy())


def test_expected_withdrawal_is_the_estimate_above_the_dead_volume():
    p = plan(estimate=5.0, withdrawn_ml=2.6)  # 5.0 - 2.4 = 2.6 expected
    assert p.reconciliation.expected_withdrawal_ml == pytest.approx(2.6)
    assert p.reconciliation.classification == OK
    assert codes(p.reconciliation.findings) == {("SR-21", "info", "REFILL_RECONCILED")}


@pytest.mark.sr("SR-21")
def test_small_pump_flags_more_than_one_ml():
    # 20 mL pump: 1.2 mL withdrawn of 2.6 expected is 1.4 mL short (> 1 mL, fact 33)
    p = plan(estimate=5.0, withdrawn_ml=1.2)
    assert p.reconciliation.discrepancy_ml == pytest.approx(-1.4)
    assert p.reconciliation.classification == OVERINFUSION
    assert codes(p.reconciliation.findings) == {("SR-21", "soft", "REFILL_DISCREPANCY")}
    # 0.9 mL short is within the 1 mL threshold
    assert plan(estimate=5.0, withdrawn_ml=1.7).reconciliation.classification == OK


@pytest.mark.sr("SR-21")
def test_large_pump_threshold_is_two_ml_and_the_accuracy_band_applies():
    # 40 mL pump, 1.8 mL short: under 2 mL; programmed since last refill 40 - 10 = 30 mL,
    # delivered 31.8 mL: ratio 1.06, inside +/-14.5 % -> ok
    p = plan("peristaltic-40", estimate=10.0, add=30.0, withdrawn_ml=5.8, previous_entered_ml=40)
    assert p.reconciliation.threshold_ml == 2.0
    assert p.reconciliation.ratio == pytest.approx(31.8 / 30.0)
    assert p.reconciliation.classification == OK
    # 1.6 mL short of 3.6 mL after only 4 mL programmed: ratio 5.6 / 4 = 1.4, outside
    # the band though under 2 mL -> possible overinfusion
    p = plan("peristaltic-40", estimate=6.0, add=30.0, withdrawn_ml=2.0, previous_entered_ml=10)
    assert p.reconciliation.ratio == pytest.approx(1.4)
    assert p.reconciliation.classification == OVERINFUSION


@pytest.mark.sr("SR-21")
def test_underinfusion_and_pocket_fill():
    # the occlusion example: 12.6 mL withdrawn, 3.4 mL expected (estimate 5.8 mL)
    p = plan(estimate=5.8, withdrawn_ml=12.6)
    assert p.reconciliation.classification == UNDERINFUSION
    # entered 20 mL at the last refill, estimate 15 (5 mL programmed), 12.6 expected,
    # nothing came out: 17.6 mL "delivered" = 3.5x programmed -> it went elsewhere
    p = plan(estimate=15.0, withdrawn_ml=0.0, previous_entered_ml=20.0)
    assert p.reconciliation.ratio == pytest.approx(3.52)
    assert p.reconciliation.classification == POCKET_OR_LEAK


@pytest.mark.sr("SR-24")
def test_overfill_and_a_wrong_entered_volume_are_refused():
    # 2.4 mL stays in a 20 mL pump: 2.4 + 18 = 20.4 mL > 20
    p = plan(estimate=4.0, add=18.0)
    assert ("SR-24", "hard", "OVERFILL") in codes(p.findings)
    # devices.md F69: 20 mL in the pump, 40 mL entered
    p = plan(estimate=4.0, add=17.6, entered_ml=40.0)
    assert ("SR-24", "hard", "ENTERED_VOLUME_MISMATCH") in codes(p.findings)
    assert p.volume_after_ml == pytest.approx(20.0)
    assert plan(estimate=4.0, add=17.6, entered_ml=20.0).refused is False


@pytest.mark.sr("SR-24")
def test_refill_without_interrogation_is_refused():
    assert ("SR-24", "hard", "NO_INTERROGATION") in codes(plan(estimate=None).findings)


@pytest.mark.sr("SR-25")
def test_next_refill_is_the_low_alarm_date_less_the_margin():
    # 20 mL entered, alarm at 2 mL but 2.4 mL the SynchroMed cannot deliver: booked from
    # the higher, 2.4 mL (limits-audit.md §1 item 9): 17.6 / 0.5 = 35.2 d, less 3 d margin
    p = plan(estimate=4.0, add=17.6)
    assert p.days_to_low_with_demand == pytest.approx(35.2)
    assert (p.next_refill_s - NOW) / DAY == pytest.approx(32.2)
    assert "the 2.4 mL the pump cannot deliver (above its 2 mL alarm" in p.next_refill_reason
    assert p.days_to_empty == pytest.approx((20.0 - 2.4) / 0.5)  # 35.2 d to the dead volume
    # with 4 demand boluses of 0.1 mg (0.04 mL/day): 17.6 / 0.54 = 32.59 d, less 3
    pd = plan(
        estimate=4.0,
        add=17.6,
        prog=program([("morphine", 10 * MG)], rate_ml_per_day=0.5, demand=demand(100.0)),
    )
    assert pd.days_to_low_with_demand == pytest.approx(17.6 / 0.54)
    assert (pd.next_refill_s - NOW) / DAY == pytest.approx(17.6 / 0.54 - 3.0)
    # an alarm set above the residual (3 mL) books from the alarm: 17 / 0.5 = 34 d, less 3
    p3 = plan(estimate=4.0, add=17.6, prog=program([("morphine", 10 * MG)],
                                                    rate_ml_per_day=0.5, low_ml=3.0))  # fmt: skip
    assert (p3.next_refill_s - NOW) / DAY == pytest.approx(31.0)


def test_a_constant_flow_pump_is_booked_before_its_fastest_flow_could_empty_it():
    # constant-flow-35: 1.0 mL/day nominal, accuracy 15 %, no alarm, no dead volume;
    # a drugs-only program. 35 mL at up to 1.15 mL/day: 30.43 d, less the 3 d margin
    from thecal.core.pump.program import Program

    p = plan("constant-flow-35", estimate=0.0, add=35.0, prog=Program(MORPHINE, ()))
    assert p.days_to_low_with_demand == pytest.approx(35.0 / 1.15)
    assert (p.next_refill_s - NOW) / DAY == pytest.approx(35.0 / 1.15 - 3.0)
    assert p.days_to_empty == pytest.approx(35.0)  # at the nominal flow


def test_ziconotide_stability_limits():
    z = program([("ziconotide", 25.0)], rate_ml_per_day=0.048)
    fluid = (DrugConcentration("ziconotide", 25.0),)
    # 18 mL above the alarm at 0.048 mL/day is 375 days: stability decides
    assert (plan(estimate=4.0, add=17.6, drugs=fluid, prog=z).next_refill_s - NOW) / DAY == 84
    first = plan(estimate=4.0, add=17.6, drugs=fluid, prog=z, naive_pump_first_fill=True)
    assert (first.next_refill_s - NOW) / DAY == 14
    dz = program([("ziconotide", 5.0)], rate_ml_per_day=0.24)
    diluted = plan(estimate=4.0, add=17.6, drugs=(DrugConcentration("ziconotide", 5.0),), prog=dz)
    assert (diluted.next_refill_s - NOW) / DAY == 40
    assert diluted.stability_reason == "ziconotide diluted"
    # 25 mcg/mL is a stock strength, but made here by diluting the 100 mcg/mL vial: the
    # pharmacy declares it, and it keeps 40 days, not 84 ([E4], limits-audit.md row 48)
    declared = plan(estimate=4.0, add=17.6, drugs=fluid, prog=z, diluted=True)
    assert (declared.next_refill_s - NOW) / DAY == 40
    assert declared.stability_reason == "ziconotide diluted (declared)"


def test_hydromorphone_keeps_the_three_months_its_study_endorses():
    # [E15]: stable at least 4 months; "refilling every 3 months is appropriate": 90 d
    h = program([("hydromorphone", 10_000.0)], rate_ml_per_day=0.1)
    fluid = (DrugConcentration("hydromorphone", 10_000.0),)
    p = plan(estimate=4.0, add=17.6, drugs=fluid, prog=h)  # 19.6 mL at 0.1 mL/day: 196 d
    assert (p.next_refill_s - NOW) / DAY == 90
    assert p.stability_reason == "hydromorphone stability"


def test_elective_replacement_comes_first_when_sooner():
    p = plan(estimate=4.0, add=17.6, elective_replacement_s=NOW + 10 * DAY)
    assert (p.next_refill_s - NOW) / DAY == pytest.approx(10.0)
    assert p.next_refill_reason == "elective replacement date"


def test_overdue_baclofen_escalates_and_program_must_match_fluid():
    b = program([("baclofen", 500.0)], rate_ml_per_day=0.4)
    fluid = (DrugConcentration("baclofen", 500.0),)
    p = plan(estimate=4.0, add=17.6, drugs=fluid, prog=b, due_s=NOW - 2 * DAY)
    assert ("DD-09", "soft", "REFILL_OVERDUE_WITHDRAWAL_RISK") in codes(p.findings)
    p = plan(estimate=4.0, add=17.6, drugs=(DrugConcentration("baclofen", 1000.0),), prog=b)
    assert ("DD-07", "hard", "PROGRAM_DOES_NOT_MATCH_RESERVOIR") in codes(p.findings)


def test_a_pump_already_below_its_alarm_is_not_due_in_negative_days():
    """The worklist read "low-reservoir alarm in -18.2 d" for a pump past its alarm
    (issue 25): 1 mL left, under the 2.4 mL residual, says so in words."""
    from thecal.core.therapy.refill import refill_due

    prog = program([("morphine", 10 * MG)], rate_ml_per_day=0.5)
    due = refill_due(prog, 1.0, NOW, model("peristaltic-20"), policy())
    assert "reached already" in due.reason and " -" not in due.reason


def test_a_prometra_is_booked_at_its_own_three_ml_not_the_two_ml_alarm():
    """limits-audit.md §3: the Prometra PTC dates the next refill when 3.0 mL are left,
    every bolus used (devices F46); thecal booked at the 2 mL alarm, a day later at
    0.5 mL/day. 20 mL at 0.5 mL/day: (20 - 3) / 0.5 = 34 d, less the 3 d margin = 31 d;
    the SynchroMed (no refill volume of its own, 2.4 mL residual) books at
    (20 - 2.4) / 0.5 - 3 = 32.2 d."""
    from thecal.core.therapy.refill import refill_due

    prog = program([("morphine", 10 * MG)], rate_ml_per_day=0.5)  # alarm 2 mL
    assert prog.low_reservoir_alarm_ml == 2.0
    prometra = refill_due(prog, 20.0, NOW, model("valve-gated-20"), policy())
    assert (prometra.due_s - NOW) / DAY == pytest.approx(31.0)
    assert "3 mL the manufacturer refills at" in prometra.reason
    synchromed = refill_due(prog, 20.0, NOW, model("peristaltic-20"), policy())
    assert (synchromed.due_s - NOW) / DAY == pytest.approx(32.2)


def test_a_fentanyl_refill_is_planned_and_asks_for_the_pharmacys_date():
    """limits-audit.md §3: fentanyl has no stability figure (drugs.toml "none"), so the
    plan crashed formatting one. Now it plans by the alarm alone and asks, softly, for
    the pharmacy's beyond-use date. 1000 mcg/mL at 0.5 mL/day: all above the 2.4 mL
    residual is withdrawn, so 2.4 + 15 = 17.4 mL; down to the residual (above the 2 mL
    alarm): (17.4 - 2.4) / 0.5 = 30 d, less the 3 d margin = 27 d."""
    fentanyl = (DrugConcentration("fentanyl", 1000.0),)
    prog = program([("fentanyl", 1000.0)], rate_ml_per_day=0.5)
    p = plan(estimate=5.0, add=15.0, drugs=fentanyl, prog=prog)
    assert ("DD-09", "soft", "STABILITY_UNKNOWN") in codes(p.findings)
    assert p.stability_days is None
    assert (p.next_refill_s - NOW) / DAY == pytest.approx(27.0)
    morphine = plan(estimate=5.0, add=15.0)
    assert ("DD-09", "soft", "STABILITY_UNKNOWN") not in codes(morphine.findings)
