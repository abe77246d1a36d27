"""The REST API for spinal cord stimulation: the trial with temporary leads (start,
day scores, end), the implant, stimulation programs at follow-up visits, and a check
that stores nothing. Every program is checked against the charge limits at the lead
it runs on (SCS-01..03); a refused one answers 422 with its findings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from thecal.adapters.db import queries
from thecal.entrypoints.web.errors import ERROR_RESPONSES
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import (
    Body,
    ScsCheckIn,
    ScsDayIn,
    ScsImplantIn,
    ScsProgramIn,
    ScsTrialIn,
    now,
)
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.services.clinic import can_see
from thecal.services.clinic.ports import Principal
from thecal.services.clinic.scs import (
    ScsCheckAnswer,
    ScsDeviceStored,
    ScsStored,
    ScsTrialEnd,
    battery_answer,
)

router = APIRouter(prefix="/api/patients/{patient_id}/scs", responses=ERROR_RESPONSES)


class Nothing(Body):
    pass


@router.get("")
def scs_record(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.read"))
) -> queries.ScsRecord:
    """The patient's stimulators (trials and implants) and their programs, newest first."""
    can_see(who, patient_id)
    with request.app.state.db.reads() as db:
        return queries.scs_record(db, patient_id)


@router.post("/check")
def check(
    patient_id: Id, body: ScsCheckIn, request: Request,
    who: Principal = Depends(requires("scs.read")),
) -> ScsCheckAnswer:  # fmt: skip
    review = clinic_of(request).stimulation.check_scs_program(
        who, patient_id, body.program.core(), body.stimulator_id, body.lead_id
    )
    return ScsCheckAnswer(findings=[f.as_dict() for f in review["findings"]],
                          battery=battery_answer(review["battery"]),
                          reviewed_digest=review["reviewed_digest"])  # fmt: skip


@router.post("/trial", status_code=201)
def start_trial(
    patient_id: Id, body: ScsTrialIn, request: Request,
    who: Principal = Depends(requires("scs.write")),
) -> ScsDeviceStored:  # fmt: skip
    return clinic_of(request).stimulation.start_scs_trial(
        who, patient_id, body.stimulator_id, body.lead_id, body.baseline_nrs,
        body.program.core(), body.reason, now(request), body.reviewed_digest,
    )  # fmt: skip


@router.post("/trial/days")
def trial_day(
    patient_id: Id, body: ScsDayIn, request: Request,
    who: Principal = Depends(requires("scs.score")),
) -> dict[str, str]:  # fmt: skip
    clinic_of(request).stimulation.record_scs_day(who, patient_id, body.nrs, now(request))
    return {"status": "recorded"}


@router.post("/trial/end")
def end_trial(
    patient_id: Id, body: Nothing, request: Request,
    who: Principal = Depends(requires("scs.write")),
) -> ScsTrialEnd:  # fmt: skip
    return clinic_of(request).stimulation.end_scs_trial(who, patient_id, now(request))


@router.post("/implant", status_code=201)
def implant(
    patient_id: Id, body: ScsImplantIn, request: Request,
    who: Principal = Depends(requires("scs.write")),
) -> ScsDeviceStored:  # fmt: skip
    return clinic_of(request).stimulation.implant_stimulator(
        who, patient_id, body.stimulator_id, body.lead_id, body.serial, body.program.core(),
        body.reason, now(request), body.reviewed_digest,
    )  # fmt: skip


@router.post("/programs", status_code=201)
def program(
    patient_id: Id, body: ScsProgramIn, request: Request,
    who: Principal = Depends(requires("scs.write")),
) -> ScsStored:  # fmt: skip
    return clinic_of(request).stimulation.program_stimulator(
        who, patient_id, body.program.core(), body.reason, now(request), body.reviewed_digest
    )
