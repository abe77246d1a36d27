"""A trial as it happens: doses given and assessments scored, each timestamped and
checked as it is recorded, then evaluated (DD-14).

The record only grows: a dose the protocol refuses (a baclofen screening dose
sooner than 24 h after the last, a bolus above the library's largest) is not
recorded, and the finding says why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from thecal.core.drugs import DrugLibrary
from thecal.core.errors import InputError, Problem, Refused
from thecal.core.safety import HARD, Policy, finding
from thecal.core.therapy.trial import Assessment, Trial, TrialDose, TrialEvaluation, evaluate_trial
from thecal.core.tolerance import above

SCALES = {"nrs": (0.0, 10.0), "odi": (0.0, 100.0), "ashworth": (0.0, 4.0), "penn": (0.0, 4.0)}


def check_assessment(a: Assessment, path: str = "assessment") -> None:
    problems = []
    for name, (lo, hi) in SCALES.items():
        value = getattr(a, name)
        if value is not None and not lo <= value <= hi:
            problems.append(Problem(f"{path}.{name}", f"{value:g} is outside {lo:g}-{hi:g}"))
    if problems:
        raise InputError("invalid assessment", problems)


@dataclass
class TrialWorkflow:
    trial: Trial
    library: DrugLibrary
    policy: Policy

    def give_dose(self, dose: TrialDose) -> None:
        t = self.trial
        drug = self.library.get(t.drug)
        if drug is None:
            raise InputError("unknown drug", [Problem("drug", f"'{t.drug}' is not in the library")])
        refusals = []
        if t.kind != "opioid_continuous" and above(dose.amount_mcg, drug.max_bolus_mcg):
            refusals.append(
                finding(
                    "DD-14",
                    HARD,
                    "TRIAL_BOLUS_ABOVE_MAX",
                    f"{dose.amount_mcg:g} mcg is above the largest single bolus of "
                    f"{drug.max_bolus_mcg:g} mcg",
                )
            )
        if t.kind == "baclofen_screening" and t.doses:
            gap_h = (dose.at_s - t.doses[-1].at_s) / 3600.0
            need = self.policy.trial.baclofen_min_interval_h
            if gap_h < need:
                refusals.append(
                    finding(
                        "DD-14",
                        HARD,
                        "TRIAL_INTERVAL_SHORT",
                        f"{gap_h:.3g} h after the last screening dose; at least {need:g} h",
                    )
                )
        if t.doses and dose.at_s < t.doses[-1].at_s:
            raise InputError("invalid dose", [Problem("at", "doses are recorded in time order")])
        if refusals:
            raise Refused("dose refused: " + ", ".join(f.code for f in refusals), tuple(refusals))
        self.trial = replace(t, doses=(*t.doses, dose))

    def assess(self, a: Assessment) -> None:
        check_assessment(a)
        self.trial = replace(self.trial, assessments=(*self.trial.assessments, a))

    def evaluate(self) -> TrialEvaluation:
        return evaluate_trial(self.trial, self.library, self.policy)
