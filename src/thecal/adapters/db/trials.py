"""Trials in the clinic: the trial document of `thecal trial evaluate`, grown one dose
and one assessment at a time through `TrialWorkflow` (which refuses a dose the
protocol forbids), and evaluated by the same code as the CLI."""

from __future__ import annotations

from typing import Any

from thecal.adapters.db import audit
from thecal.adapters.db.auth import Principal
from thecal.adapters.db.clinic import Clinic, can_see
from thecal.adapters.db.models import AssessmentRow, Patient, TrialRow
from thecal.adapters.inputs.clinical_inputs import read_trial
from thecal.core.errors import InvalidTransition, NotFound
from thecal.core.therapy.trial import TrialEvaluation
from thecal.services.trial import TrialWorkflow, check_assessment


def evaluation_dict(e: TrialEvaluation) -> dict[str, Any]:
    return {
        "outcome": e.outcome,
        "effective": e.effective.measure if e.effective else None,
        "results": [
            {
                "at_s": r.dose.at_s,
                "amount_mcg": r.dose.amount_mcg,
                "responded": r.responded,
                "measure": r.measure,
            }
            for r in e.results
        ],
        "recommended_start_mcg_per_day": e.recommended_start_mcg_per_day,
        "recommendation_reason": e.recommendation_reason,
        "findings": [f.as_dict() for f in e.findings],
    }


def start_trial(
    clinic: Clinic, who: Principal, patient_id: int, document: dict[str, Any], now_s: float
) -> int:
    doc = {**document, "doses": [], "assessments": []}
    trial = read_trial(doc)  # every field checked, with its path
    with clinic.transaction() as db:
        patient = db.get(Patient, patient_id)
        if patient is None:
            raise NotFound(f"patient {patient_id} does not exist")
        row = TrialRow(
            patient_id=patient_id,
            kind=trial.kind,
            drug=trial.drug,
            status="open",
            started_s=now_s,
            document=doc,
        )
        db.add(row)
        db.flush()
        audit.append(
            db,
            now_s,
            who.username,
            "trial.start",
            "trial",
            row.id,
            "trial started",
            {"patient_id": patient_id, "kind": trial.kind, "drug": trial.drug},
        )
        return row.id


def _open(db: Any, trial_id: int) -> TrialRow:
    row = db.get(TrialRow, trial_id)
    if row is None:
        raise NotFound(f"trial {trial_id} does not exist")
    if row.status != "open":
        raise InvalidTransition(f"trial {trial_id} is {row.status}: nothing more can be added")
    return row


def add_dose(
    clinic: Clinic, who: Principal, trial_id: int, dose: dict[str, Any], now_s: float
) -> dict[str, Any]:
    with clinic.transaction() as db:
        row = _open(db, trial_id)
        before = read_trial(row.document)
        grown = read_trial({**row.document, "doses": [*row.document["doses"], dose]})
        TrialWorkflow(before, clinic.library, clinic.policy).give_dose(grown.doses[-1])
        row.document = {**row.document, "doses": [*row.document["doses"], dose]}
        audit.append(db, now_s, who.username, "trial.dose", "trial", trial_id, "trial dose", dose)
        return row.document


def add_assessment(
    clinic: Clinic, who: Principal, trial_id: int, assessment: dict[str, Any], now_s: float
) -> dict[str, Any]:
    with clinic.transaction() as db:
        row = _open(db, trial_id)
        doc = {**row.document, "assessments": [*row.document["assessments"], assessment]}
        grown = read_trial(doc)
        check_assessment(grown.assessments[-1], f"assessments[{len(grown.assessments) - 1}]")
        row.document = doc
        db.add(AssessmentRow(trial_id=trial_id, at_s=grown.assessments[-1].at_s, data=assessment))
        audit.append(
            db,
            now_s,
            who.username,
            "trial.assessment",
            "trial",
            trial_id,
            "trial assessment",
            assessment,
        )
        return doc


def evaluate(
    clinic: Clinic, who: Principal, trial_id: int, now_s: float, close: bool
) -> dict[str, Any]:
    with clinic.transaction() as db:
        row = db.get(TrialRow, trial_id)
        if row is None:
            raise NotFound(f"trial {trial_id} does not exist")
        if who.role == "patient":
            can_see(who, row.patient_id)
        result = evaluation_dict(
            TrialWorkflow(read_trial(row.document), clinic.library, clinic.policy).evaluate()
        )
        if close and row.status == "open":
            row.status, row.evaluation = "evaluated", result
            audit.append(
                db,
                now_s,
                who.username,
                "trial.evaluate",
                "trial",
                trial_id,
                "trial evaluated",
                {"outcome": result["outcome"]},
            )
        return result
