"""The failed-back-surgery care pathway before either device: what has been tried,
and which last-line therapy the record points to.

The record (treatments tried with their outcome, surgical candidacy, fitness for
surgery, the psychological evaluation, imaging, the predominant pain pattern, any
SCS or pump trial) answers the pump's candidate criteria (candidate.py) instead of a
separate questionnaire, and the same record decides SCS candidacy. thecal's
documented rule (docs/scs.md, "The care pathway"): with both open, SCS is favoured for predominant
neuropathic leg pain and the pump for predominant axial back pain; a failed SCS
trial opens the pump.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from thecal.core.therapy.candidate import (
    ELIGIBLE,
    NOT_ELIGIBLE,
    PAIN,
    CandidateEvaluation,
    evaluate_candidate,
)

TREATMENTS = ("physical_therapy", "medication", "injections", "radiofrequency_ablation",
              "revision_surgery")
OUTCOMES = ("failed", "helped", "ongoing", "not_tolerated")
PATTERNS = ("axial_back", "neuropathic_leg", "mixed")


class Device(StrEnum):
    SCS = "scs"
    IDDS = "idds"


class Stage(StrEnum):
    """Where the patient stands: what the clinic must do next."""

    EVALUATION = "evaluation"
    TRIAL = "trial"
    IMPLANT = "implant"
    NOT_A_CANDIDATE = "not a candidate"


SCS, IDDS = Device.SCS, Device.IDDS
EVALUATION, TRIAL, IMPLANT, NOT_A_CANDIDATE = (
    Stage.EVALUATION, Stage.TRIAL, Stage.IMPLANT, Stage.NOT_A_CANDIDATE)  # fmt: skip


@dataclass(frozen=True)
class TreatmentTried:
    kind: str  # one of TREATMENTS
    start_s: float
    end_s: float | None
    outcome: str  # one of OUTCOMES


@dataclass(frozen=True)
class PathwayRecord:
    treatments: tuple[TreatmentTried, ...] = ()
    surgical_candidate: bool | None = None  # would further spine surgery help?
    fit_for_surgery: bool | None = None  # fit for the implant operation
    psychological_evaluation_favourable: bool | None = None
    imaging_done: bool = False
    pain_pattern: str | None = None  # one of PATTERNS
    dependent_on_pain_medication: bool | None = None
    systemic_opioid_reduction_attempted: bool | None = None
    scs_trial: str | None = None  # success | failure | None
    idds_trial: str | None = None

    def failed(self, kind: str) -> bool | None:
        """True when the treatment was tried and did not help; None when not tried."""
        tried = [t for t in self.treatments if t.kind == kind]
        if not tried:
            return None
        return any(t.outcome in ("failed", "not_tolerated") for t in tried)


@dataclass(frozen=True)
class PathwayDecision:
    scs: CandidateEvaluation
    idds: CandidateEvaluation
    favoured: Device | None
    why: str
    stage: Stage


def _scs_answers(r: PathwayRecord) -> dict[str, bool | None]:
    """SCS uses the pump's criteria that apply before a trial, with the SCS trial."""
    return {
        "oral_medications_failed": r.failed("medication"),
        "physical_therapy_failed": r.failed("physical_therapy"),
        "nerve_blocks_failed": r.failed("injections"),
        "spinal_cord_stimulation_failed": True,  # not a prerequisite of SCS itself
        "further_surgery_not_helpful": None if r.surgical_candidate is None
        else not r.surgical_candidate,
        "dependent_on_pain_medication": r.dependent_on_pain_medication,
        "fit_for_surgery": r.fit_for_surgery,
        "psychological_evaluation_favourable": r.psychological_evaluation_favourable,
        "systemic_opioid_reduction_attempted": True,  # a pump criterion (PACC CP2)
        "trial_successful": None if r.scs_trial is None else r.scs_trial == "success",
    }


def _idds_answers(r: PathwayRecord) -> dict[str, bool | None]:
    answers = _scs_answers(r)
    answers["spinal_cord_stimulation_failed"] = (
        True if r.scs_trial == "failure" or r.pain_pattern == "axial_back" else None
    )
    answers["systemic_opioid_reduction_attempted"] = r.systemic_opioid_reduction_attempted
    answers["trial_successful"] = None if r.idds_trial is None else r.idds_trial == "success"
    return answers


def decide(r: PathwayRecord, cancer: bool = False) -> PathwayDecision:
    """Both candidacies from the record, and which device the pathway favours now.
    The trial criterion is left out of 'favoured' (a trial comes after the choice)."""
    scs = evaluate_candidate(PAIN, cancer, _scs_answers(r))
    idds = evaluate_candidate(PAIN, cancer, _idds_answers(r))

    def open_before_trial(e: CandidateEvaluation) -> bool:
        others = [x for x in e.reasons if x.key != "trial_successful"]
        return all(x.status in ("met", "not applicable") for x in others)

    scs_open = open_before_trial(scs) and r.scs_trial != "failure" and r.imaging_done
    idds_open = open_before_trial(idds) and r.imaging_done
    if scs.decision == ELIGIBLE:
        return PathwayDecision(scs, idds, SCS, "SCS trial succeeded: implant the stimulator",
                               IMPLANT)
    if idds.decision == ELIGIBLE:
        return PathwayDecision(scs, idds, IDDS, "pump trial succeeded: implant the pump", IMPLANT)
    if scs_open and r.pain_pattern in ("neuropathic_leg", "mixed"):
        return PathwayDecision(scs, idds, SCS, "predominant neuropathic leg pain: SCS trial "
                               "first (the pathway's rule)", TRIAL)
    if idds_open and (r.pain_pattern == "axial_back" or r.scs_trial == "failure"):
        why = ("SCS trial failed: pump trial" if r.scs_trial == "failure"
               else "predominant axial back pain: pump trial first (the pathway's rule)")
        return PathwayDecision(scs, idds, IDDS, why, TRIAL)
    if NOT_ELIGIBLE in (scs.decision,) and NOT_ELIGIBLE in (idds.decision,):
        return PathwayDecision(scs, idds, None, "not a candidate for either device",
                               NOT_A_CANDIDATE)
    missing = [x.message for x in (*scs.reasons, *idds.reasons) if x.status == "pending"]
    if not r.imaging_done:
        missing.insert(0, "imaging not yet done")
    return PathwayDecision(scs, idds, None, "evaluation incomplete: " + "; ".join(
        dict.fromkeys(missing)), EVALUATION)
