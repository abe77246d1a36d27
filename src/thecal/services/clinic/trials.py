"""Trials in the clinic: the trial document of `thecal trial evaluate`, grown one dose
and one assessment at a time through `TrialWorkflow` (which refuses a dose the
protocol forbids), and evaluated by the same code as the CLI."""

from __future__ import annotations

from typing import Any

from thecal.core.errors import Conflict, InvalidTransition
from thecal.core.therapy.trial import TrialEvaluation
from thecal.services.clinic.base import ClinicBase, can_see
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import Principal, TrialFacts, UnitOfWork
from thecal.services.trial import TrialWorkflow, check_assessment
from thecal.services.vocabulary import DoseResponse, TrialStatus, TrialVerdict


def evaluation_dict(e: TrialEvaluation) -> TrialVerdict:
    return TrialVerdict(
        outcome=e.outcome,
        effective=e.effective.measure if e.effective else None,
        results=[
            DoseResponse(
                at_s=r.dose.at_s,
                amount_mcg=r.dose.amount_mcg,
                responded=r.responded,
                measure=r.measure,
            )
            for r in e.results
        ],
        recommended_start_mcg_per_day=e.recommended_start_mcg_per_day,
        recommendation_reason=e.recommendation_reason,
        findings=[f.as_dict() for f in e.findings],
        next_dose_mcg=e.next_dose_mcg,
        next_dose_from_s=e.next_dose_from_s,
    )


def _open(uow: UnitOfWork, trial_id: int) -> TrialFacts:
    trial = uow.trials.get(trial_id)
    if trial.status != TrialStatus.OPEN:
        raise InvalidTransition(f"trial {trial_id} is {trial.status}: nothing more can be added")
    return trial


class Trials(ClinicBase):
    def start_trial(
        self, who: Principal, patient_id: int, document: dict[str, Any], now_s: float
    ) -> int:
        authorize(who.role, "trials.write")
        doc = {**document, "doses": [], "assessments": []}
        trial = self.readers.trial(doc)  # every field checked, with its path
        with self.uow() as uow:
            uow.patients.get(patient_id)
            # one trial at a time: a second one's doses would not see the first's (the
            # screening interval, the observation window, what a response belongs to)
            opened = uow.trials.open_for(patient_id)
            if opened:
                other = opened[0]
                raise Conflict(
                    f"trial #{other.id} of {other.document.get('drug')} is still open: "
                    "evaluate and close it before starting another"
                )
            trial_id = uow.trials.add(patient_id, trial.kind, trial.drug, doc, now_s)
            uow.audit.append(
                now_s, who.username, "trial.start", "trial", trial_id, "trial started",
                {"patient_id": patient_id, "kind": trial.kind, "drug": trial.drug},
            )  # fmt: skip
            uow.commit()
            return trial_id

    def add_trial_dose(
        self, who: Principal, trial_id: int, dose: dict[str, Any], now_s: float
    ) -> dict[str, Any]:
        authorize(who.role, "trials.write")
        with self.uow() as uow:
            document = _open(uow, trial_id).document
            grown = {**document, "doses": [*document["doses"], dose]}
            workflow = TrialWorkflow(self.readers.trial(document), self.library, self.policy)
            workflow.give_dose(self.readers.trial(grown).doses[-1])
            uow.trials.set_document(trial_id, grown)
            uow.audit.append(
                now_s, who.username, "trial.dose", "trial", trial_id, "trial dose", dose
            )
            uow.commit()
            return grown

    def add_trial_assessment(
        self, who: Principal, trial_id: int, assessment: dict[str, Any], now_s: float
    ) -> dict[str, Any]:
        authorize(who.role, "trials.write")
        with self.uow() as uow:
            document = _open(uow, trial_id).document
            grown = {**document, "assessments": [*document["assessments"], assessment]}
            scored = self.readers.trial(grown).assessments
            check_assessment(scored[-1], f"assessments[{len(scored) - 1}]")
            uow.trials.set_document(trial_id, grown)
            uow.trials.add_assessment(trial_id, scored[-1].at_s, assessment)
            uow.audit.append(
                now_s, who.username, "trial.assessment", "trial", trial_id, "trial assessment",
                assessment,
            )  # fmt: skip
            uow.commit()
            return grown

    def evaluate_trial(
        self, who: Principal, trial_id: int, now_s: float, close: bool
    ) -> TrialVerdict:
        authorize(who.role, "trials.write")
        with self.uow() as uow:
            trial = uow.trials.get(trial_id)
            can_see(who, trial.patient_id)
            workflow = TrialWorkflow(self.readers.trial(trial.document), self.library, self.policy)
            result = evaluation_dict(workflow.evaluate())
            if close and trial.status == TrialStatus.OPEN:
                uow.trials.close(trial_id, result)
                uow.audit.append(
                    now_s, who.username, "trial.evaluate", "trial", trial_id, "trial evaluated",
                    {"outcome": result["outcome"]},
                )  # fmt: skip
                uow.commit()
            return result
