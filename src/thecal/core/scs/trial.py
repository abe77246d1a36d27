"""The SCS trial: temporary leads for a few days, then implant if the pain fell by
at least the policy's share (the pump trial's rule, policy [trial]
success_nrs_reduction_pct). Judged on the mean NRS over the trial days, so one good
day does not make a trial."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.safety.findings import INFO, SOFT, Finding, finding
from thecal.core.safety.policy import Policy
from thecal.core.scs.catalogue import ScsCatalogue


@dataclass(frozen=True)
class ScsTrialResult:
    outcome: str  # success | failure | incomplete
    relief_pct: float | None
    findings: tuple[Finding, ...]


def evaluate_scs_trial(
    baseline_nrs: float, daily_nrs: tuple[float, ...], days: int, cat: ScsCatalogue,
    policy: Policy,
) -> ScsTrialResult:
    found: list[Finding] = []
    lo, hi = cat.trial_days
    if not lo <= days <= hi:
        found.append(finding("SCS-03", SOFT, "SCS_TRIAL_DURATION",
                             f"a {days}-day trial; temporary-lead trials run {lo}-{hi} days"))
    if baseline_nrs <= 0 or not daily_nrs:
        return ScsTrialResult("incomplete", None, tuple(found))
    mean = sum(daily_nrs) / len(daily_nrs)
    relief = (baseline_nrs - mean) / baseline_nrs * 100.0
    need = policy.trial.success_nrs_reduction_pct
    outcome = "success" if relief >= need else "failure"
    found.append(finding("SCS-03", INFO, "SCS_TRIAL_" + outcome.upper(),
                         f"mean NRS {mean:.3g} against {baseline_nrs:g} at baseline: "
                         f"{relief:.3g} % relief (need {need:g} %)"))
    return ScsTrialResult(outcome, relief, tuple(found))
