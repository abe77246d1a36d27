"""The REST API's device and programmer-bolus routes, each a check (answers the review
and its digest; sends nothing) and a commit through the same use case: implant (first
fill or transfer in), pump replacement, explant, catheter revision, and clinician,
bridge and priming boluses."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from thecal.entrypoints.web.answers import ReviewAnswer, review_answer
from thecal.entrypoints.web.errors import ERROR_RESPONSES
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import (
    BolusGiveCommit,
    BolusGiveIn,
    CatheterCommit,
    CatheterIn,
    ExplantCommit,
    ExplantIn,
    ImplantCommit,
    ImplantIn,
    ReplaceCommit,
    bolus_input,
    implant_input,
    now,
)
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.services.clinic.ports import Principal
from thecal.services.vocabulary import SessionRecord

router = APIRouter(prefix="/api/patients/{patient_id}", responses=ERROR_RESPONSES)


@router.post("/implants/check")
def check_implant(
    patient_id: Id,
    body: ImplantIn,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> ReviewAnswer:
    review = clinic_of(request).devices.check_implant(
        who, patient_id, implant_input(body), body.signoff(), now(request)
    )
    return review_answer(review)


@router.post("/implants", status_code=201)
def add_implant(
    patient_id: Id,
    body: ImplantCommit,
    request: Request,
    who: Principal = Depends(requires("implants.write")),
) -> dict[str, int]:
    clinic = clinic_of(request)
    i = implant_input(body)
    return {
        "id": clinic.devices.implant(who, patient_id, i, body.reason, body.signoff(), now(request))
    }


@router.post("/pump/replace/check")
def check_replacement(
    patient_id: Id,
    body: ImplantIn,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> ReviewAnswer:
    review = clinic_of(request).devices.check_replacement(
        who, patient_id, implant_input(body), body.signoff(), now(request)
    )
    return review_answer(review)


@router.post("/pump/replace", status_code=201)
def replace_pump(
    patient_id: Id,
    body: ReplaceCommit,
    request: Request,
    who: Principal = Depends(requires("implants.write")),
) -> dict[str, int]:
    implant_id = clinic_of(request).devices.replace_pump(
        who, patient_id, implant_input(body), body.reason, body.signoff(), now(request),
        body.expected_version,
    )  # fmt: skip
    return {"id": implant_id}


@router.post("/pump/explant/check")
def check_explant(
    patient_id: Id,
    body: ExplantIn,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> ReviewAnswer:
    review = clinic_of(request).surgery.check_explant(who, patient_id, body.signoff(), now(request))
    return review_answer(review)


@router.post("/pump/explant")
def explant(
    patient_id: Id,
    body: ExplantCommit,
    request: Request,
    who: Principal = Depends(requires("implants.write")),
) -> dict[str, str]:
    clinic_of(request).surgery.explant(
        who, patient_id, body.reason, body.signoff(), now(request), body.expected_version
    )
    return {"status": "explanted"}


@router.post("/catheter/check")
def check_catheter(
    patient_id: Id,
    body: CatheterIn,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> ReviewAnswer:
    review = clinic_of(request).surgery.check_catheter(
        who, patient_id, body.catheter(), body.signoff(), now(request)
    )
    return review_answer(review)


@router.post("/catheter")
def revise_catheter(
    patient_id: Id,
    body: CatheterCommit,
    request: Request,
    who: Principal = Depends(requires("implants.write")),
) -> dict[str, float]:
    path_ml = clinic_of(request).surgery.revise_catheter(
        who, patient_id, body.catheter(), body.reason, body.signoff(), now(request),
        body.expected_version,
    )  # fmt: skip
    return {"path_volume_ml": path_ml}


@router.post("/boluses/check")
def check_bolus(
    patient_id: Id,
    body: BolusGiveIn,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> ReviewAnswer:
    review = clinic_of(request).therapy.check_bolus(
        who, patient_id, bolus_input(body), body.signoff(), now(request)
    )
    return review_answer(review)


@router.post("/boluses")
def give_bolus(
    patient_id: Id,
    body: BolusGiveCommit,
    request: Request,
    who: Principal = Depends(requires("boluses.give")),
) -> SessionRecord:
    return clinic_of(request).therapy.give_bolus(
        who, patient_id, bolus_input(body), body.reason, body.signoff(), now(request),
        body.expected_version,
    )  # fmt: skip
