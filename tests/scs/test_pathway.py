"""The care pathway: from what has been tried to which device, by the documented rule
(SCS for predominant neuropathic leg pain, the pump for predominant axial back pain)."""

from __future__ import annotations

from dataclasses import replace

from thecal.core.therapy.candidate import ELIGIBLE, NOT_ELIGIBLE, NOT_YET
from thecal.core.therapy.pathway import IDDS, SCS, PathwayRecord, TreatmentTried, decide

DAY = 86_400.0
TRIED = (
    TreatmentTried("physical_therapy", 0.0, 90 * DAY, "failed"),
    TreatmentTried("medication", 0.0, None, "failed"),
    TreatmentTried("injections", 100 * DAY, 100 * DAY, "failed"),
    TreatmentTried("revision_surgery", 200 * DAY, 200 * DAY, "failed"),
)
READY = PathwayRecord(
    treatments=TRIED,
    surgical_candidate=False,
    fit_for_surgery=True,
    psychological_evaluation_favourable=True,
    imaging_done=True,
    pain_pattern="neuropathic_leg",
    dependent_on_pain_medication=True,
    systemic_opioid_reduction_attempted=True,
)


def test_neuropathic_leg_pain_goes_to_an_scs_trial_first():
    d = decide(READY)
    assert d.favoured == SCS and "neuropathic leg pain" in d.why
    assert d.scs.decision == NOT_YET  # only the trial is still to come
    assert [r.key for r in d.scs.reasons if r.status == "pending"] == ["trial_successful"]


def test_axial_back_pain_goes_to_a_pump_trial_and_a_failed_scs_trial_opens_the_pump():
    axial = decide(replace(READY, pain_pattern="axial_back"))
    assert axial.favoured == IDDS and "axial back pain" in axial.why
    after_scs = decide(replace(READY, scs_trial="failure"))
    assert after_scs.favoured == IDDS and after_scs.why == "SCS trial failed: pump trial"


def test_a_successful_trial_makes_the_patient_eligible_for_that_device():
    d = decide(replace(READY, scs_trial="success"))
    assert d.scs.decision == ELIGIBLE and d.favoured == SCS and "implant the stimulator" in d.why
    pump = decide(replace(READY, scs_trial="failure", idds_trial="success"))
    assert pump.idds.decision == ELIGIBLE and pump.favoured == IDDS


def test_an_unfavourable_psychological_evaluation_rules_out_both():
    d = decide(replace(READY, psychological_evaluation_favourable=False))
    assert d.scs.decision == NOT_ELIGIBLE and d.idds.decision == NOT_ELIGIBLE
    assert d.favoured is None and d.why == "not a candidate for either device"


def test_what_is_missing_is_named():
    d = decide(replace(READY, imaging_done=False, treatments=TRIED[1:]))  # no physical therapy
    assert d.favoured is None
    assert d.why.startswith("evaluation incomplete: imaging not yet done")
    assert "physical therapy tried and failed" in d.why
    # a treatment that helped is not a failed one: the criterion is answered "no"
    helped = replace(READY, treatments=(TreatmentTried("medication", 0.0, None, "helped"),
                                        *TRIED[:1], *TRIED[2:]))
    reasons = {r.key: r.status for r in decide(helped).scs.reasons}
    assert reasons["oral_medications_failed"] == "pending"
