"""Each program rule on its own, with limits read from the sources by hand."""

import pytest

from tests.programmer.helpers import DAY, HOUR, MG, codes, demand, periodic, program, proposal
from thecal.core.drugs import DrugLibrary
from thecal.core.safety import Catheter, DoseChange, Patient, check_program, most_allowed
from thecal.data import drug_library, raw_document

MORPHINE_3MG = program([("morphine", 10 * MG)], 3 * MG)


def found(p):
    return codes(check_program(p).findings)


def test_library_gate():
    assert ("DD-01", "hard", "DRUG_NOT_IN_LIBRARY") in found(
        proposal(program([("ketamine", 1.0)], 1.0))
    )
    # morphine max 20 mg/mL [R]: a consensus figure, and Infumorph 25 mg/mL is labelled, so
    # soft (limits-audit.md §1 item 5)
    assert ("DD-01", "soft", "CONCENTRATION_ABOVE_MAX") in found(
        proposal(program([("morphine", 25 * MG)], 3 * MG), MORPHINE_3MG)
    )
    assert ("DD-01", "soft", "CONCENTRATION_NOT_STOCK") in found(
        proposal(program([("morphine", 12 * MG)], 3 * MG), MORPHINE_3MG)
    )
    assert ("DD-01", "hard", "ADMIXTURE_NOT_IN_LIBRARY") in found(
        proposal(program([("baclofen", 500.0), ("clonidine", 150.0)], 100.0))
    )
    # the largest single morphine bolus is 0.5 mg: a trial dose, so soft (audit §1 item 6)
    assert ("DD-01", "soft", "BOLUS_ABOVE_MAX") in found(
        proposal(
            program([("morphine", 10 * MG)], 3 * MG, demand=demand(600.0, count=1)), MORPHINE_3MG
        )
    )


@pytest.mark.sr("SR-01")
def test_an_unverified_library_refuses_everything():
    doc = raw_document("drugs.toml")
    doc["drug"]["morphine"]["max_daily_dose_hard_mcg_per_day"]["value"] = 200000.0
    tampered = DrugLibrary.from_mapping(doc).with_integrity(
        "ab" * 32, drug_library().approved_digest
    )
    p = proposal(MORPHINE_3MG, MORPHINE_3MG)
    p = type(p)(**{**p.__dict__, "library": tampered})
    assert ("SR-01", "hard", "LIBRARY_UNVERIFIED") in found(p)
    assert ("SR-01", "hard", "LIBRARY_UNVERIFIED") not in found(
        proposal(MORPHINE_3MG, MORPHINE_3MG)
    )


def test_unit_sanity_tenfold():
    # 3 mg/day -> 3 mg/hour = 72 mg/day: 24x (F20 "per hour instead of per day")
    r = found(proposal(program([("morphine", 10 * MG)], 72 * MG), MORPHINE_3MG))
    assert ("DD-02", "hard", "DOSE_SUSPECT_HIGH") in r
    # 3 mg -> 0.2 mg: 0.067x, probably mcg typed as mg the other way
    r = found(proposal(program([("morphine", 10 * MG)], 200.0), MORPHINE_3MG))
    assert ("DD-02", "soft", "DOSE_SUSPECT_LOW") in r


def test_starting_dose_ceiling():
    m = lambda d: program([("morphine", 10 * MG)], d)  # noqa: E731
    naive = Patient(opioid_naive=True)
    # opioid-naive first fill: PACC's 0.5 mg/day [R] is soft; the label's naive 1 mg/day hard
    r = found(proposal(m(800.0), first_fill=True, patient=naive))
    assert ("DD-03", "soft", "START_ABOVE_CEILING") in r
    assert ("DD-03", "hard", "START_ABOVE_LABEL_NAIVE") not in r
    assert not [c for c in found(proposal(m(500.0), first_fill=True, patient=naive))
                if c[0] == "DD-03"]  # fmt: skip
    assert ("DD-03", "hard", "START_ABOVE_LABEL_NAIVE") in found(
        proposal(m(1.2 * MG), first_fill=True, patient=naive)
    )
    # opioid-tolerant (the default patient): the label's 1-10 mg/day, soft; the audit's
    # cancer patient started at 2 mg/day is not refused
    cancer = Patient(indication="cancer", opioid_naive=False)
    assert not [c for c in found(proposal(m(2 * MG), first_fill=True, patient=cancer))
                if c[0] == "DD-03"]  # fmt: skip
    r = found(proposal(m(12 * MG), first_fill=True, patient=cancer))
    assert ("DD-03", "soft", "START_ABOVE_TOLERANT_RANGE") in r
    assert not [c for c in r if c[1] == "hard" and c[0] == "DD-03"]
    # tolerance not stated (a programmer document that leaves it out): 2 mg/day, fine for
    # the tolerant cancer patient above, is over the label's naive 1 mg/day, and the
    # info finding says why it was checked so; a stated answer has no such finding
    unstated = Patient(indication="cancer", opioid_naive=None)
    r = found(proposal(m(2 * MG), first_fill=True, patient=unstated))
    assert ("DD-03", "hard", "START_ABOVE_LABEL_NAIVE") in r
    assert ("DD-03", "info", "OPIOID_TOLERANCE_UNSTATED") in r
    assert ("DD-03", "info", "OPIOID_TOLERANCE_UNSTATED") not in found(
        proposal(m(2 * MG), first_fill=True, patient=cancer)
    )
    # baclofen: at most 2x the effective 75 mcg screening dose = 150 mcg/day
    pat = Patient(indication="spasticity_spinal", effective_screening_dose_mcg=75.0)
    r = found(proposal(program([("baclofen", 500.0)], 160.0), patient=pat, first_fill=True))
    assert ("DD-03", "hard", "START_ABOVE_SCREENING") in r
    assert not {
        c
        for c in found(
            proposal(program([("baclofen", 500.0)], 150.0), patient=pat, first_fill=True)
        )
        if c[0] == "DD-03"
    }


def test_maximum_daily_dose_soft_and_hard():
    # ziconotide: the US label's 19.2 mcg/day is hard (audit §1 item 7); morphine's PACC
    # 15 mg/day soft. Old history makes titration moot.
    z = lambda d: program([("ziconotide", 100.0)], d)  # noqa: E731
    old = (DoseChange(0.0, "ziconotide", 19.0),)
    assert not [c for c in found(proposal(z(19.2), z(19.0), history=old)) if c[0] == "DD-04"]
    assert ("DD-04", "hard", "DAILY_DOSE_ABOVE_HARD_MAX") in found(
        proposal(z(19.5), z(19.0), history=old)
    )
    # a patient already on the EU maximum 21.6 is kept there, flagged, not cut
    eu = (DoseChange(0.0, "ziconotide", 21.6),)
    r = found(proposal(z(21.6), z(21.6), history=eu))
    assert ("DD-04", "soft", "CONTINUES_ABOVE_LIMIT") in r
    assert ("DD-04", "hard", "DAILY_DOSE_ABOVE_HARD_MAX") not in r
    m = lambda d: program([("morphine", 10 * MG)], d)  # noqa: E731
    high = (DoseChange(0.0, "morphine", 15 * MG),)
    assert ("DD-04", "soft", "DAILY_DOSE_ABOVE_SOFT_MAX") in found(
        proposal(m(16 * MG), m(15 * MG), history=high)
    )


def test_titration_limits_and_most_allowed():
    # 3 mg/day, non-cancer: +30 % -> 3.9 mg/day; cancer +50 % -> 4.5 mg/day
    # (PACC 2007, consensus: soft, with no hard bound left for morphine)
    p = proposal(program([("morphine", 10 * MG)], 4 * MG), MORPHINE_3MG)
    assert ("DD-05", "soft", "TITRATION_ABOVE_MAX") in found(p)
    allowed = most_allowed(p)["morphine"]
    assert allowed.hard is None
    assert (allowed.soft.rule_id, allowed.soft.value) == ("DD-05", pytest.approx(3900.0))
    cancer = proposal(
        program([("morphine", 10 * MG)], 4 * MG), MORPHINE_3MG, patient=Patient(indication="cancer")
    )
    assert most_allowed(cancer)["morphine"].soft.value == pytest.approx(4500.0)
    assert not [c for c in found(cancer) if c[0] == "DD-05"]
    # measured from the lowest dose of the last 24 h: 2.5 mg until 12 h ago
    hist = (
        DoseChange(100 * DAY - 12 * HOUR, "morphine", 3 * MG),
        DoseChange(90 * DAY, "morphine", 2.5 * MG),
    )
    p = proposal(program([("morphine", 10 * MG)], 3.5 * MG), MORPHINE_3MG, history=hist)
    assert most_allowed(p)["morphine"].soft.value == pytest.approx(3250.0)


def test_baclofen_cerebral_and_high_dose_warning():
    b = lambda d: program([("baclofen", 500.0)], d)  # noqa: E731
    cerebral = Patient(indication="spasticity_cerebral")
    assert most_allowed(proposal(b(110.0), b(100.0), patient=cerebral))["baclofen"].hard.value == (
        pytest.approx(115.0)
    )
    # at 400 mcg/day (>= 300), more than +20 % needs an acknowledgement
    spinal = Patient(indication="spasticity_spinal")
    r = found(proposal(b(500.0), b(400.0), patient=spinal))
    assert ("DD-05", "soft", "TITRATION_HIGH_DOSE") in r


def test_ziconotide_step_interval_and_frequency():
    z = lambda d: program([("ziconotide", 100.0)], d)  # noqa: E731
    now = 100 * DAY
    assert ("DD-05", "hard", "TITRATION_STEP_ABOVE_MAX") in found(proposal(z(5.0), z(2.4)))
    soon = (
        DoseChange(now - 30 * DAY, "ziconotide", 1.2),
        DoseChange(now - 12 * HOUR, "ziconotide", 2.4),
    )
    assert ("DD-05", "hard", "TITRATION_TOO_SOON") in found(proposal(z(3.6), z(2.4), history=soon))
    week = (
        DoseChange(now - 30 * DAY, "ziconotide", 1.2),
        DoseChange(now - 6 * DAY, "ziconotide", 2.4),
        DoseChange(now - 4 * DAY, "ziconotide", 3.6),
        DoseChange(now - 2 * DAY, "ziconotide", 4.8),
    )
    assert ("DD-05", "hard", "TITRATION_TOO_FREQUENT") in found(
        proposal(z(6.0), z(4.8), history=week)
    )


def test_daily_total_with_demand_boluses():
    # 3.7 mg basal is within +30 % (3.9); 4 x 0.1 mg demand -> 4.1 mg > 3.9
    p = proposal(program([("morphine", 10 * MG)], 3.7 * MG, demand=demand(100.0)), MORPHINE_3MG)
    assert ("DD-06", "soft", "DAILY_TOTAL_WITH_BOLUSES_ABOVE_LIMIT") in found(p)


def test_concentration_change_needs_catheter_and_bridge():
    new = program([("morphine", 20 * MG)], 3 * MG)
    r = found(proposal(new, MORPHINE_3MG, catheter=Catheter(None, 2.6)))
    assert ("DD-07", "hard", "CATHETER_LENGTH_MISSING") in r
    r = found(proposal(new, MORPHINE_3MG))
    assert ("DD-07", "hard", "BRIDGE_NOT_PLANNED") in r  # morphine is a withdrawal-risk drug
    r = found(proposal(new, MORPHINE_3MG, bridge_planned=True))
    assert ("DD-07", "info", "BRIDGE_PLANNED") in r
    # and says how long a bridge keeps the old dose rate: the 0.374 mL path at the old
    # 3 mg/day of 10 mg/mL (0.3 mL/day) is 1.247 d, 29.9 h
    [planned] = [f for f in check_program(proposal(new, MORPHINE_3MG, bridge_planned=True))
                 .findings if f.code == "BRIDGE_PLANNED"]  # fmt: skip
    assert planned.message.endswith("; over 29.9 h it keeps the old dose rate")
    # 0.374 mL x 10 mg/mL = 3.74 mg, above the 0.5 mg largest bolus
    assert ("DD-07", "soft", "BRIDGE_ABOVE_MAX_BOLUS") in r
    z_old, z_new = program([("ziconotide", 25.0)], 1.2), program([("ziconotide", 100.0)], 1.2)
    assert ("DD-07", "soft", "BRIDGE_NOT_PLANNED") in found(proposal(z_new, z_old))


def test_withdrawal_cut_and_high_risk_patient():
    b = lambda d: program([("baclofen", 500.0)], d)  # noqa: E731
    pat = Patient(indication="spasticity_spinal", spinal_cord_injury_t6_or_above=True)
    r = found(proposal(b(150.0), b(400.0), patient=pat))  # -62.5 %
    assert ("DD-11", "soft", "WITHDRAWAL_RISK_CUT") in r
    assert ("DD-11", "info", "WITHDRAWAL_HIGH_RISK_PATIENT") in r
    # the label's guidance: decrease by 10-20 % at a time (audit §1 item 3): -20 % passes,
    # -25 % and the audit's 800 -> 420 (-47.5 %) ask for a plan
    assert ("DD-11", "soft", "WITHDRAWAL_RISK_CUT") not in found(proposal(b(320.0), b(400.0)))
    assert ("DD-11", "soft", "WITHDRAWAL_RISK_CUT") in found(proposal(b(300.0), b(400.0)))
    cut = check_program(proposal(b(420.0), b(800.0), patient=pat)).findings
    [f] = [f for f in cut if f.code == "WITHDRAWAL_RISK_CUT"]
    assert "cuts 47.5 %" in f.message and "at most 20 %" in f.message
    assert "high risk of withdrawal" in f.message
    # dropping clonidine from an admixture stops it
    mc = program([("morphine", 10 * MG), ("clonidine", 150.0)], 3 * MG)
    assert ("DD-11", "soft", "WITHDRAWAL_RISK_CUT") in found(proposal(MORPHINE_3MG, mc))


def test_monitoring_and_ziconotide_screening():
    r = found(proposal(program([("morphine", 10 * MG)], 3.5 * MG), MORPHINE_3MG))
    assert ("DD-12", "info", "MONITOR_AFTER_CHANGE") in r
    z = program([("ziconotide", 25.0)], 1.2)
    r = found(proposal(z, first_fill=True, patient=Patient(history_of_psychosis=True)))
    assert ("DD-12", "hard", "ZICONOTIDE_PSYCHOSIS_HISTORY") in r
    assert ("DD-12", "soft", "ZICONOTIDE_SCREENING_MISSING") in r


def test_a_clonidine_start_asks_for_blood_pressure_and_heart_rate():
    """limits-audit.md §3: clonidine gave no monitoring prompt (no timed observation is
    sourced); its hazards are hypotension, bradycardia and sedation (drugs-and-dosing
    §1), so a start or an increase names them and leaves the time to the clinic."""
    mc = program([("morphine", 10 * MG), ("clonidine", 150.0)], 3 * MG)
    cut = check_program(proposal(mc, MORPHINE_3MG)).findings
    [f] = [f for f in cut if f.code == "MONITOR_AFTER_CHANGE" and f.message.startswith("clon")]
    assert (f.rule_id, f.severity) == ("DD-12", "info")
    assert "blood pressure, heart rate and sedation" in f.message
    assert "no sourced time" in f.message
    up = check_program(proposal(program([("morphine", 10 * MG)], 3.5 * MG), MORPHINE_3MG))
    [m] = [f for f in up.findings if f.code == "MONITOR_AFTER_CHANGE"]
    assert m.message == ("morphine starts or increases: monitor respiration, SpO2 and "
                         "sedation for 24-72 h")  # fmt: skip


def test_granuloma_surveillance():
    r = found(
        proposal(program([("morphine", 20 * MG)], 3 * MG), program([("morphine", 20 * MG)], 3 * MG))
    )
    assert ("DD-13", "soft", "GRANULOMA_CONCENTRATION") in r
    now = 800 * DAY
    hist = (
        DoseChange(now - 2.5 * 365 * DAY, "morphine", 2 * MG),
        DoseChange(now - 1.5 * 365 * DAY, "morphine", 2.2 * MG),
    )  # +10 %, then 2.2 -> 3.0 (+36 %)
    r = found(proposal(MORPHINE_3MG, MORPHINE_3MG, now_s=now, history=hist))
    assert ("DD-13", "soft", "ESCALATION_ACCELERATING") in r


def test_sedatives_when_opioids_start():
    pat = Patient(opioid_naive=True, sedative_comedication=("benzodiazepine",))
    r = found(proposal(program([("morphine", 10 * MG)], 400.0), first_fill=True, patient=pat))
    assert ("DD-15", "soft", "SEDATIVE_COMEDICATION") in r
    planned = Patient(
        sedative_comedication=("benzodiazepine",), systemic_dose_reduction_planned=True
    )
    r = found(proposal(program([("morphine", 10 * MG)], 400.0), first_fill=True, patient=planned))
    assert ("DD-15", "info", "SEDATIVE_COMEDICATION") in r


@pytest.mark.sr("SR-22")
def test_pump_validation_and_low_reservoir_advice():
    r = found(proposal(program([("morphine", 10 * MG)], rate_ml_per_day=30.0), MORPHINE_3MG))
    assert ("PUMP-3", "hard", "PROGRAM_INVALID") in r
    b = program([("baclofen", 500.0)], 200.0)
    assert ("SR-22", "info", "LOW_RESERVOIR_ALARM_LOW") in found(proposal(b, b))
    b4 = program([("baclofen", 500.0)], 200.0, low_ml=4.0)
    assert ("SR-22", "info", "LOW_RESERVOIR_ALARM_LOW") not in found(proposal(b4, b4))


def test_periodic_boluses_every_few_minutes_overlap():
    # meant every 4 h, typed every 4 min: 30-minute boluses 4 minutes apart
    p = program(
        [("baclofen", 500.0)], 200.0, periodic=[periodic(k * 4 / 60, 10.0) for k in range(6)]
    )
    assert ("DD-02", "hard", "PERIODIC_BOLUSES_OVERLAP") in found(
        proposal(p, program([("baclofen", 500.0)], 200.0))
    )


def test_findings_are_reviewed_hard_then_soft_then_info_each_in_its_order():
    from thecal.core.safety.findings import by_severity, finding

    found = [finding("DD-12", "info", "A", "a"), finding("DD-07", "soft", "B", "b"),
             finding("SR-24", "hard", "C", "c"), finding("DD-10", "info", "D", "d"),
             finding("DD-01", "hard", "E", "e")]  # fmt: skip
    assert [f.code for f in by_severity(found)] == ["C", "E", "B", "A", "D"]
