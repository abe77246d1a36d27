"""Refill appointments in the REST API: the same use cases as the Calendar screens
(services/clinic/booking.py); the secret-link feed is in reports.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from thecal.entrypoints.web.errors import ERROR_RESPONSES
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import AppointmentIn, Reason, now
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.services.clinic.ports import AppointmentFacts, Principal
from thecal.services.vocabulary import AppointmentStatus

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
EPOCH_MAX = 4_102_444_800.0  # 2100-01-01: a later time names no appointment


@router.get("/appointments")
def appointments(
    request: Request,
    from_s: float = Query(ge=0, le=EPOCH_MAX),
    to_s: float = Query(ge=0, le=EPOCH_MAX),
    clinician: str | None = Query(default=None, max_length=60),
    who: Principal = Depends(requires("appointments.read")),
) -> list[AppointmentFacts]:
    """Appointments starting in [from_s, to_s) (seconds since 1970, UTC)."""
    return clinic_of(request).booking.appointments(who, from_s, to_s, clinician)


@router.post("/patients/{patient_id}/appointments", status_code=201)
def book(
    patient_id: Id, body: AppointmentIn, request: Request,
    who: Principal = Depends(requires("appointments.write")),
) -> dict[str, int]:  # fmt: skip
    appointment_id = clinic_of(request).booking.book_refill(
        who, patient_id, body.start.timestamp(), body.minutes, body.clinician, body.note,
        now(request),
    )  # fmt: skip
    return {"id": appointment_id}


@router.post("/appointments/{appointment_id}/cancel")
def cancel(
    appointment_id: Id, body: Reason, request: Request,
    who: Principal = Depends(requires("appointments.write")),
) -> dict[str, str]:  # fmt: skip
    clinic_of(request).booking.cancel_appointment(who, appointment_id, body.reason, now(request))
    return {"status": AppointmentStatus.CANCELLED}
