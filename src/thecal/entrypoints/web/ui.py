"""The browser UI: server-rendered pages, HTMX for the check/plan/bolus fragments.
Forms are read by hand so that a bad field comes back as a page naming it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, tzinfo
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from thecal.adapters.db import audit, audit_search, queries
from thecal.adapters.db.patient_list import patient_page
from thecal.adapters.db.worklist_rows import sounding_priority
from thecal.adapters.pump.program_codec import program_from_json
from thecal.adapters.reports import timeline_window
from thecal.core.errors import InputError, Problem
from thecal.core.safety import HARD
from thecal.entrypoints.web.audit_form import AUDIT_FIELDS, AUDIT_PAGE_ROWS, audit_filter
from thecal.entrypoints.web.chart import timeline_svg
from thecal.entrypoints.web.guards import MAX_ID, Id, control_characters
from thecal.entrypoints.web.inputs import kept_record, now
from thecal.entrypoints.web.patient_rows import overdue_days, patient_row
from thecal.entrypoints.web.portal_words import PatientTherapy, patient_therapy
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import COOKIE, current, requires, set_cookie, sign_in
from thecal.services.clinic import can_see, words
from thecal.services.clinic.gate import Review
from thecal.services.clinic.ports import Principal
from thecal.services.vocabulary import TrialStatus

router = APIRouter(include_in_schema=False)
REASONS = {
    "lockout": "too soon after the last dose",
    "max_per_24h": "the most doses allowed in 24 hours have been given",
    "max_dose_24h": "another dose would pass the most medicine allowed in 24 hours",
    "not_delivering": "the pump is not delivering: call the clinic",
    "insufficient_reservoir": "the pump is low: call the clinic",
    "not_enabled": "no patient dose is programmed",
}


def fmt_time(t: float | None, zone: tzinfo = UTC) -> str:
    """A date and time in the clinic's time zone (create_app's `time_zone`)."""
    return "-" if t is None else datetime.fromtimestamp(t, zone).strftime("%Y-%m-%d %H:%M")


def fmt_date(t: float | None) -> str:
    return "-" if t is None else words.date(t)  # one date format (services/clinic/words)


def problems_fragment(
    request: Request,
    who: Principal,
    exc: InputError,
    beside: tuple[dict[str, str], list[Problem], list[str]] | None = None,
) -> HTMLResponse:
    """A refused form's problems, swapped in beside the form (422: HTMX is told to swap
    it): every screen that checks a form answers this way. `beside` (the problems by
    input, those that belong to none, and every error slot of the screen) puts each
    problem beside its input through out-of-band swaps (form_errors.py)."""
    if beside is None:
        return page(request, "_problems.html", who, 422, problems=exc.problems, message=str(exc))
    errors, left, slots = beside
    return page(request, "_problems.html", who, 422, problems=left, message=exc.message,
                oob_errors=errors, oob_slots=slots)  # fmt: skip


def templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def page(
    request: Request, name: str, who: Principal | None, code: int = 200, **context: Any
) -> HTMLResponse:
    zone = request.app.state.zone
    return templates(request).TemplateResponse(
        request,
        name,
        {
            "who": who,
            "now": request.app.state.clock.now(),
            "zone": zone,
            "fmt_time": lambda t: fmt_time(t, zone),
            "fmt_date": fmt_date,
            **context,
        },
        status_code=code,
    )


def render_error(request: Request, status: int, error: dict[str, Any]) -> HTMLResponse:
    who = current(request)
    return page(request, "error.html", who, status, error=error, status=status)


def review_view(review: Review) -> dict[str, Any]:
    """A gate review as every screen shows it: the settings side by side, the 24 h doses,
    the findings, who must sign, what still blocks it, and the digest and therapy
    version its confirmation and commit must name."""
    p = review.proposal
    return {
        "diff": p.diff,
        "doses": p.doses,
        "findings": p.findings,
        "needs_second_person": p.needs_second_person,
        "hard": any(f.severity == HARD for f in p.findings),
        "blockers": review.blockers,
        "digest": p.digest,
        "version": review.therapy_version,
    }


async def form_of(request: Request) -> dict[str, str]:
    """The form's text fields; a field holding a control character is refused by name,
    before any screen reads it (issue 23)."""
    fields, problems = await checked_form(request)
    refuse(problems)
    return fields


async def checked_form(request: Request) -> tuple[dict[str, str], list[Problem]]:
    """The form's text fields with a field holding a control character emptied, and a
    problem naming each such field: for screens that show problems beside the form."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    bad = control_characters(fields)
    problems = [Problem(path, "control characters are not accepted") for path in bad]
    return {k: ("" if k in bad else v) for k, v in fields.items()}, problems


def refuse(problems: list[Problem]) -> None:
    """A form whose reading found problems (checked_form) goes no further."""
    if problems:
        raise InputError("invalid form", problems)


def field_errors(problems: list[Problem] | tuple[Problem, ...]) -> dict[str, str]:
    """Each problem under the form field it names (the last part of its path), so a
    screen shows it beside that field; a problem naming no field goes under ""."""
    errors: dict[str, str] = {}
    for p in problems:
        name = p.path.split(".")[-1].split("[")[0] if p.path else ""
        errors[name] = f"{errors[name]}; {p.message}" if name in errors else p.message
    return errors


@router.get("/")
def home(request: Request) -> Response:
    who = current(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    target = {"patient": "/portal", "admin": "/users"}.get(who.role, "/worklist")
    return RedirectResponse(target, status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    return page(request, "login.html", None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await form_of(request)
    opened = await sign_in(request, form.get("username", ""), form.get("password", ""))
    if opened is None:
        return page(request, "login.html", None, 401, message="Wrong username or password.")
    response = RedirectResponse("/", status_code=303)
    set_cookie(request, response, opened[1])
    return response


@router.post("/logout")
def logout(request: Request, who: Principal = Depends(requires("session.read"))) -> Response:
    clinic_of(request).accounts.logout(request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/worklist")
def worklist(
    request: Request, page_no: int = Query(1, alias="page", ge=1, le=MAX_ID),
    who: Principal = Depends(requires("worklist.read")),
) -> Response:  # fmt: skip
    clinic = clinic_of(request)
    per_page = clinic.policy.worklist.page_items
    offset = (page_no - 1) * per_page
    with request.app.state.db.reads() as db:
        version = request.state.data_version  # read with the login (security.current)
        p = request.app.state.worklist.page(db, version, now(request), offset, per_page).page
    pages = max(1, -(-p.total // per_page))
    # the drugs ranked a level higher, from the library (it said "baclofen" alone while
    # every opioid and clonidine pump carried the tag too)
    risky = sorted(name for name, d in clinic.library.drugs.items() if d.withdrawal_risk)
    return page(
        request, "worklist.html", who, items=p.items, page_no=page_no, pages=pages, total=p.total,
        withdrawal_drugs=", ".join(risky),
    )


@router.get("/patients")
def patient_list(
    request: Request, q: str = "", page_no: int = Query(1, alias="page", ge=1, le=MAX_ID),
    who: Principal = Depends(requires("patients.list")),
) -> Response:  # fmt: skip
    """Every patient, a page at a time (the worklist's page size): the first 100 by name
    were all the screen showed, and nothing said there were more."""
    clinic = clinic_of(request)
    per_page = clinic.policy.worklist.page_items
    with request.app.state.db.reads() as db:
        found = patient_page(db, q[:60], (page_no - 1) * per_page, per_page)
    at = now(request)
    rows = [patient_row(r, clinic.library, at) for r in found.rows]
    pages = max(1, -(-found.total // per_page))
    return page(request, "patients.html", who, patients=rows, q=q, page_no=page_no,
                pages=pages, total=found.total)  # fmt: skip


def primary_drug(request: Request, rec: queries.PatientRecord) -> dict[str, str]:
    """The running program's first drug and the unit its doses are written in, for the
    hints and labels of the programming, refill and Pump screens: "in mcg/day" for
    baclofen, "in mg/day" for morphine. A fixed example ("3 mg/day") read like a real
    step, and on a baclofen pump was six times its usual dose (issue 25)."""
    running = program_from_json(rec.program.program) if rec.program else None
    name = running.drugs[0].name if running is not None and running.drugs else None
    drug = clinic_of(request).library.get(name) if name else None
    return {"name": name or "the drug", "unit": drug.display_unit if drug else "mg"}


def record(request: Request, patient_id: int) -> queries.PatientRecord:
    with request.app.state.db.reads() as db:
        return queries.patient_record(db, patient_id)


@router.get("/patients/{patient_id}")
def patient(
    patient_id: Id,
    request: Request,
    chart: str = Query("", max_length=8),
    who: Principal = Depends(requires("patients.read")),
) -> Response:
    """`chart`: how much history the timeline draws (timeline_window: "3m", "12m",
    "all"; the last 12 months unless asked)."""
    can_see(who, patient_id)
    rec = kept_record(request, patient_id)
    model = rec.implant and clinic_of(request).catalogue.get(rec.implant.model_id)
    programmable = model.programmable if model else True  # gas-driven: the clinic's ledger
    late = overdue_days(rec.pump.refill_due_s, now(request)) if rec.pump else None
    dose_in = primary_drug(request, rec)["unit"] if rec.program else None
    shown, both = timeline_window.window(chart), timeline_window.history_span(rec)
    offered = [w for w in timeline_window.WINDOWS if both and timeline_window.cuts(*both)]
    return page(request, "patient.html", who, rec=rec,
                chart=timeline_svg(rec, dose_in, shown), chart_shown=shown,
                chart_windows=offered, chart_from=both[0] if both else None,
                chart_start=timeline_window.cut_at(rec, shown),
                programmable=programmable, sounding=sounding(rec), overdue_days=late)  # fmt: skip


def sounding(rec: queries.PatientRecord) -> dict[str, str]:
    """Each active alarm's priority, as it sounded: from its open row, else the code's own
    (the pump card coloured every alarm as critical, an information line too)."""
    open_rows = {a.code: a.priority for a in rec.alarms if a.cleared_s is None}
    codes = [c for c in rec.pump.alarms.split(",") if c] if rec.pump else []
    return {c: sounding_priority(c, open_rows.get(c)) for c in codes}


def _portal_context(request: Request, who: Principal) -> dict[str, Any]:
    """A patient without a pump (in a trial, or before one) has the diary: the portal
    answered "404: patient 6 has no pump" to a patient in a baclofen screening, whose
    scores the trial is judged by."""
    assert who.patient_id is not None
    rec = record(request, who.patient_id)
    at = now(request)
    library, zone = request.app.state.clinic.library, request.app.state.zone
    trials = [t.drug for t in rec.trials if t.status == TrialStatus.OPEN]
    if rec.pump is None:
        therapy = PatientTherapy((), None, None, "no pump", "baclofen" in trials)
        program, lockout_s = None, 0.0
    else:
        # the pump's own answer, not one worked out again from the bolus log
        pump = clinic_of(request).care.interrogate(who, who.patient_id, at)
        booked = clinic_of(request).booking.booked_refill(who, who.patient_id)
        therapy = patient_therapy(pump.program, rec, at, library, booked, zone)
        program, lockout_s = pump.program, pump.lockout_remaining_s
    return {
        "rec": rec,
        "therapy": therapy,
        "trials": trials,
        "lockout_remaining_s": lockout_s,
        "speed": request.app.state.speed,
        "demand_enabled": program is not None and program.demand_bolus is not None,
        "request_id": uuid.uuid4().hex,
        "reasons": REASONS,
        "answer": None,
        "reminder_words": " and ".join(
            f"{h:g} hours" for h in sorted(clinic_of(request).policy.booking.reminder_hours_before,
                                           reverse=True)),
    }


@router.get("/portal")
def portal(request: Request, who: Principal = Depends(requires("bolus.request"))) -> Response:
    return page(request, "portal.html", who, **_portal_context(request, who))


@router.post("/portal/bolus")
async def portal_bolus(
    request: Request, who: Principal = Depends(requires("bolus.request"))
) -> Response:
    form = await form_of(request)
    assert who.patient_id is not None
    answer = clinic_of(request).care.request_bolus(
        who, who.patient_id, form.get("request_id", ""), now(request)
    )
    ctx = _portal_context(request, who)
    ctx.update(answer=answer, lockout_remaining_s=answer.lockout_remaining_s)
    return page(request, "_bolus.html", who, **ctx)


@router.post("/portal/diary")
async def portal_diary(
    request: Request, who: Principal = Depends(requires("diary.write"))
) -> Response:
    form = await form_of(request)
    assert who.patient_id is not None
    scores = {}
    for field in ("pain_nrs", "spasm"):
        value = form.get(field, "").strip()
        if value and not (value.isdigit() and 0 <= int(value) <= 10):
            raise InputError("diary entry refused", [Problem(field, "a whole number 0-10")])
        scores[field] = int(value) if value else None
    clinic_of(request).care.add_diary(
        who, who.patient_id, scores["pain_nrs"], scores["spasm"], form.get("note", ""),
        now(request),
    )  # fmt: skip
    return RedirectResponse("/portal", status_code=303)


@router.get("/audit")
def audit_page(request: Request, who: Principal = Depends(requires("audit.read"))) -> Response:
    """The trail newest first, 200 rows a page, narrowed by the filter form (a problem
    is shown beside its field, the rest of the page as it was)."""
    form = {k: request.query_params.get(k, "").strip() for k in AUDIT_FIELDS}
    wanted, errors = audit_filter(form)
    with request.app.state.db.reads() as db:
        v = audit.verify(db)
        rows, older = audit_search.audit_page(db, wanted, AUDIT_PAGE_ROWS)
    locks = clinic_of(request).accounts.locks(who)
    status = 422 if errors else 200
    return page(request, "audit.html", who, status, v=v, rows=rows, locks=locks, form=form,
                errors=errors, older=older)  # fmt: skip


@router.post("/locks/lift")
async def lift_lock(
    request: Request, who: Principal = Depends(requires("users.write"))
) -> Response:
    """The admin lifts a lock after wrong passwords, from the audit page."""
    form = await form_of(request)
    clinic_of(request).accounts.lift_lock(
            who, form.get("key", ""), form.get("reason", ""), now(request))
    return RedirectResponse("/audit", status_code=303)
