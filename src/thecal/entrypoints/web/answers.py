"""What the API's therapy and device routes answer, as types: a check's review (what the
clinician must see before confirming, and what a commit must name) and a refill plan.

Typed, so /openapi.json declares each shape and the schemathesis fuzz test checks the
answers against it: a client can rely on a finding's severity being hard, soft or
info, and on `reviewed_digest` and `therapy_version` being there to confirm with.
"""

# no `from __future__ import annotations`: pydantic reads these TypedDicts at run time
# pydantic reads typing_extensions' TypedDict on Python 3.11
from typing import get_type_hints

from typing_extensions import TypedDict

from thecal.core.safety.findings import FindingDict
from thecal.services.clinic.gate import Review
from thecal.services.clinic.worklist import WorkItem


class SettingChange(TypedDict):
    setting: str
    before: str
    after: str
    changed: bool


class DoseChange(TypedDict):
    drug: str
    before_mcg_per_day: float | None
    after_mcg_per_day: float | None
    change_pct: float | None


class ReviewAnswer(TypedDict):
    """A review as the API shows it: findings, what still blocks the change, old and
    new settings side by side, each drug's 24 h dose, who must sign, and the digest and
    therapy version a commit must name."""

    findings: list[FindingDict]
    blockers: list[FindingDict]
    diff: list[SettingChange]
    doses: list[DoseChange]
    needs_second_person: list[str]
    reviewed_digest: str
    therapy_version: int


class RefillPlanAnswer(ReviewAnswer):
    """A refill's review and its plan: what should come out, what the pump will hold,
    the daily use and the next refill date with its reason."""

    expected_withdrawal_ml: float
    volume_after_ml: float
    daily_use_ml: float
    next_refill_s: float
    next_refill_reason: str


class OpenAlarm(TypedDict):
    """An alarm not yet acknowledged in the clinic, as the alarm list answers it."""

    id: int
    patient_id: int
    code: str
    severity: str  # the pump's word (critical, high, ...): docs/alarms.md
    onset_s: float
    cleared_s: float | None


class DiaryEntry(TypedDict):
    at_s: float
    pain_nrs: int | None  # 0-10
    spasm: int | None  # 0-10
    note: str


class SessionAnswer(TypedDict):
    """Who is logged in, and the token a write must carry (X-CSRF-Token)."""

    username: str
    role: str
    csrf: str


class Me(SessionAnswer):
    patient_id: int | None  # a patient's own login: the one record it sees


class LockHeld(TypedDict):
    key: str  # user:NAME, ip:ADDRESS or second:NAME
    failures: int
    locked_until_s: float | None


class PatientListed(TypedDict):
    id: int
    mrn: str
    name: str
    indication: str


class AuditListed(TypedDict):
    id: int
    at_s: float
    user: str
    action: str
    entity: str
    entity_id: str
    reason: str
    hash: str


class AuditCheck(TypedDict):
    """The hash chain verified end to end (and against its stored head)."""

    ok: bool
    rows: int
    head: str
    problems: list[str]


class UserListed(TypedDict):
    id: int
    username: str
    full_name: str
    role: str
    patient_id: int | None
    active: bool


# One worklist item, as GET /api/worklist encodes it (encode_worklist): the fields of
# WorkItem, read from it (not restated), and its urgency word. Only the OpenAPI
# document reads it: the page is encoded by hand and kept (worklist_pages.py).
WorkItemAnswer = TypedDict(
    "WorkItemAnswer",
    {**get_type_hints(WorkItem), "urgency": str},  # type: ignore[misc]  # read, not restated
)


def review_answer(review: Review) -> ReviewAnswer:
    p = review.proposal
    return ReviewAnswer(
        findings=[f.as_dict() for f in p.findings],
        blockers=[f.as_dict() for f in review.blockers],
        diff=[SettingChange(setting=r.setting, before=r.before, after=r.after,
                            changed=r.changed) for r in p.diff],
        doses=[DoseChange(drug=r.drug, before_mcg_per_day=r.before_mcg_per_day,
                          after_mcg_per_day=r.after_mcg_per_day, change_pct=r.change_pct)
               for r in p.doses],
        needs_second_person=list(p.needs_second_person),
        reviewed_digest=p.digest,
        therapy_version=review.therapy_version,
    )  # fmt: skip
