"""What a session proposes to a pump, and what still stands between it and the pump:
the one list of blockers that both the screen ("what is left to do") and commit
("refused because") read, so the two can never disagree.

Every proposal - a program, a refill, a first fill, a bolus - carries the digest of
what was reviewed (`review_digest`): the kind of change, what the pump held before
and every field of the proposal. The clinician's confirmation names that digest, so
a confirmation given for one review can never send anything else (SR-08).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from thecal.core.errors import InputError, Problem, Refused
from thecal.core.pump.program import Program
from thecal.core.safety import HARD, SOFT, BolusProposal, Finding, finding
from thecal.core.safety.findings import by_severity
from thecal.services.program_diff import DiffRow, DoseRow


def review_digest(kind: str, before: str | None, proposed: Any) -> str:
    """SHA-256 over the change as reviewed: its kind, the pump's program digest before
    (None for a pump not yet implanted) and the proposal's exact values (`repr` of a
    float is exact; dataclasses are written out field by field)."""
    text = json.dumps([kind, before, proposed], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    digest: str = ""  # review_digest of this proposal: what a confirmation must name
    second_person_rule: str = "F28"  # DD-10 for a refill
    temporary_s: float | None = None  # a temporary program: the pump reverts after (SR-36)

    def acknowledge(self, code: str, user: str, reason: str, now_s: float) -> None:
        """A soft finding accepted with a reason (SR-03); a hard one never (SR-02)."""
        problems = []
        if not reason.strip():
            problems.append(Problem("reason", "an acknowledgement needs a reason"))
        matches = [f for f in self.findings if f.code == code]
        if not matches:
            problems.append(Problem("code", f"'{code}' is not a finding of this proposal"))
        elif any(f.severity == HARD for f in matches):
            problems.append(
                Problem(
                    "code",
                    f"'{code}' is a hard limit: it cannot be acknowledged or overridden (SR-02)",
                )
            )
        if problems:
            raise InputError("acknowledgement refused", problems)
        for f in matches:
            self.acknowledgements.append(
                Acknowledgement(code, f.rule_id, user, reason, now_s, f.message)
            )

    def verify(self, programmer: str, verifier: str) -> None:
        """The second person signs; never the one who proposes (F28, DD-10)."""
        if verifier == programmer:
            raise InputError(
                "verification refused",
                [Problem("verifier", "the second person must be someone other than the user")],
            )
        self.verified_by = verifier

    def confirm(self, digest: str) -> None:
        """The clinician confirms the review they saw, named by its digest (SR-08): a
        proposal that differs in any field from the one reviewed is refused."""
        if digest != self.digest:
            raise Refused(
                "the proposal differs from the one reviewed: review it again and confirm "
                "what you see",
                (
                    finding(
                        "SR-08",
                        HARD,
                        "REVIEW_CHANGED",
                        "what would be sent is not what was reviewed and confirmed (review "
                        f"{digest[:12] or 'none'}, proposal {self.digest[:12]}): check again",
                        "reviewed_digest",
                    ),
                ),
            )
        self.confirmed = True


def blockers(p: Proposal) -> list[Finding]:
    """Hard findings, soft ones not acknowledged, a missing second person (F28) and a
    missing confirmation of the side-by-side settings (SR-08), hard before soft as every
    review lists them (a refused commit's table showed the soft ones first, then the
    missing confirmation)."""
    out = [f for f in p.findings if f.severity == HARD]
    acked = {a.code for a in p.acknowledgements}
    out += [f for f in p.findings if f.severity == SOFT and f.code not in acked]
    if p.needs_second_person and p.verified_by is None:
        out.append(
            finding(
                p.second_person_rule,
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
    return list(by_severity(out))
