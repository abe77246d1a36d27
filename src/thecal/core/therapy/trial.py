"""Trials: did the test doses work, was the protocol kept, what should the pump start at.

Opioid trials are judged on pain (NRS 0-10 against the pre-trial baseline, success
= the policy's % reduction); baclofen screening on tone (a fall in Ashworth or Penn
score within the 4-8 h window after each bolus). All thresholds are policy data.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.drugs import DrugLibrary
from thecal.core.safety.findings import INFO, Finding, finding
from thecal.core.safety.policy import Policy
from thecal.core.therapy.trial_protocol import protocol_findings
from thecal.core.units import SECONDS_PER_HOUR

KINDS = ("opioid_single_shot", "opioid_escalating", "opioid_continuous", "baclofen_screening")
HOUR = SECONDS_PER_HOUR


@dataclass(frozen=True)
class TrialDose:
    at_s: float
    amount_mcg: float  # a bolus in mcg, or an infusion in mcg/day
    duration_s: float = 0.0  # infusion length (continuous trials)


@dataclass(frozen=True)
class Assessment:
    at_s: float
    nrs: float | None = None
    odi: float | None = None
    ashworth: float | None = None
    penn: float | None = None
    side_effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trial:
    kind: str
    drug: str
    baseline: Assessment
    doses: tuple[TrialDose, ...]
    assessments: tuple[Assessment, ...]
    indication: str = "non_cancer"
    paediatric: bool = False
    observation_h: float | None = None  # recorded observation after a single shot
    inpatient: bool = True
    systemic_opioid_taper_recorded: bool = False
    psychological_evaluation_done: bool = False


@dataclass(frozen=True)
class DoseResult:
    dose: TrialDose
    responded: bool
    measure: str  # what was judged, e.g. "NRS 8 -> 3 (-62.5 %)"
    lasting_beyond_h: float | None  # baclofen: the last responding assessment, h after


@dataclass(frozen=True)
class TrialEvaluation:
    outcome: str  # success | failure | incomplete
    effective: DoseResult | None
    results: tuple[DoseResult, ...]
    recommended_start_mcg_per_day: float | None
    recommendation_reason: str
    findings: tuple[Finding, ...]
    # a baclofen screening with no response yet: the protocol's next dose and the
    # earliest it may be given (the screening interval after the last)
    next_dose_mcg: float | None = None
    next_dose_from_s: float | None = None


def _window(t: Trial, i: int, policy: Policy) -> tuple[float, float]:
    d = t.doses[i]
    nxt = t.doses[i + 1].at_s if i + 1 < len(t.doses) else float("inf")
    if t.kind == "baclofen_screening":
        lo = policy.trial.baclofen_judge_from_h * HOUR
        hi = policy.trial.baclofen_judge_to_h * HOUR
        return d.at_s + lo, min(d.at_s + hi, nxt)
    return d.at_s, nxt


def _tone_drop(base: Assessment, a: Assessment) -> float | None:
    drops = [
        b - x
        for b, x in ((base.ashworth, a.ashworth), (base.penn, a.penn))
        if b is not None and x is not None
    ]
    return max(drops) if drops else None


def _judge(t: Trial, i: int, policy: Policy) -> DoseResult:
    lo, hi = _window(t, i, policy)
    seen = [a for a in t.assessments if lo <= a.at_s <= hi]
    dose = t.doses[i]
    if t.kind == "baclofen_screening":
        need = policy.trial.baclofen_response_drop
        drops = [(a, _tone_drop(t.baseline, a)) for a in seen]
        best = max((x for _, x in drops if x is not None), default=None)
        ok = best is not None and best >= need
        later = [
            a.at_s
            for a in t.assessments
            if a.at_s >= dose.at_s
            and (x := _tone_drop(t.baseline, a)) is not None
            and x >= need
            and (i + 1 >= len(t.doses) or a.at_s < t.doses[i + 1].at_s)
        ]
        lasting = (max(later) - dose.at_s) / HOUR if later else None
        text = (
            f"largest tone fall {best:g} point{'' if best == 1 else 's'} (need {need:g})"
            if best is not None
            else "no tone scored"
        )
        return DoseResult(dose, ok, text, lasting)
    base = t.baseline.nrs
    scores = [a.nrs for a in seen if a.nrs is not None]
    if base is None or not scores or base <= 0:
        return DoseResult(dose, False, "no NRS scored", None)
    best_nrs = min(scores)
    pct = (base - best_nrs) / base * 100.0
    need = policy.trial.success_nrs_reduction_pct
    return DoseResult(
        dose, pct >= need, f"NRS {base:g} -> {best_nrs:g} ({-pct:+.3g} %, need -{need:g} %)", None
    )


def evaluate_trial(t: Trial, library: DrugLibrary, policy: Policy) -> TrialEvaluation:
    results = tuple(_judge(t, i, policy) for i in range(len(t.doses)))
    found = protocol_findings(t, library, policy)
    effective = next((r for r in results if r.responded), None)
    if t.kind == "baclofen_screening":
        top = policy.trial.baclofen_screen_doses_mcg[-1]
        reached_top = any(d.amount_mcg >= top for d in t.doses)
        outcome = "success" if effective else ("failure" if reached_top else "incomplete")
        if outcome == "failure":
            found.append(
                finding(
                    "DD-14",
                    INFO,
                    "BACLOFEN_NO_RESPONSE",
                    f"no response at {top:g} mcg: not a candidate for a pump",
                )
            )
    else:
        outcome = "success" if effective else ("failure" if results else "incomplete")
    start, why = _start_dose(t, effective, policy)
    for a in t.assessments:
        if a.side_effects:
            found.append(
                finding(
                    "DD-14",
                    INFO,
                    "SIDE_EFFECTS",
                    f"{(a.at_s - t.doses[0].at_s) / HOUR if t.doses else 0:.3g} h: "
                    f"{', '.join(a.side_effects)}",
                )
            )
    next_mcg, next_from = (None, None)
    if outcome == "incomplete":
        next_mcg, next_from = _next_screening_dose(t, policy)
    return TrialEvaluation(outcome, effective, results, start, why, tuple(found), next_mcg,
                           next_from)  # fmt: skip


def _next_screening_dose(t: Trial, policy: Policy) -> tuple[float | None, float | None]:
    """The first rung of the screening ladder (50, 75, 100 mcg) above the largest dose
    given, not before the screening interval has passed since the last dose."""
    if t.kind != "baclofen_screening" or not t.doses:
        return None, None
    given = max(d.amount_mcg for d in t.doses)
    rung = next((r for r in policy.trial.baclofen_screen_doses_mcg if r > given), None)
    if rung is None:
        return None, None
    return rung, t.doses[-1].at_s + policy.trial.baclofen_min_interval_h * HOUR


def _start_dose(t: Trial, eff: DoseResult | None, policy: Policy) -> tuple[float | None, str]:
    if eff is None:
        return None, "no effective dose"
    if t.kind == "baclofen_screening":
        long_h = policy.trial.baclofen_long_effect_h
        if eff.lasting_beyond_h is not None and eff.lasting_beyond_h > long_h:
            f = policy.trial.baclofen_long_effect_factor
            return (
                f * eff.dose.amount_mcg,
                f"{f:g}x the effective {eff.dose.amount_mcg:g} mcg: effect lasted "
                f"{eff.lasting_beyond_h:.3g} h (> {long_h:g} h)",
            )
        f = policy.trial.baclofen_start_factor
        return (
            f * eff.dose.amount_mcg,
            f"{f:g}x the effective {eff.dose.amount_mcg:g} mcg screening dose per day",
        )
    if t.kind == "opioid_continuous":
        return eff.dose.amount_mcg, "the effective trial infusion, per day"
    f = policy.trial.opioid_start_factor
    return (
        f * eff.dose.amount_mcg,
        f"{f:g}x the effective {eff.dose.amount_mcg:g} mcg bolus, per day",
    )
