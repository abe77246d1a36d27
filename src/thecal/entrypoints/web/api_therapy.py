"""The REST API's therapy routes: programming (check, commit), refills (plan,
record, acknowledge), trials, alarms, patient demand boluses and the diary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from thecal.adapters.db import queries
from thecal.core.errors import NotFound
from thecal.entrypoints.web.answers import (
    DiaryEntry,
    OpenAlarm,
    RefillPlanAnswer,
    ReviewAnswer,
    review_answer,
)
from thecal.entrypoints.web.errors import ERROR_RESPONSES
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import (
    Acknowledge,
    BolusIn,
    DiaryIn,
    PathwayIn,
    ProgramCommit,
    ProgramIn,
    Reason,
    RefillCommit,
    RefillIn,
    TrialIn,
    now,
    parse_program,
    refill_input,
)
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.services.clinic import can_see
from thecal.services.clinic.pathway import PathwayAnswer, PathwayWithRecord
from thecal.services.clinic.ports import Principal
from thecal.services.ports import DemandAnswer
from thecal.services.vocabulary import RefillAnswer, RefillRecord, SessionRecord, TrialVerdict

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)


@router.post("/patients/{patient_id}/programs/check")
def check_program(
    patient_id: Id,
    body: ProgramIn,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> ReviewAnswer:
    program = parse_program(body.program)
    review = clinic_of(request).therapy.check_program(
        who, patient_id, program, body.signoff(), now(request), body.temporary_s()
    )
    return review_answer(review)


@router.post("/patients/{patient_id}/programs")
def commit_program(
    patient_id: Id,
    body: ProgramCommit,
    request: Request,
    who: Principal = Depends(requires("programs.commit")),
) -> SessionRecord:
    program = parse_program(body.program)
    return clinic_of(request).therapy.commit_program(
        who,
        patient_id,
        program,
        body.reason,
        body.signoff(),
        now(request),
        body.expected_version,
        body.temporary_s(),
    )


@router.post("/patients/{patient_id}/refills/plan")
def plan_refill(
    patient_id: Id,
    body: RefillIn,
    request: Request,
    who: Principal = Depends(requires("refills.plan")),
) -> RefillPlanAnswer:
    session, review = clinic_of(request).therapy.plan_refill(
        who, patient_id, refill_input(body), body.signoff(), now(request)
    )
    plan = session.plan
    assert plan is not None
    return RefillPlanAnswer(
        **review_answer(review),
        expected_withdrawal_ml=plan.reconciliation.expected_withdrawal_ml,
        volume_after_ml=plan.volume_after_ml,
        daily_use_ml=plan.daily_use_ml,
        next_refill_s=plan.next_refill_s,
        next_refill_reason=plan.next_refill_reason,
    )


@router.post("/patients/{patient_id}/refills", status_code=201)
def record_refill(
    patient_id: Id,
    body: RefillCommit,
    request: Request,
    who: Principal = Depends(requires("refills.record")),
) -> RefillAnswer:
    refill_id, record = clinic_of(request).therapy.record_refill(
        who, patient_id, refill_input(body), body.signoff(), now(request), body.expected_version
    )
    return RefillAnswer(id=refill_id, **record)


@router.post("/refills/{refill_id}/acknowledge")
def acknowledge_refill(
    refill_id: Id,
    body: Acknowledge,
    request: Request,
    who: Principal = Depends(requires("refills.acknowledge")),
) -> RefillRecord:
    return clinic_of(request).therapy.acknowledge_refill(
        who, refill_id, body.code, body.reason, now(request)
    )


@router.get("/patients/{patient_id}/trials")
def list_trials(
    patient_id: Id, request: Request, who: Principal = Depends(requires("trials.read"))
) -> list[Any]:
    with request.app.state.db.reads() as db:
        rec = queries.patient_record(db, patient_id)
    return [
        {
            "id": t.id,
            "kind": t.kind,
            "drug": t.drug,
            "status": t.status,
            "document": t.document,
            "evaluation": t.evaluation,
        }
        for t in rec.trials
    ]


@router.post("/patients/{patient_id}/trials", status_code=201)
def start_trial(
    patient_id: Id,
    body: TrialIn,
    request: Request,
    who: Principal = Depends(requires("trials.write")),
) -> dict[str, int]:
    clinic = clinic_of(request)
    return {"id": clinic.trials.start_trial(who, patient_id, body.document, now(request))}


@router.post("/trials/{trial_id}/doses")
def trial_dose(
    trial_id: Id,
    body: dict[str, Any],
    request: Request,
    who: Principal = Depends(requires("trials.write")),
) -> dict[str, Any]:
    return clinic_of(request).trials.add_trial_dose(who, trial_id, body, now(request))


@router.post("/trials/{trial_id}/assessments")
def trial_assessment(
    trial_id: Id,
    body: dict[str, Any],
    request: Request,
    who: Principal = Depends(requires("trials.write")),
) -> dict[str, Any]:
    return clinic_of(request).trials.add_trial_assessment(who, trial_id, body, now(request))


@router.post("/trials/{trial_id}/evaluate")
def trial_evaluate(
    trial_id: Id,
    request: Request,
    close: bool = False,
    who: Principal = Depends(requires("trials.write")),
) -> TrialVerdict:
    return clinic_of(request).trials.evaluate_trial(who, trial_id, now(request), close)


@router.get("/patients/{patient_id}/pathway")
def get_pathway(
    patient_id: Id, request: Request, who: Principal = Depends(requires("pathway.read"))
) -> PathwayWithRecord:
    """The care pathway record and the SCS and pump candidacy computed from it."""
    found = clinic_of(request).pathways.pathway(who, patient_id)
    if found is None:
        raise NotFound(f"patient {patient_id} has no pathway record yet")
    return found


@router.put("/patients/{patient_id}/pathway")
def put_pathway(
    patient_id: Id,
    body: PathwayIn,
    request: Request,
    who: Principal = Depends(requires("pathway.write")),
) -> PathwayAnswer:
    """Record the whole pathway (what was tried, evaluations, pain pattern, trials);
    answers the decision: the stage, the favoured device and why, both candidacies."""
    clinic = clinic_of(request)
    return clinic.pathways.record_pathway(who, patient_id, body.record, body.reason, now(request))


@router.get("/alarms")
def alarms(
    request: Request, who: Principal = Depends(requires("alarms.read"))
) -> list[OpenAlarm]:
    with request.app.state.db.reads() as db:
        rows = queries.open_alarms(db)
        return [
            OpenAlarm(id=a.id, patient_id=a.patient_id, code=a.code, severity=a.severity,
                      onset_s=a.onset_s, cleared_s=a.cleared_s)
            for a in rows
        ]  # fmt: skip


@router.post("/alarms/{alarm_id}/acknowledge")
def acknowledge_alarm(
    alarm_id: Id,
    body: Reason,
    request: Request,
    who: Principal = Depends(requires("alarms.acknowledge")),
) -> dict[str, str]:
    clinic_of(request).care.acknowledge_alarm(who, alarm_id, body.reason, now(request))
    return {"status": "acknowledged"}


@router.post("/patients/{patient_id}/bolus-requests")
def bolus_request(
    patient_id: Id,
    body: BolusIn,
    request: Request,
    who: Principal = Depends(requires("bolus.request")),
) -> DemandAnswer:
    return clinic_of(request).care.request_bolus(who, patient_id, body.request_id, now(request))


@router.get("/patients/{patient_id}/diary")
def diary(
    patient_id: Id, request: Request, who: Principal = Depends(requires("diary.read"))
) -> list[DiaryEntry]:
    can_see(who, patient_id)
    with request.app.state.db.reads() as db:
        rec = queries.patient_record(db, patient_id)
    return [
        DiaryEntry(at_s=d.at_s, pain_nrs=d.pain_nrs, spasm=d.spasm, note=d.note)
        for d in rec.diary
    ]


@router.post("/patients/{patient_id}/diary", status_code=201)
def add_diary(
    patient_id: Id,
    body: DiaryIn,
    request: Request,
    who: Principal = Depends(requires("diary.write")),
) -> dict[str, int]:
    return {
        "id": clinic_of(request).care.add_diary(
            who, patient_id, body.pain_nrs, body.spasm, body.note, now(request)
        )
    }
