"""FHIR R4 over HTTP: `GET /fhir/Patient/{id}/$everything` (a patient's Bundle) and
`POST /fhir/Bundle` (import one patient's Bundle, whole or not at all). Errors come
back as JSON with the resource and field of every problem (errors.py)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from thecal.adapters.fhir.export import patient_bundle
from thecal.adapters.fhir.importer import import_bundle
from thecal.core.errors import InputError, Problem
from thecal.entrypoints.web.errors import ERROR_RESPONSES
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.services.clinic import can_see
from thecal.services.clinic.ports import Principal

router = APIRouter(prefix="/fhir", responses=ERROR_RESPONSES)
FHIR_JSON = "application/fhir+json"
BUNDLE: dict[str, Any] = {"schema": {"type": "object"}}  # a FHIR Bundle (R4/R5 JSON)


@router.get(
    "/Patient/{patient_id}/$everything",
    responses={200: {"content": {FHIR_JSON: BUNDLE}, "description": "A searchset Bundle"}},
)
def everything(
    patient_id: Id, request: Request, who: Principal = Depends(requires("fhir.export"))
) -> JSONResponse:
    can_see(who, patient_id)
    clinic = clinic_of(request)
    with request.app.state.db.reads() as db:
        bundle = patient_bundle(db, patient_id, clinic.catalogue, clinic.library)
    return JSONResponse(bundle, media_type=FHIR_JSON)


@router.post(
    "/Bundle",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {FHIR_JSON: BUNDLE, "application/json": BUNDLE},
        }
    },
)
async def import_patient(
    request: Request,
    reason: str = Query(min_length=1, max_length=500),
    who: Principal = Depends(requires("fhir.import")),
) -> dict[str, Any]:
    try:
        doc = json.loads(await request.body())
    except ValueError as exc:
        raise InputError("FHIR import refused", [Problem("body", f"not JSON: {exc}")]) from exc
    now_s = float(request.app.state.clock.now())
    pid = await run_in_threadpool(import_bundle, request.app.state.db, who, doc, reason, now_s)
    return {"patient_id": pid}
