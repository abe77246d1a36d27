"""What a programming session proposes, and what still stands between it and the
pump: the one list of blockers that both the screen ("what is left to do") and
commit ("refused because") read, so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from thecal.core.pump.program import Program
from thecal.core.safety import HARD, SOFT, BolusProposal, Finding, finding
from thecal.services.program_diff import DiffRow, DoseRow


@dataclass(frozen=True)
class Acknowledgement:
    code: str
    rule_id: str
    user: str
    reason: str
    at_s: float
    finding_message: str


@dataclass
class Proposal:
    program: Program | None
    bolus: BolusProposal | None
    findings: tuple[Finding, ...]
    diff: list[DiffRow]
    doses: list[DoseRow]
    needs_second_person: tuple[str, ...]
    bridge_duration_s: float | None = None
    acknowledgements: list[Acknowledgement] = field(default_factory=list)
    verified_by: str | None = None
    confirmed: bool = False


def blockers(p: Proposal) -> list[Finding]:
    """Hard findings, soft ones not acknowledged, a missing second person (F28) and a
    missing confirmation of the side-by-side settings (SR-08)."""
    out = [f for f in p.findings if f.severity == HARD]
    acked = {a.code for a in p.acknowledgements}
    out += [f for f in p.findings if f.severity == SOFT and f.code not in acked]
    if p.needs_second_person and p.verified_by is None:
        out.append(
            finding(
                "F28",
                HARD,
                "SECOND_PERSON_REQUIRED",
                "a second person must verify: " + ", ".join(p.needs_second_person),
            )
        )
    if not p.confirmed:
        out.append(
            finding(
                "SR-08",
                HARD,
                "NOT_CONFIRMED",
                "confirm the side-by-side settings before the pump is updated",
            )
        )
    return out
