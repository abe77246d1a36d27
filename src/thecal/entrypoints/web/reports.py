"""Printouts as PDF: a programming session, a refill, a patient's therapy summary.
The same URLs serve the UI (its links) and API clients; a patient may print their
own record only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from thecal.adapters.reports.clinic_reports import (
    refill_document,
    session_document,
    summary_document,
)
from thecal.adapters.reports.document import Document
from thecal.adapters.reports.pdf import render_pdf
from thecal.entrypoints.web.errors import ERROR_RESPONSES
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.security import requires
from thecal.services.clinic import can_see
from thecal.services.clinic.ports import Principal

# a report is a PDF document, not JSON (declared so the OpenAPI document says so)
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The report as a PDF document"}
}
router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)


def _pdf(request: Request, who: Principal, patient_id: Id,
         build: Callable[[Session], Document], filename: str) -> Response:
    can_see(who, patient_id)
    with request.app.state.db.reads() as db:
        doc = build(db)
    return Response(
        render_pdf(doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get(
    "/patients/{patient_id}/sessions/{session_id}/report.pdf",
    response_class=Response,
    responses=PDF,
)
def session_report(
    patient_id: Id,
    session_id: Id,
    request: Request,
    who: Principal = Depends(requires("reports.read")),
) -> Response:
    return _pdf(request, who, patient_id, lambda db: session_document(db, patient_id, session_id),
                f"session-{session_id}.pdf")


@router.get(
    "/patients/{patient_id}/refills/{refill_id}/report.pdf",
    response_class=Response,
    responses=PDF,
)
def refill_report(
    patient_id: Id,
    refill_id: Id,
    request: Request,
    who: Principal = Depends(requires("reports.read")),
) -> Response:
    return _pdf(request, who, patient_id, lambda db: refill_document(db, patient_id, refill_id),
                f"refill-{refill_id}.pdf")


@router.get("/patients/{patient_id}/summary.pdf", response_class=Response, responses=PDF)
def summary_report(
    patient_id: Id, request: Request, who: Principal = Depends(requires("reports.read"))
) -> Response:
    now_s = float(request.app.state.clock.now())
    return _pdf(request, who, patient_id, lambda db: summary_document(db, patient_id, now_s),
                f"summary-{patient_id}.pdf")
