"""One checker folds every program rule into one list of findings.

Like oref0's determine_basal it is a pure function of its input: the same proposal
always gives the same findings, so a check can be replayed from its record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from thecal.core.pump.constant_flow import sent_for
from thecal.core.pump.program import validate_program
from thecal.core.safety.battery import check_end_of_service
from thecal.core.safety.clinical import (
    check_age,
    check_brain_injury,
    check_granuloma,
    check_monitoring,
    check_sedatives,
    check_withdrawal,
)
from thecal.core.safety.concentration_change import check_concentration_change
from thecal.core.safety.context import ProgramProposal
from thecal.core.safety.dose_limits import Allowance, check_daily_doses, most_allowed
from thecal.core.safety.findings import HARD, INFO, Finding, by_severity, finding
from thecal.core.safety.library_gate import check_library
from thecal.core.safety.tolerance_stated import check_tolerance_stated
from thecal.core.safety.unit_sanity import check_unit_sanity

Rule = Callable[[ProgramProposal], list[Finding]]


def check_pump_rules(ctx: ProgramProposal) -> list[Finding]:
    """The pump's own rules on what it is sent. A refill or an implant of a constant-flow
    pump proposes what it delivers by itself (its drugs at its fixed flow, which the dose
    rules read) and sends only the drugs; any other program is sent as it is."""
    sent = sent_for(ctx.model, ctx.proposed)
    return [
        finding("PUMP-3", HARD, "PROGRAM_INVALID", p.message, p.path)
        for p in validate_program(sent, ctx.model, ctx.library)
    ]


def check_low_reservoir(ctx: ProgramProposal) -> list[Finding]:
    """SR-22: the threshold is configurable; withdrawal-risk drugs are advised 4 mL (F9)."""
    advised = ctx.policy.refill.withdrawal_risk_low_alarm_ml
    risky = [
        d.name
        for d in ctx.proposed.drugs
        if (drug := ctx.drug(d.name)) is not None and drug.withdrawal_risk
    ]
    if ctx.model.programmable and risky and ctx.proposed.low_reservoir_alarm_ml < advised:
        return [
            finding(
                "SR-22",
                INFO,
                "LOW_RESERVOIR_ALARM_LOW",
                f"{', '.join(risky)}: withdrawal has occurred with the alarm at "
                f"{ctx.proposed.low_reservoir_alarm_ml:g} mL; consider {advised:g} mL",
                "low_reservoir_alarm_ml",
            )
        ]
    return []


PROGRAM_RULES: tuple[Rule, ...] = (
    check_pump_rules,
    check_library,
    check_unit_sanity,
    check_daily_doses,
    check_tolerance_stated,
    check_concentration_change,
    check_withdrawal,
    check_monitoring,
    check_age,
    check_brain_injury,
    check_granuloma,
    check_sedatives,
    check_low_reservoir,
    check_end_of_service,
)


@dataclass(frozen=True)
class Review:
    findings: tuple[Finding, ...]
    allowed: dict[str, Allowance]

    @property
    def hard(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == HARD)

    @property
    def refused(self) -> bool:
        return bool(self.hard)


def check_program(ctx: ProgramProposal) -> Review:
    """Every finding about `ctx.proposed`, hard first, and the most each drug may get."""
    found: list[Finding] = []
    for rule in PROGRAM_RULES:
        found.extend(rule(ctx))
    return Review(by_severity(found), most_allowed(ctx))
