"""Findings and bounds: what every safety rule returns, and the fold over them.

A finding says what is wrong (or worth knowing), how bad, which rule, and where the
rule comes from. A bound says "at most this much", with the rule that sets it; the
smallest bound of each severity is the limit the screen shows *and* the limit the
check enforces, because both come from the same fold (AndroidAPS's Constraint).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from thecal.core.safety.registry import rule

HARD = "hard"
SOFT = "soft"
INFO = "info"
SEVERITIES = (HARD, SOFT, INFO)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str  # hard: refused, no override | soft: needs an acknowledgement | info
    code: str
    message: str
    source: str
    path: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "source": self.source,
            "path": self.path,
        }


def finding(rule_id: str, severity: str, code: str, message: str, path: str = "") -> Finding:
    """A finding whose source is the registered source of its rule."""
    return Finding(rule_id, severity, code, message, rule(rule_id).source, path)


@dataclass(frozen=True)
class Bound:
    """An upper limit on one quantity (e.g. the daily dose of morphine, mcg/day)."""

    quantity: str
    value: float
    severity: str  # hard or soft: what going above it costs
    rule_id: str
    code: str
    reason: str

    @property
    def source(self) -> str:
        return rule(self.rule_id).source


def most_limiting(bounds: Iterable[Bound], quantity: str, severity: str) -> Bound | None:
    """The smallest bound of `severity` on `quantity`; ties keep the first rule given."""
    best: Bound | None = None
    for b in bounds:
        same = b.quantity == quantity and b.severity == severity
        if same and (best is None or b.value < best.value):
            best = b
    return best


def exceeded(bounds: Iterable[Bound], quantity: str, value: float, path: str) -> list[Finding]:
    """Findings for `value` above the most limiting hard and soft bound on `quantity`.
    A value above the hard bound gets only the hard finding: the soft one is moot."""
    bounds = tuple(bounds)
    hard = most_limiting(bounds, quantity, HARD)
    if hard is not None and value > hard.value * (1 + 1e-9):
        return [finding(hard.rule_id, HARD, hard.code, f"{hard.reason}", path)]
    soft = most_limiting(bounds, quantity, SOFT)
    if soft is not None and value > soft.value * (1 + 1e-9):
        return [finding(soft.rule_id, SOFT, soft.code, f"{soft.reason}", path)]
    return []


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == HARD]


def needing_acknowledgement(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == SOFT]
