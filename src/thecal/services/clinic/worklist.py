"""Worklist urgency: what needs doing first (SR-25: overdue first).

A pure ranking over rows the store has already narrowed down. Withdrawal-risk drugs
(baclofen: boxed warning) move one level up, because running dry is dangerous
for them, not merely painful.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from thecal.core.safety import Policy
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.clinic.words import date as date_words

CRITICAL, OVERDUE, DUE_SOON, UPCOMING = 0, 1, 2, 3
LABELS = {CRITICAL: "critical", OVERDUE: "urgent", DUE_SOON: "due soon", UPCOMING: "upcoming"}


@dataclass(frozen=True)
class WorkItem:
    patient_id: int
    name: str
    mrn: str
    kind: str  # refill | replacement | alarm | discrepancy | trial | pathway
    rank: int
    due_s: float | None
    detail: str
    withdrawal_risk: bool = False
    ref_id: int | None = None  # the alarm or refill the item resolves with (its action)
    # the patient's screen the next step is taken on, and its words, where the kind
    # alone does not say it (the care pathway: evaluate, start a trial, implant)
    action: tuple[str, str] | None = None

    @property
    def urgency(self) -> str:
        return LABELS[self.rank]


# alarms the worklist shows as themselves: HIGH and MEDIUM (IEC 60601-1-8: immediate
# and prompt response). A low reservoir and an elective replacement are on the list
# already as the refill and the replacement they call for, with their dates.
ALARM_RANKS = {"high": CRITICAL, "medium": OVERDUE}
SHOWN_AS_ANOTHER_ITEM = frozenset({"LOW_RESERVOIR", "ELECTIVE_REPLACEMENT"})


def alarm_rank(priority: str) -> int | None:
    """Where an open alarm ranks by its priority at onset (None: not on the worklist)."""
    return ALARM_RANKS.get(priority)


def worklist_alarm_codes(priorities: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The codes that can reach the worklist, from each code's possible priorities (its
    own and the one raised for a withdrawal-critical drug), in a stable order."""
    return tuple(sorted(code for code, levels in priorities.items()
                        if code not in SHOWN_AS_ANOTHER_ITEM
                        and any(level in ALARM_RANKS for level in levels)))  # fmt: skip


def refill_rank(due_s: float, now_s: float, withdrawal_risk: bool, policy: Policy) -> int:
    soon = policy.worklist.due_soon_days * SECONDS_PER_DAY
    if due_s <= now_s:
        rank = OVERDUE
    elif due_s <= now_s + soon:
        rank = DUE_SOON
    else:
        rank = UPCOMING
    return max(CRITICAL, rank - 1) if withdrawal_risk else rank


def refill_detail(
    due_s: float, now_s: float, reason: str, drugs: str, empty: bool = False,
    empty_since_s: float | None = None,
) -> str:  # fmt: skip
    """The refill's state in words: an empty pump says so first, with the date its
    empty-reservoir alarm began and the days since where the clinic has it, then how
    overdue, then why it was due (issue 25)."""
    days = (due_s - now_s) / SECONDS_PER_DAY
    when = f"{-days:.1f} d overdue" if days < 0 else f"due in {days:.1f} d"
    first = ""
    if empty and empty_since_s is not None:
        dry = max(0.0, now_s - empty_since_s) / SECONDS_PER_DAY
        first = (f"pump empty since {date_words(empty_since_s)} ({dry:.0f} days), "
                 "nothing delivered; ")  # fmt: skip
    elif empty:
        first = "pump empty, nothing delivered; "
    return f"{first}{when}: {reason} ({drugs})"


def ordered(items: list[WorkItem]) -> list[WorkItem]:
    return sorted(items, key=lambda w: (w.rank, w.due_s if w.due_s is not None else 0.0))
