"""Spinal cord stimulation: the charge limits at a contact, the waveform ranges, the
battery, the trial, each against numbers worked out here by hand."""

from __future__ import annotations

import math

import pytest

from thecal.core.scs.battery import battery_outlook
from thecal.core.scs.catalogue import Lead
from thecal.core.scs.program import Electrode, ScsProgram, check_scs_program
from thecal.core.scs.trial import evaluate_scs_trial
from thecal.data import policy, scs_catalogue

CAT = scs_catalogue()
IPG = CAT.stimulators["ipg-rechargeable"]
PRIMARY = CAT.stimulators["ipg-primary"]
PERC = CAT.leads["percutaneous-8"]  # contact 0.1225 cm2
TINY = Lead("test-tiny", "test", 4, 0.04)  # a small contact: the density limit binds first


def tonic(ma: float, us: float, *electrodes: Electrode, hz: float = 50.0) -> ScsProgram:
    return ScsProgram("tonic", ma, us, hz, electrodes or (Electrode(2, "-", 1.0),))


def codes(findings) -> list[tuple[str, str]]:
    return [(f.rule_id, f.code) for f in findings]


def test_shannon_refuses_before_the_density_limit_on_a_percutaneous_contact():
    # 8 mA x 400 us = 3.2 uC on one cathode; D = 3.2 / 0.1225 = 26.1 uC/cm2 (< 30);
    # k = log10(26.122) + log10(3.2) = 1.4170 + 0.5051 = 1.9222 > 1.85
    found = check_scs_program(tonic(8.0, 400.0), IPG, PERC, CAT)
    assert codes(found) == [("SCS-01", "SHANNON_LIMIT")]
    assert found[0].severity == "hard" and "k = log10(D) + log10(Q) = 1.9222" in found[0].message
    # the same current split over two cathodes: 1.6 uC each, D 13.06, k = 1.3202: allowed
    split = tonic(8.0, 400.0, Electrode(2, "-", 0.5), Electrode(3, "-", 0.5))
    assert check_scs_program(split, IPG, PERC, CAT) == []


def test_shannon_at_the_limit_passes_and_just_above_is_refused():
    # k = log10(Q^2 / A) = 1.85  =>  Q = sqrt(A x 10^1.85) = sqrt(0.1225 x 70.795) = 2.94488 uC;
    # at 400 us that is 7.3622 mA
    q_limit = math.sqrt(0.1225 * 10**1.85)
    assert q_limit == pytest.approx(2.94488, abs=1e-5)
    at = q_limit / 0.4
    assert check_scs_program(tonic(at * (1 - 1e-6), 400.0), IPG, PERC, CAT) == []
    above = check_scs_program(tonic(at * (1 + 1e-6), 400.0), IPG, PERC, CAT)
    assert codes(above) == [("SCS-01", "SHANNON_LIMIT")]


def test_charge_density_at_30_passes_and_just_above_asks_for_review():
    # 4 mA x 300 us = 1.2 uC over 0.04 cm2 = 30 uC/cm2 exactly; k = 1.4771 + 0.0792 = 1.556
    assert check_scs_program(tonic(4.0, 300.0), IPG, TINY, CAT) == []
    found = check_scs_program(tonic(4.0001, 300.0), IPG, TINY, CAT)
    assert codes(found) == [("SCS-02", "CHARGE_DENSITY_LIMIT")]
    # its source, a DBS manual, warns and lets the clinician continue: soft (issue 24)
    assert found[0].severity == "soft"
    assert found[0].message == (
        "contact 2: 30 uC/cm2 per phase is above 30 (1 x 4.0001 mA x 300 us over 0.04 cm2)")
    # an anode carries the same charge: a small anode contact is checked too
    bipolar = tonic(4.0001, 300.0, Electrode(0, "-", 1.0), Electrode(1, "+", 1.0))
    assert codes(check_scs_program(bipolar, IPG, TINY, CAT)) == [
        ("SCS-02", "CHARGE_DENSITY_LIMIT"), ("SCS-02", "CHARGE_DENSITY_LIMIT")]


def test_a_program_outside_its_mode_stimulator_or_lead_is_refused_naming_the_field():
    hf_at_50 = ScsProgram("high-frequency", 2.0, 30.0, 50.0, (Electrode(2, "-", 1.0),))
    found = check_scs_program(hf_at_50, IPG, PERC, CAT)
    assert [(f.code, f.path) for f in found] == [("SCS_OUT_OF_MODE_RANGE", "frequency_hz")]
    assert "10000" in found[0].message
    too_much = tonic(9.0, 200.0)  # tonic goes to 8.5 mA
    assert [f.path for f in check_scs_program(too_much, IPG, PERC, CAT)] == ["amplitude_ma"]
    nowhere = tonic(3.0, 200.0, Electrode(8, "-", 1.0))  # contacts 0-7
    assert [(f.code, f.path) for f in check_scs_program(nowhere, IPG, PERC, CAT)] == [
        ("SCS_NO_SUCH_CONTACT", "electrodes[0].contact")]
    short = tonic(3.0, 200.0, Electrode(1, "-", 0.5), Electrode(2, "-", 0.4))
    assert [f.code for f in check_scs_program(short, IPG, PERC, CAT)] == ["SCS_SHARES"]
    unknown = ScsProgram("sine", 1.0, 100.0, 40.0, (Electrode(0, "-", 1.0),))
    found = check_scs_program(unknown, IPG, PERC, CAT)
    assert found[0].code == "SCS_MODE_UNKNOWN"
    assert "tonic, burst, high-frequency" in found[0].message


def test_battery_life_of_a_primary_cell_and_time_between_recharges():
    # tonic 5 mA, 300 us, 50 Hz into 800 ohm: 0.005^2 x 800 x 300e-6 x 50 = 0.3 mW;
    # / (0.6 x 3.2 V) = 0.15625 mA, + 10 uA quiescent = 0.16625 mA; 5000 mAh lasts
    # 5000 / 0.16625 / 24 = 1253.1 days
    primary = battery_outlook(tonic(5.0, 300.0), PRIMARY, CAT)
    assert primary.drain_ma == pytest.approx(0.16625, rel=1e-12)
    assert primary.days == pytest.approx(1253.13, abs=0.01) and not primary.recharge
    # 10 kHz, 2 mA, 30 us: 0.002^2 x 800 x 30e-6 x 10000 = 0.96 mW; / (0.6 x 3.6 V)
    # = 0.44444 mA + 15 uA = 0.45944 mA; 80 % of 300 mAh = 240 mAh: 21.77 days
    hf = ScsProgram("high-frequency", 2.0, 30.0, 10000.0, (Electrode(2, "-", 1.0),))
    rechargeable = battery_outlook(hf, IPG, CAT)
    assert rechargeable.drain_ma == pytest.approx(0.459444, abs=1e-6)
    assert rechargeable.days == pytest.approx(21.765, abs=0.001) and rechargeable.recharge
    # cycling 30 s on / 30 s off halves the stimulation part only
    cycled = ScsProgram("tonic", 5.0, 300.0, 50.0, (Electrode(2, "-", 1.0),), 30.0, 30.0)
    assert battery_outlook(cycled, PRIMARY, CAT).drain_ma == pytest.approx(0.078125 + 0.01)
    # burst: 40 bursts of 5 pulses a second, 1 ms each, at 1 mA: 0.001^2 x 800 x 1e-3 x 200
    # = 0.16 mW; / 1.92 = 0.083333 mA + 0.01
    burst = ScsProgram("burst", 1.0, 1000.0, 40.0, (Electrode(2, "-", 1.0),))
    assert battery_outlook(burst, PRIMARY, CAT).drain_ma == pytest.approx(0.093333, abs=1e-6)


def test_the_trial_needs_half_the_pain_gone_on_average():
    # baseline 8, trial days 4, 3, 4, 5: mean 4, relief exactly 50 %: success
    ok = evaluate_scs_trial(8.0, (4.0, 3.0, 4.0, 5.0), 5, CAT, policy())
    assert ok.outcome == "success" and ok.relief_pct == pytest.approx(50.0)
    assert [f.code for f in ok.findings] == ["SCS_TRIAL_SUCCESS"]
    # 5, 4, 4, 5: mean 4.5, 43.75 %: failure, though one day reached 50 %
    no = evaluate_scs_trial(8.0, (5.0, 4.0, 4.0, 5.0), 5, CAT, policy())
    assert no.outcome == "failure" and no.relief_pct == pytest.approx(43.75)
    long = evaluate_scs_trial(8.0, (4.0,), 14, CAT, policy())
    assert (long.findings[0].severity, long.findings[0].code) == ("soft", "SCS_TRIAL_DURATION")
    assert evaluate_scs_trial(8.0, (), 5, CAT, policy()).outcome == "incomplete"


def test_every_scs_limit_needs_its_source():
    import copy

    from thecal.core.errors import CatalogueError
    from thecal.core.scs.catalogue import ScsCatalogue
    from thecal.data import raw_document

    doc = copy.deepcopy(raw_document("scs.toml"))
    doc["limits"]["shannon_k"] = {"value": 1.85, "source": " "}
    with pytest.raises(CatalogueError, match=r"shannon_k: the source is empty"):
        ScsCatalogue.from_mapping(doc)
    doc["limits"]["shannon_k"] = 1.85
    with pytest.raises(CatalogueError, match=r"shannon_k: expected"):
        ScsCatalogue.from_mapping(doc)
