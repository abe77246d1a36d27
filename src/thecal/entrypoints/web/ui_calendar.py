"""Refill appointments in the browser (issue 25): book one from the patient or the
worklist with a date and time typed in the clinic's time zone, cancel it with a
reason, see the week by day, and subscribe a calendar application to one's own
appointments. The rules are the use case's (services/clinic/booking.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from thecal.core.errors import Conflict, InputError, Problem
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import now
from thecal.entrypoints.web.local_time import local_instant
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.entrypoints.web.ui import checked_form, field_errors, form_of, page, record
from thecal.services.clinic import Principal

router = APIRouter(include_in_schema=False)


def _minutes(value: str) -> tuple[float, list[Problem]]:
    try:
        minutes = float(value)
    except ValueError:
        return 0.0, [Problem("minutes", "a number of minutes, e.g. 30")]
    return minutes, [] if minutes == minutes and abs(minutes) < 1e6 else [
        Problem("minutes", "a number of minutes, e.g. 30")]  # fmt: skip


def _booking_page(request: Request, who: Principal, pid: int, status: int = 200,
                  **ctx: Any) -> Response:  # fmt: skip
    clinic = clinic_of(request)
    rec = record(request, pid)
    return page(request, "appointment.html", who, status, rec=rec,
                booked=clinic.booking.open_appointment(who, pid),
                clinicians=clinic.booking.refill_clinicians(who),
                **{"errors": {}, "cancel_errors": {},
                   "form": {"minutes": "30", "clinician": who.username}, **ctx})  # fmt: skip


@router.get("/patients/{patient_id}/appointment")
def booking_form(
    patient_id: Id, request: Request, who: Principal = Depends(requires("appointments.read"))
) -> Response:
    return _booking_page(request, who, patient_id)


@router.post("/patients/{patient_id}/appointment")
async def book(
    patient_id: Id, request: Request, who: Principal = Depends(requires("appointments.write"))
) -> Response:
    form, problems = await checked_form(request)
    start_s, when = local_instant(form.get("date", ""), form.get("time", ""),
                                  request.app.state.zone)  # fmt: skip
    minutes, length = _minutes(form.get("minutes", ""))
    try:
        if problems or when or length or start_s is None:
            raise InputError("appointment not booked", problems + when + length)
        clinic_of(request).booking.book_refill(who, patient_id, start_s, minutes,
                                       form.get("clinician", ""), form.get("note", ""),
                                       now(request))  # fmt: skip
    except InputError as exc:
        errors = field_errors(exc.problems)
        if "start" in errors:  # the form types the start as a date and a time
            errors["date"] = errors.pop("start")
        return _booking_page(request, who, patient_id, 422, form=form, errors=errors)
    except Conflict as exc:
        return _booking_page(request, who, patient_id, 409, form=form, errors={"": str(exc)})
    day = datetime.fromtimestamp(start_s, request.app.state.zone).date().isoformat()
    return RedirectResponse(f"/calendar?week={day}", status_code=303)


@router.post("/appointments/{appointment_id}/cancel")
async def cancel(
    appointment_id: Id, request: Request,
    who: Principal = Depends(requires("appointments.write")),
) -> Response:  # fmt: skip
    form = await form_of(request)
    pid = int(form.get("patient_id", "0")) if form.get("patient_id", "").isdigit() else 0
    try:
        clinic_of(request).booking.cancel_appointment(who, appointment_id, form.get("reason", ""),
                                              now(request))  # fmt: skip
    except InputError as exc:
        if not pid:
            raise
        return _booking_page(request, who, pid, 422, cancel_errors=field_errors(exc.problems))
    return RedirectResponse(f"/patients/{pid}/appointment" if pid else "/calendar",
                            status_code=303)  # fmt: skip


def _week(request: Request, who: Principal, week: str, mine: bool) -> dict[str, Any]:
    zone = request.app.state.zone
    today = datetime.fromtimestamp(now(request), zone).date()
    try:
        day = date.fromisoformat(week) if week else today
    except ValueError:
        raise InputError("no such week", [Problem("week", "a date such as 2026-12-01")]) from None
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    start = datetime.combine(monday, time(0), tzinfo=zone).timestamp()
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone).timestamp()
    found = clinic_of(request).booking.appointments(who, start, end, who.username if mine else None)
    by_day = {d: [a for a in found if datetime.fromtimestamp(a.start_s, zone).date() == d]
              for d in days}  # fmt: skip
    return {"by_day": by_day, "monday": monday, "today": today, "mine": mine, "link": None,
            "prev": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat()}  # fmt: skip


@router.get("/calendar")
def calendar(
    request: Request, week: str = "", mine: bool = False,
    who: Principal = Depends(requires("appointments.read")),
) -> Response:  # fmt: skip
    """The week (Monday to Sunday, the clinic's time zone) by day."""
    return page(request, "calendar.html", who, **_week(request, who, week[:10], mine))


@router.post("/calendar/link")
async def new_link(
    request: Request, who: Principal = Depends(requires("appointments.read"))
) -> Response:
    """A new secret feed link, shown once; the old one stops working."""
    await form_of(request)
    token = clinic_of(request).booking.new_feed_link(who, now(request))
    ctx = _week(request, who, "", True)
    ctx["link"] = str(request.url_for("calendar_feed", token=token))
    return page(request, "calendar.html", who, **ctx)
