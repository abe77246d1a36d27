"""Findings and bounds: what every safety rule returns, and the fold over them.

A finding says what is wrong (or worth knowing), how bad, which rule, and where the
rule comes from. A bound says "at most this much", with the rule that sets it; the
smallest bound of each severity is the limit the screen shows *and* the limit the
check enforces, because both come from the same fold (AndroidAPS's Constraint).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import cast

# pydantic reads typing_extensions' TypedDict on Python 3.11: the API answers findings
from typing_extensions import TypedDict

from thecal.core.safety.registry import rule
from thecal.core.sourced import Severity

HARD, SOFT, INFO = Severity.HARD, Severity.SOFT, Severity.INFO


class FindingDict(TypedDict):
    """A finding as JSON: what the API answers and a session record stores."""

    rule_id: str
    severity: Severity
    code: str
    message: str
    source: str
    path: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    code: str
    message: str
    source: str
    path: str = ""

    def as_dict(self) -> FindingDict:
        return cast(FindingDict, asdict(self))  # the fields are FindingDict's keys


def finding(rule_id: str, severity: Severity, code: str, message: str, path: str = "") -> Finding:
    """A finding whose source is the registered source of its rule."""
    return Finding(rule_id, severity, code, message, rule(rule_id).source, path)


@dataclass(frozen=True)
class Bound:
    """An upper limit on one quantity (e.g. the daily dose of morphine, mcg/day)."""

    quantity: str
    value: float
    severity: Severity  # hard or soft: what going above it costs
    rule_id: str
    code: str
    reason: str

    @property
    def source(self) -> str:
        return rule(self.rule_id).source


_SEVERITY_ORDER = {HARD: 0, SOFT: 1, INFO: 2}


def by_severity(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Hard first, then soft, then info, each kind in the order it was found: what a
    reviewer must change, then what they must accept, then what they should know."""
    return tuple(sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity]))


def most_limiting(bounds: Iterable[Bound], quantity: str, severity: Severity) -> Bound | None:
    """The smallest bound of `severity` on `quantity`; ties keep the first rule given."""
    best: Bound | None = None
    for b in bounds:
        wanted = b.quantity == quantity and b.severity == severity
        if wanted and (best is None or b.value < best.value):
            best = b
    return best
