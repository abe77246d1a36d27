"""Spinal cord stimulation in the clinic, on the in-memory unit of work: a trial with
temporary leads judged on its mean daily pain score, the implant only after a
successful trial (SCS-04), and every program checked at the contacts of the lead it
runs on (SCS-01..03). Numbers worked by hand; the percutaneous-8 lead's contacts are
0.1225 cm2, the trial rule is at least 50 % relief (policy [trial])."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.services.world import DAY, DR, T0, Clinicians
from thecal.core.errors import InvalidTransition, Refused
from thecal.core.scs.program import Electrode, ScsProgram
from thecal.services.clinic.scs import scs_digest

RN = DR  # the physician also scores the days here
# 4 mA x 300 us on one cathode: Q = 1.2 uC, D = 9.80 uC/cm2, k = 0.991 + 0.079 = 1.070
GENTLE = ScsProgram("tonic", 4.0, 300.0, 50.0, (Electrode(2, "-", 1.0),))
# 8 mA x 400 us: Q = 3.2 uC, D = 26.1 uC/cm2 (< 30) but k = 1.9222 > 1.85
TOO_MUCH = ScsProgram("tonic", 8.0, 400.0, 50.0, (Electrode(2, "-", 1.0),))
RECORD = json.loads((Path(__file__).parents[2] / "examples/programmer/pathway-axial-back.json")
                    .read_text())  # fmt: skip


@pytest.fixture
def c() -> Clinicians:
    return Clinicians()


def patient(c: Clinicians) -> int:
    return c.clinic.care.add_patient(DR, {"mrn": "S1", "name": "S1", "birth_year": 1970,
                                     "indication": "non_cancer", "weight_kg": 80.0,
                                     "opioid_naive": False}, "new", T0)


def trial(c: Clinicians, pid: int, scores: list[float], baseline: float = 8.0) -> dict:
    c.clinic.stimulation.start_scs_trial(
            DR, pid, "ipg-rechargeable", "percutaneous-8", baseline, GENTLE,
            "trial", T0, seen(GENTLE))  # fmt: skip
    for day, nrs in enumerate(scores, start=1):
        c.clinic.stimulation.record_scs_day(RN, pid, nrs, T0 + day * DAY)
    return c.clinic.stimulation.end_scs_trial(DR, pid, T0 + len(scores) * DAY)


def test_a_program_over_the_shannon_limit_starts_no_trial(c):
    pid = patient(c)
    with pytest.raises(Refused) as refused:
        c.clinic.stimulation.start_scs_trial(
                DR, pid, "ipg-rechargeable", "percutaneous-8", 8.0, TOO_MUCH,
                "trial", T0, seen(TOO_MUCH))  # fmt: skip
    assert [(f.rule_id, f.code) for f in refused.value.findings] == [("SCS-01", "SHANNON_LIMIT")]
    assert c.table("stimulation") == [] and c.table("audit")[-1][2] == "patient.create"


def test_a_successful_trial_leads_to_the_implant(c):
    pid = patient(c)
    # mean of 4, 3, 4, 3, 4, 3, 4 = 25/7 = 3.571 against 8: 55.4 % relief over 7 days
    result = trial(c, pid, [4, 3, 4, 3, 4, 3, 4])
    assert (result["outcome"], result["days"]) == ("success", 7)
    assert result["relief_pct"] == pytest.approx((8 - 25 / 7) / 8 * 100)
    done = c.clinic.stimulation.implant_stimulator(
            DR, pid, "ipg-rechargeable", "percutaneous-8", "IPG-1",
            GENTLE, "after a good trial", T0 + 14 * DAY,
            seen(GENTLE))  # fmt: skip
    assert done["battery"] is not None and done["findings"] == []
    with pytest.raises(Refused) as refused:  # a follow-up that breaks the limit keeps nothing
        c.clinic.stimulation.program_stimulator(DR, pid, TOO_MUCH, "follow-up: more paraesthesia",
                                    T0 + 60 * DAY, seen(TOO_MUCH))  # fmt: skip
    assert refused.value.findings[0].code == "SHANNON_LIMIT"
    assert len(c.store.rows("scs_programs")) == 2  # the trial's and the implant's


def test_a_failed_trial_refuses_the_implant_and_opens_the_pump_on_the_pathway(c):
    pid = patient(c)
    c.clinic.pathways.record_pathway(DR, pid, {**RECORD, "pain_pattern": "neuropathic_leg"},
                            "review", T0)  # fmt: skip
    assert c.store.tables["pathways"][pid]["favoured"] == "scs"
    # mean of 5, 5, 5, 5, 5 = 5 against 8: 37.5 % relief, below 50 %
    assert trial(c, pid, [5, 5, 5, 5, 5])["outcome"] == "failure"
    with pytest.raises(Refused) as refused:
        c.clinic.stimulation.implant_stimulator(
                DR, pid, "ipg-rechargeable", "percutaneous-8", "IPG-2",
                GENTLE, "implant", T0 + 10 * DAY, seen(GENTLE))  # fmt: skip
    assert [(f.rule_id, f.code) for f in refused.value.findings] == [
        ("SCS-04", "SCS_TRIAL_REQUIRED")
    ]
    pathway = c.store.tables["pathways"][pid]
    assert (pathway["stage"], pathway["favoured"]) == ("trial", "idds")
    assert pathway["why"] == "SCS trial failed: pump trial"


def test_one_trial_at_a_time_and_no_scores_without_one(c):
    pid = patient(c)
    with pytest.raises(InvalidTransition):
        c.clinic.stimulation.record_scs_day(RN, pid, 3.0, T0)
    c.clinic.stimulation.start_scs_trial(DR, pid, "ipg-rechargeable", "percutaneous-8", 7.0, GENTLE,
                             "trial", T0, seen(GENTLE))  # fmt: skip
    with pytest.raises(InvalidTransition):
        c.clinic.stimulation.start_scs_trial(
                DR, pid, "ipg-rechargeable", "percutaneous-8", 7.0, GENTLE,
                "again", T0, seen(GENTLE))  # fmt: skip


def seen(program) -> str:
    """The digest of the review the clinician confirms, computed from the settings as
    they were checked on the trial's and the implant's stimulator and lead."""
    return scs_digest(program, "ipg-rechargeable", "percutaneous-8")


def test_settings_confirmed_for_another_review_are_not_sent(c):
    pid = patient(c)
    with pytest.raises(Refused) as refused:
        c.clinic.stimulation.start_scs_trial(
                DR, pid, "ipg-rechargeable", "percutaneous-8", 8.0, GENTLE,
                "trial", T0, seen(TOO_MUCH))  # fmt: skip
    assert ("SR-08", "REVIEW_CHANGED") in {(f.rule_id, f.code) for f in refused.value.findings}
    review = c.clinic.stimulation.check_scs_program(
        DR, pid, GENTLE, "ipg-rechargeable", "percutaneous-8"
    )
    assert review["reviewed_digest"] == seen(GENTLE)


def test_settings_not_confirmed_are_not_sent(c):
    pid = patient(c)
    with pytest.raises(Refused) as refused:
        c.clinic.stimulation.start_scs_trial(
                DR, pid, "ipg-rechargeable", "percutaneous-8", 8.0, GENTLE,
                "trial", T0)  # fmt: skip
    assert [(f.rule_id, f.code) for f in refused.value.findings] == [("SR-08", "NOT_CONFIRMED")]
    assert c.table("stimulation") == [] and c.store.rows("scs_programs") == []
