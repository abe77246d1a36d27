"""The words the use cases store and compare, as types (issue 27).

A session's outcome, an appointment's state: each was a string typed out where it
was written and where it was read, so a misspelling compared unequal in silence.
They are StrEnums, so they are still the plain words in the database, the JSON and
the templates (`SessionStatus.COMMITTED == "committed"`), and mypy knows the set.
"""

# no `from __future__ import annotations`: TypedDict reads NotRequired at run time
from enum import StrEnum
from typing import Any, NotRequired

# pydantic reads typing_extensions' TypedDict on Python 3.11: the API answers some
from typing_extensions import TypedDict

from thecal.core.safety.findings import FindingDict


class SessionStatus(StrEnum):
    """How a programming or refill session ended (SR-04, SR-33): committed only when
    the pump's read-back matched what was signed."""

    OPEN = "open"
    COMMITTED = "committed"
    INCOMPLETE = "incomplete"  # ended or read back without the change confirmed
    UNCERTAIN = "uncertain"  # the link failed mid-write: what the pump holds is unknown


class TrialStatus(StrEnum):
    """A pump trial's record: open while doses and assessments are added, evaluated
    once closed with its outcome."""

    OPEN = "open"
    EVALUATED = "evaluated"


class StimulatorKind(StrEnum):
    """A spinal cord stimulator record: the external one of a trial, or the implant."""

    TRIAL = "trial"
    IMPLANT = "implant"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    DONE = "done"  # the refill was recorded
    CANCELLED = "cancelled"


class SessionRecord(TypedDict):
    """What a programming, bolus or device session stores and answers (the same shape
    for each): typed, so a misspelt key is a mypy error where it is read or written.
    Stored as JSON; `status` is a SessionStatus, which is its word there."""

    status: SessionStatus
    user: str
    started_s: float
    closed_s: float
    before_digest: str | None
    proposed_digest: str | None
    after_digest: str | None
    review_digest: str | None
    findings: list[FindingDict]
    acknowledgements: list[dict[str, Any]]
    verified_by: str | None
    diff: list[dict[str, Any]]
    doses: list[dict[str, Any]]
    log: list[dict[str, Any]]
    # added by the use case that stores the session
    session_id: NotRequired[int]
    temporary_until_s: NotRequired[float]  # a temporary program (SR-36)
    bolus: NotRequired[dict[str, Any]]  # a programmer bolus: kind, volume, duration
    replaced_pump: NotRequired[bool]  # a new pump in place of the running one
    refused: NotRequired[list[FindingDict]]  # the findings a commit was refused for


class RefillRecord(TypedDict):
    """What a refill session stores and answers: the plan's review and acknowledgements,
    the findings after the pump took it (reconciliation, SR-21), those still open and
    who acknowledged which, and the next refill it booked. Typed like SessionRecord."""

    status: SessionStatus
    user: str
    verified_by: str | None
    started_s: float
    closed_s: float
    review_digest: str | None
    before_digest: str | None
    after_digest: str | None
    plan_findings: list[FindingDict]
    acknowledgements: list[dict[str, Any]]
    doses: list[dict[str, Any]]
    findings: list[FindingDict]
    open: list[str]
    acknowledged: dict[str, dict[str, str]]
    next_refill_s: float | None
    next_refill_reason: str | None
    log: list[dict[str, Any]]
    # added by the use case that stores the refill
    entered_ml: NotRequired[float]  # the volume the pump was told it holds
    drugs: NotRequired[list[dict[str, Any]]]  # the fluid: name, concentration_mcg_per_ml
    diff: NotRequired[list[dict[str, Any]]]  # settings before and after (not on old rows)
    refused: NotRequired[list[FindingDict]]  # the findings a commit was refused for
    # a constant-flow pump: no program was sent; the new fluid at its fixed flow is its dose
    fixed_flow: NotRequired[bool]


class RefillAnswer(RefillRecord):
    """A recorded refill as the API answers it: its id and its record."""

    id: int


class DoseResponse(TypedDict):
    at_s: float
    amount_mcg: float
    responded: bool
    measure: str


class TrialVerdict(TypedDict):
    """A trial's evaluation as the clinic stores and answers it: the outcome, the
    effective dose's measure, each dose's response, the recommended start and why."""

    outcome: str
    effective: str | None
    results: list[DoseResponse]
    recommended_start_mcg_per_day: float | None
    recommendation_reason: str
    findings: list[FindingDict]
    # a baclofen screening not yet answered: its next dose and from when (stored
    # evaluations written before these were added have neither)
    next_dose_mcg: NotRequired[float | None]
    next_dose_from_s: NotRequired[float | None]
