"""The dose history a titration limit is measured from.

"≤ 30 % per 24 h" is measured from the *lowest* daily dose in effect at any moment
of the last 24 h, so two +25 % steps an hour apart cannot add up to +56 %.

A temporary program (SR-36) is a dose in effect too: it is not a program version
(the pump returns to its base on its own), but its increase is an increase the
patient had, so "24 h between increases" and "3 increases a week" count it
(`with_temporaries`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from thecal.core.safety.context import DoseChange


def doses_in_window(
    history: Iterable[DoseChange],
    drug: str,
    current_mcg: float | None,
    since_s: float,
    now_s: float,
) -> list[float]:
    """Every daily dose of `drug` in effect during [since_s, now_s] (0 when absent)."""
    entries = sorted(
        (h for h in history if h.drug == drug and h.at_s <= now_s), key=lambda h: h.at_s
    )
    before = [h for h in entries if h.at_s <= since_s]
    inside = [h.daily_mcg for h in entries if h.at_s > since_s]
    doses = ([before[-1].daily_mcg] if before else []) + inside
    if current_mcg is not None:
        doses.append(current_mcg)
    return doses


def increases(history: Iterable[DoseChange], drug: str) -> list[float]:
    """Times at which `drug`'s daily dose went up, oldest first."""
    out = []
    last: float | None = None
    for h in sorted((h for h in history if h.drug == drug), key=lambda h: h.at_s):
        if last is not None and h.daily_mcg > last:
            out.append(h.at_s)
        last = h.daily_mcg
    return out


def dose_at(history: Iterable[DoseChange], drug: str, at_s: float) -> float | None:
    """The daily dose of `drug` in effect at `at_s`, or None if the history is silent."""
    before = [h for h in history if h.drug == drug and h.at_s <= at_s]
    return max(before, key=lambda h: h.at_s).daily_mcg if before else None


@dataclass(frozen=True)
class TemporaryDoses:
    """A temporary program that was sent and read back: its daily doses from `from_s`,
    the base program's again at `until_s` unless a later change ended it first."""

    from_s: float
    until_s: float
    doses_mcg: tuple[tuple[str, float], ...]  # (drug, mcg/day)


def with_temporaries(
    history: Iterable[DoseChange], temporaries: Iterable[TemporaryDoses]
) -> tuple[DoseChange, ...]:
    """The program versions' doses with each temporary program's: its doses from its
    start and, where it ran to its end (no program or other temporary came first), the
    base's doses again at that end. Oldest first."""
    base = sorted(history, key=lambda h: h.at_s)
    temps = sorted(temporaries, key=lambda t: t.from_s)
    out = list(base)
    for t in temps:
        later = [h.at_s for h in base if h.at_s > t.from_s]
        later += [u.from_s for u in temps if u.from_s > t.from_s]
        out += [DoseChange(t.from_s, drug, mcg) for drug, mcg in t.doses_mcg]
        if later and min(later) <= t.until_s:
            continue  # replaced before it ended: the change that replaced it is there
        for drug, _ in t.doses_mcg:
            back = dose_at(base, drug, t.from_s)
            out.append(DoseChange(t.until_s, drug, back if back is not None else 0.0))
    return tuple(sorted(out, key=lambda h: h.at_s))
