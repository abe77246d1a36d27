"""Dose-safety rules: small pure rules returning findings, folded by one checker."""

from thecal.core.safety.bolus import BolusProposal, check_bolus
from thecal.core.safety.checker import PROGRAM_RULES, Review, check_program
from thecal.core.safety.context import Catheter, DoseChange, Patient, ProgramProposal
from thecal.core.safety.dose_limits import Allowance, most_allowed
from thecal.core.safety.findings import HARD, INFO, SOFT, Bound, Finding, finding
from thecal.core.safety.policy import Policy
from thecal.core.safety.registry import RULES, RuleInfo

__all__ = [
    "HARD",
    "INFO",
    "PROGRAM_RULES",
    "RULES",
    "SOFT",
    "Allowance",
    "BolusProposal",
    "Bound",
    "Catheter",
    "DoseChange",
    "Finding",
    "Patient",
    "Policy",
    "ProgramProposal",
    "Review",
    "RuleInfo",
    "check_bolus",
    "check_program",
    "finding",
    "most_allowed",
]
