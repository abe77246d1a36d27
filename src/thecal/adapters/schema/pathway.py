"""The care pathway record before either device (docs/scs.md): treatments tried, the
evaluations, the pain pattern and any trial; read into the core's `PathwayRecord`."""

from __future__ import annotations

from pydantic import Field

from thecal.adapters.schema.base import Doc
from thecal.adapters.schema.types import Flag, Timestamp, choice
from thecal.core.therapy.pathway import (
    OUTCOMES,
    PATTERNS,
    TREATMENTS,
    PathwayRecord,
    TreatmentTried,
)

TRIAL_RESULTS = ("success", "failure")


class TreatmentDoc(Doc):
    kind: choice(TREATMENTS)  # type: ignore[valid-type]
    start: Timestamp
    end: Timestamp | None = None
    outcome: choice(OUTCOMES)  # type: ignore[valid-type]


class PathwayDoc(Doc):
    """Every answer optional: a missing one is "not yet known", and the decision says
    what is still needed."""

    treatments: list[TreatmentDoc] = Field(default_factory=list)
    surgical_candidate: Flag | None = None
    fit_for_surgery: Flag | None = None
    psychological_evaluation_favourable: Flag | None = None
    imaging_done: Flag = False
    pain_pattern: choice(PATTERNS) | None = None  # type: ignore[valid-type]
    dependent_on_pain_medication: Flag | None = None
    systemic_opioid_reduction_attempted: Flag | None = None
    scs_trial: choice(TRIAL_RESULTS) | None = None  # type: ignore[valid-type]
    idds_trial: choice(TRIAL_RESULTS) | None = None  # type: ignore[valid-type]
    cancer: Flag = False

    def core(self) -> PathwayRecord:
        return PathwayRecord(
            tuple(TreatmentTried(t.kind, t.start, t.end, t.outcome) for t in self.treatments),
            self.surgical_candidate,
            self.fit_for_surgery,
            self.psychological_evaluation_favourable,
            self.imaging_done,
            self.pain_pattern,
            self.dependent_on_pain_medication,
            self.systemic_opioid_reduction_attempted,
            self.scs_trial,
            self.idds_trial,
        )
