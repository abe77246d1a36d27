"""The dose history a titration limit is measured from.

"≤ 30 % per 24 h" is measured from the *lowest* daily dose in effect at any moment
of the last 24 h, so two +25 % steps an hour apart cannot add up to +56 %.
"""

from __future__ import annotations

from collections.abc import Iterable

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
