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
from thecal.core.errors import NotFound
from thecal.core.units import SECONDS_PER_DAY as DAY_S
from thecal.entrypoints.web.errors import ERROR_RESPONSES
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.services.clinic import can_see
from thecal.services.clinic.ports import Principal

# a report is a PDF document, not JSON (declared so the OpenAPI document says so)
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The report as a PDF document"}
}
PNG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "The picture as a PNG image"}
}
router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
_ACCURACY_PNG: dict[str, bytes] = {}  # per catalogue model: the curves never change


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
    library = clinic_of(request).library
    return _pdf(request, who, patient_id,
                lambda db: session_document(db, patient_id, session_id, library),
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
    library = clinic_of(request).library
    return _pdf(request, who, patient_id,
                lambda db: refill_document(db, patient_id, refill_id, library),
                f"refill-{refill_id}.pdf")


@router.get("/patients/{patient_id}/summary.pdf", response_class=Response, responses=PDF)
def summary_report(
    patient_id: Id, request: Request, who: Principal = Depends(requires("reports.read"))
) -> Response:
    now_s = float(request.app.state.clock.now())
    library = clinic_of(request).library
    return _pdf(request, who, patient_id,
                lambda db: summary_document(db, patient_id, now_s, library),
                f"summary-{patient_id}.pdf")


@router.get("/pump-models/{model_id}/accuracy.png", response_class=Response, responses=PNG)
def accuracy_curves(
    model_id: str, request: Request, who: Principal = Depends(requires("reports.read"))
) -> Response:
    """A pump model's start-up graph and trumpet curves (SR-17), drawn once."""
    model = clinic_of(request).catalogue.get(model_id)
    if model is None:
        raise NotFound(f"model_id: '{model_id[:40]}' is not in the pump catalogue")
    png = _ACCURACY_PNG.get(model.id)
    if png is None:
        from thecal.adapters.reports.accuracy_plot import accuracy_png
        from thecal.data import accuracy_settings, drug_library
        from thecal.services.accuracy import accuracy_report

        report = accuracy_report(model, drug_library(), accuracy_settings())
        png = _ACCURACY_PNG.setdefault(model.id, accuracy_png(report))
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})  # fmt: skip


ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar file (RFC 5545)"}
}


@router.get("/worklist.ics", response_class=Response, responses=ICS)
def worklist_calendar_file(
    request: Request, who: Principal = Depends(requires("worklist.read"))
) -> Response:
    """Every refill and replacement due on the worklist, as all-day events: overdue
    ones on today, the rest on their due date."""
    from thecal.adapters.db import queries
    from thecal.adapters.reports.calendar import worklist_calendar

    now_s = float(request.app.state.clock.now())
    with request.app.state.db.reads() as db:
        items = queries.worklist(db, now_s, clinic_of(request).policy)
    return Response(
        worklist_calendar(items, now_s),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="thecal-refills.ics"'},
    )


@router.get("/portal/refill.ics", response_class=Response, responses=ICS)  # /api/...
def my_refill_calendar(
    request: Request, who: Principal = Depends(requires("bolus.request"))
) -> Response:
    """The patient's booked refill as a calendar file with reminders (policy.toml
    [booking] reminder_hours_before): the patient's own appointment only."""
    from thecal.adapters.reports.calendar import patient_calendar

    assert who.patient_id is not None
    clinic = clinic_of(request)
    booked = clinic.booking.booked_refill(who, who.patient_id)
    return Response(
        patient_calendar(booked, clinic.policy.booking.reminder_hours_before,
                         float(request.app.state.clock.now())),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="my-pump-refill.ics"',
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip


@router.get("/calendar/{token}.ics", response_class=Response, responses=ICS,
            name="calendar_feed")  # fmt: skip
def calendar_feed(token: str, request: Request) -> Response:
    """A clinician's refill appointments as an iCalendar feed a calendar application
    subscribes to: no login, the secret link is the key (a new link ends the old one;
    a wrong one is 404). From 30 days back to 200 ahead."""
    from thecal.adapters.reports.calendar import appointments_calendar

    now_s = float(request.app.state.clock.now())
    user, found = clinic_of(request).booking.feed(
            token[:100], now_s - 30 * DAY_S, now_s + 200 * DAY_S)
    return Response(appointments_calendar(user.full_name, found, now_s),
                    media_type="text/calendar",
                    headers={"Cache-Control": "private, no-store"})  # fmt: skip
