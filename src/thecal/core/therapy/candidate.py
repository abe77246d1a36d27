"""Is this person a candidate for an implanted pump? Eligible, not yet, or not eligible,
with every reason. A missing answer is "not yet", never "yes": the evaluation can
only become eligible when each criterion is met on the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Decision(StrEnum):
    ELIGIBLE = "eligible"
    NOT_YET = "not yet"
    NOT_ELIGIBLE = "not eligible"


class Status(StrEnum):
    """One criterion's state on the record."""

    MET = "met"
    PENDING = "pending"
    FAILED = "failed"
    NOT_APPLICABLE = "not applicable"


ELIGIBLE, NOT_YET, NOT_ELIGIBLE = Decision.ELIGIBLE, Decision.NOT_YET, Decision.NOT_ELIGIBLE
MET, PENDING, FAILED = Status.MET, Status.PENDING, Status.FAILED
NOT_APPLICABLE = Status.NOT_APPLICABLE
PAIN, SPASTICITY = "pain", "spasticity"

SEED = "thecal seed criteria (issue 3 item 5)"


@dataclass(frozen=True)
class Criterion:
    key: str
    question: str
    applies_to: tuple[str, ...]
    when_false: Status  # FAILED (not eligible) or PENDING (not yet)
    source: str


CRITERIA = (
    Criterion(
        "oral_medications_failed",
        "oral medications tried and failed",
        (PAIN, SPASTICITY),
        PENDING,
        SEED + "; fact 16 (oral baclofen for spasticity)",
    ),
    Criterion(
        "physical_therapy_failed",
        "physical therapy tried and failed",
        (PAIN, SPASTICITY),
        PENDING,
        SEED,
    ),
    Criterion("nerve_blocks_failed", "nerve blocks tried and failed", (PAIN,), PENDING, SEED),
    Criterion(
        "spinal_cord_stimulation_failed",
        "spinal cord stimulation tried or ruled out",
        (PAIN,),
        PENDING,
        SEED,
    ),
    Criterion(
        "further_surgery_not_helpful", "further spine surgery will not help", (PAIN,), FAILED, SEED
    ),
    Criterion(
        "dependent_on_pain_medication", "dependent on pain medication", (PAIN,), FAILED, SEED
    ),
    Criterion("fit_for_surgery", "fit for surgery", (PAIN, SPASTICITY), FAILED, SEED),
    Criterion(
        "psychological_evaluation_favourable",
        "psychological evaluation favourable",
        (PAIN,),
        FAILED,
        SEED + "; PACC 2024 CP1 (fact 4)",
    ),
    Criterion(
        "systemic_opioid_reduction_attempted",
        "systemic opioid reduction attempted",
        (PAIN,),
        PENDING,
        SEED + "; PACC 2024 CP2 (fact 4), non-cancer pain",
    ),
    Criterion(
        "trial_successful", "trial gave relief", (PAIN, SPASTICITY), FAILED, SEED + "; facts 12, 21"
    ),
)


@dataclass(frozen=True)
class Reason:
    key: str
    status: Status
    message: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {
            "criterion": self.key,
            "status": self.status,
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True)
class CandidateEvaluation:
    decision: Decision
    reasons: tuple[Reason, ...]


def evaluate_candidate(
    therapy: str, cancer: bool, answers: Mapping[str, bool | None]
) -> CandidateEvaluation:
    """`answers[key]` is True, False, or None (not yet known) for each criterion."""
    reasons = []
    for c in CRITERIA:
        skip = therapy not in c.applies_to or (
            c.key == "systemic_opioid_reduction_attempted" and cancer
        )
        if skip:
            reasons.append(Reason(c.key, NOT_APPLICABLE, f"{c.question}: not applicable", c.source))
            continue
        answer = answers.get(c.key)
        if answer is True:
            reasons.append(Reason(c.key, MET, c.question, c.source))
        elif answer is None:
            reasons.append(Reason(c.key, PENDING, f"not yet recorded: {c.question}", c.source))
        else:
            reasons.append(Reason(c.key, c.when_false, f"no: {c.question}", c.source))
    statuses = {r.status for r in reasons}
    decision = NOT_ELIGIBLE if FAILED in statuses else NOT_YET if PENDING in statuses else ELIGIBLE
    return CandidateEvaluation(decision, tuple(reasons))
