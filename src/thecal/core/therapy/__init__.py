"""Therapy math: dose, rate and concentration; conversions; catheter volumes and
bridge boluses; refill plans; trials and candidate evaluation. Pure functions."""

from thecal.core.therapy.candidate import CandidateEvaluation, evaluate_candidate
from thecal.core.therapy.catheter import (
    BridgePlan,
    bridge_plan,
    path_volume_ml,
    priming_volume_ml,
)
from thecal.core.therapy.conversion import Conversion, ConversionTable
from thecal.core.therapy.dosing import (
    DrugDose,
    concentration_mcg_per_ml,
    daily_doses,
    daily_volumes,
    dose_mcg_per_day,
    percent_change,
    rate_ml_per_day,
)
from thecal.core.therapy.reconcile import Reconciliation, reconcile
from thecal.core.therapy.refill import RefillPlan, RefillRequest, plan_refill, stability_days
from thecal.core.therapy.trial import Assessment, Trial, TrialDose, TrialEvaluation, evaluate_trial

__all__ = [
    "Assessment",
    "BridgePlan",
    "CandidateEvaluation",
    "Conversion",
    "ConversionTable",
    "DrugDose",
    "Reconciliation",
    "RefillPlan",
    "RefillRequest",
    "Trial",
    "TrialDose",
    "TrialEvaluation",
    "bridge_plan",
    "concentration_mcg_per_ml",
    "daily_doses",
    "daily_volumes",
    "dose_mcg_per_day",
    "evaluate_candidate",
    "evaluate_trial",
    "path_volume_ml",
    "percent_change",
    "plan_refill",
    "priming_volume_ml",
    "rate_ml_per_day",
    "reconcile",
    "stability_days",
]
