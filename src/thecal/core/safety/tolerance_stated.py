"""An opioid start for a patient whose opioid tolerance is not stated.

A program-check document without `patient.opioid_naive` was checked as opioid-tolerant
(the flag's default was false): an unanswered question lifted an opioid start from the
label's naive ceiling (morphine 1 mg/day, hard) to its tolerant range (up to 10 mg/day).
Unstated, it is now checked as opioid-naive, the safe side (dose_limits.tolerant), and
this finding says so, so a clinician whose patient is tolerant states it rather than
meet a hard stop with no reason given. The clinic never lets it be unstated
(services/clinic/care.py); this is the programmer's documents.
"""

from __future__ import annotations

from thecal.core.safety.context import ProgramProposal
from thecal.core.safety.dose_limits import is_start
from thecal.core.safety.findings import INFO, Finding, finding
from thecal.core.therapy.dosing import daily_doses


def check_tolerance_stated(ctx: ProgramProposal) -> list[Finding]:
    if ctx.patient.opioid_naive is not None:
        return []
    return [
        finding(
            "DD-03",
            INFO,
            "OPIOID_TOLERANCE_UNSTATED",
            f"{name} start: the patient's opioid tolerance is not stated, so it is checked "
            "as opioid-naive (the label's naive ceiling); state opioid_naive: false for an "
            "opioid-tolerant patient",
            "patient.opioid_naive",
        )
        for name in daily_doses(ctx.proposed)
        if (drug := ctx.drug(name)) is not None  # unknown: the library gate refuses it
        and drug.drug_class == "opioid"
        and is_start(ctx, name)
    ]
