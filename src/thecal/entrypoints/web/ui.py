"""The browser UI: server-rendered pages, HTMX for the check/plan/bolus fragments.
Forms are read by hand so that a bad field comes back as a page naming it."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from thecal.adapters.db import audit, queries, trials
from thecal.adapters.db import auth as auth_db
from thecal.adapters.db.auth import Principal
from thecal.adapters.db.clinic import can_see
from thecal.adapters.db.models import RefillRow, TrialRow
from thecal.adapters.pump.program_codec import program_from_json
from thecal.adapters.scenario.program_writer import program_document
from thecal.core.errors import InputError, Problem, Refused
from thecal.core.safety import HARD
from thecal.entrypoints.web.api import (
    Credentials,
    RefillIn,
    _refill,
    parse_program,
    set_cookie,
    verifier_name,
)
from thecal.entrypoints.web.chart import timeline_svg
from thecal.entrypoints.web.security import COOKIE, current, requires
from thecal.services.clinic.transactions import Signoff

router = APIRouter(include_in_schema=False)
REASONS = {
    "lockout": "too soon after the last dose",
    "max_per_24h": "the most doses allowed in 24 hours have been given",
    "not_delivering": "the pump is not delivering: call the clinic",
    "insufficient_reservoir": "the pump is low: call the clinic",
    "not_enabled": "no patient dose is programmed",
}


def fmt_time(t: float | None) -> str:
    return "-" if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")


def fmt_date(t: float | None) -> str:
    return "-" if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")


def templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def page(
    request: Request, name: str, who: Principal | None, code: int = 200, **context: Any
) -> HTMLResponse:
    return templates(request).TemplateResponse(
        request,
        name,
        {
            "who": who,
            "now": request.app.state.clock.now(),
            "fmt_time": fmt_time,
            "fmt_date": fmt_date,
            **context,
        },
        status_code=code,
    )


def render_error(request: Request, status: int, error: dict[str, Any]) -> HTMLResponse:
    who = current(request)
    return page(request, "error.html", who, status, error=error, status=status)


async def form_of(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def now(request: Request) -> float:
    return float(request.app.state.clock.now())


@router.get("/")
def home(request: Request) -> Response:
    who = current(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    target = {"patient": "/portal", "admin": "/audit"}.get(who.role, "/worklist")
    return RedirectResponse(target, status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    return page(request, "login.html", None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await form_of(request)
    clinic = request.app.state.clinic
    with clinic.transaction() as db:
        user = auth_db.authenticate(db, form.get("username", ""), form.get("password", ""))
        token = auth_db.open_session(db, user, time.time())[0] if user is not None else None
    if token is None:
        return page(request, "login.html", None, 401, message="Wrong username or password.")
    response = RedirectResponse("/", status_code=303)
    set_cookie(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, who: Principal = Depends(requires("session.read"))) -> Response:
    with request.app.state.clinic.transaction() as db:
        auth_db.close_session(db, request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/worklist")
def worklist(
    request: Request, page_no: int = Query(1, alias="page", ge=1),
    who: Principal = Depends(requires("worklist.read")),
) -> Response:  # fmt: skip
    clinic = request.app.state.clinic
    per_page = int(clinic.policy.number("worklist", "page_items"))
    offset = (page_no - 1) * per_page
    with clinic.sessions() as db:
        p = queries.worklist_page(db, now(request), clinic.policy, offset, per_page)
    pages = max(1, -(-p.total // per_page))
    return page(
        request, "worklist.html", who, items=p.items, page_no=page_no, pages=pages, total=p.total
    )


@router.get("/patients")
def patient_list(
    request: Request, q: str = "", who: Principal = Depends(requires("patients.list"))
) -> Response:
    with request.app.state.clinic.sessions() as db:
        found = queries.patients(db, q[:60])
    return page(request, "patients.html", who, patients=found, q=q)


def record(request: Request, patient_id: int) -> queries.PatientRecord:
    with request.app.state.clinic.sessions() as db:
        return queries.patient_record(db, patient_id)


@router.get("/patients/{patient_id}")
def patient(
    patient_id: int, request: Request, who: Principal = Depends(requires("patients.read"))
) -> Response:
    can_see(who, patient_id)
    rec = record(request, patient_id)
    return page(request, "patient.html", who, rec=rec, chart=timeline_svg(rec))


def _program_form(rec: queries.PatientRecord) -> dict[str, str]:
    assert rec.program is not None
    doc = program_document(program_from_json(rec.program.program))
    step = doc["basal"]["steps"][0]
    demand = doc.get("demand_bolus", {})
    return {
        "dose": step.get("dose", ""),
        "low_ml": f"{doc['low_reservoir_alarm_ml']:g}",
        "demand_amount": demand.get("amount", ""),
        "demand_duration": demand.get("duration", ""),
        "demand_lockout": demand.get("lockout", ""),
        "demand_max": str(demand.get("max_per_24h", "")),
    }


def _program_from_form(rec: queries.PatientRecord, form: dict[str, str]) -> Any:
    assert rec.program is not None
    current = program_document(program_from_json(rec.program.program))
    problems = []
    try:
        low = float(form.get("low_ml", ""))
    except ValueError:
        problems.append(Problem("low_ml", "a number of mL, such as 2 or 4"))
        low = 0.0
    doc: dict[str, Any] = {
        "drugs": current["drugs"],
        "basal": {"steps": [{"start": "00:00", "dose": form.get("dose", "")}]},
        "low_reservoir_alarm_ml": low,
    }
    if form.get("demand_amount", "").strip():
        try:
            count = int(form.get("demand_max", ""))
        except ValueError:
            problems.append(Problem("demand_max", "a whole number, such as 3"))
            count = 0
        doc["demand_bolus"] = {
            "amount": form["demand_amount"],
            "duration": form.get("demand_duration", ""),
            "lockout": form.get("demand_lockout", ""),
            "max_per_24h": count,
        }
    if problems:
        raise InputError("invalid program", problems)
    return parse_program(doc)


def _verifier(request: Request, who: Principal, form: dict[str, str]) -> str | None:
    """The second person from the form's fields, authenticated (or None if not given)."""
    if not form.get("verifier_username"):
        return None
    cred = Credentials(
        username=form["verifier_username"], password=form.get("verifier_password", "")
    )
    return verifier_name(request, who, cred)


def _expected_version(form: dict[str, str]) -> int | None:
    """The pump version the screen was drawn from (optimistic locking)."""
    value = form.get("expected_version", "")
    return int(value) if value.isdigit() else None


def _signoff(request: Request, who: Principal, form: dict[str, str]) -> Signoff:
    acks = {k[4:]: v for k, v in form.items() if k.startswith("ack_") and v.strip()}
    return Signoff(acks, _verifier(request, who, form), form.get("confirmed") == "yes")


def _review(proposal: Any, blockers: list[Any]) -> dict[str, Any]:
    return {
        "diff": proposal.diff,
        "doses": proposal.doses,
        "findings": proposal.findings,
        "needs_second_person": proposal.needs_second_person,
        "hard": any(f.severity == HARD for f in proposal.findings),
        "blockers": blockers,
    }


@router.get("/patients/{patient_id}/program")
def program_page(
    patient_id: int, request: Request, who: Principal = Depends(requires("programs.check"))
) -> Response:
    rec = record(request, patient_id)
    if rec.program is None:
        raise InputError("no program", [Problem("patient", "this patient has no pump program")])
    doc = program_document(program_from_json(rec.program.program))
    drugs_text = ", ".join(f"{d['name']} {d['concentration']}" for d in doc["drugs"])
    return page(
        request,
        "program.html",
        who,
        rec=rec,
        form=_program_form(rec),
        drugs_text=drugs_text,
        primary=doc["drugs"][0]["name"],
        review=None,
    )


@router.post("/patients/{patient_id}/program/check")
async def program_check(
    patient_id: int, request: Request, who: Principal = Depends(requires("programs.check"))
) -> Response:
    form = await form_of(request)
    rec = record(request, patient_id)
    program = _program_from_form(rec, form)
    proposal, blockers, _ = request.app.state.clinic.check_program(
        who, patient_id, program, Signoff(), now(request)
    )
    return page(request, "_review.html", who, review=_review(proposal, blockers), form=form)


@router.post("/patients/{patient_id}/program")
async def program_commit(
    patient_id: int, request: Request, who: Principal = Depends(requires("programs.commit"))
) -> Response:
    form = await form_of(request)
    rec = record(request, patient_id)
    program = _program_from_form(rec, form)
    version = _expected_version(form)
    try:
        result = request.app.state.clinic.commit_program(
            who,
            patient_id,
            program,
            form.get("reason", ""),
            _signoff(request, who, form),
            now(request),
            version,
        )
    except Refused as exc:
        return page(
            request,
            "error.html",
            who,
            422,
            status=422,
            error={"message": str(exc), "findings": [f.as_dict() for f in exc.findings]},  # type: ignore[attr-defined]
        )
    return page(request, "program_done.html", who, record=result, patient_id=patient_id)


def _refill_body(rec: queries.PatientRecord, form: dict[str, str]) -> RefillIn:
    drugs = []
    i = 0
    while f"drug_{i}" in form:
        drugs.append({"name": form[f"drug_{i}"], "concentration": form.get(f"conc_{i}", "")})
        i += 1
    try:
        add = float(form.get("add_ml", ""))
    except ValueError:
        raise InputError(
            "invalid refill", [Problem("add_ml", "a volume in mL, such as 18")]
        ) from None
    return RefillIn(add_ml=add, drugs=drugs, lot=form.get("lot", "").strip() or "-")


@router.get("/patients/{patient_id}/refill")
def refill_page(
    patient_id: int, request: Request, who: Principal = Depends(requires("refills.plan"))
) -> Response:
    rec = record(request, patient_id)
    if rec.program is None or rec.pump is None:
        raise InputError("no pump", [Problem("patient", "this patient has no pump program")])
    drugs = program_document(program_from_json(rec.program.program))["drugs"]
    return page(
        request,
        "refill.html",
        who,
        rec=rec,
        drugs=drugs,
        form={},
        estimate=rec.pump.reservoir_estimate_ml,
    )


@router.post("/patients/{patient_id}/refill/plan")
async def refill_plan(
    patient_id: int, request: Request, who: Principal = Depends(requires("refills.plan"))
) -> Response:
    form = await form_of(request)
    body = _refill_body(record(request, patient_id), form)
    session, _ = request.app.state.clinic.plan_refill(who, patient_id, _refill(body), now(request))
    return page(request, "_refill_plan.html", who, plan=session.plan)


@router.post("/patients/{patient_id}/refill")
async def refill_record(
    patient_id: int, request: Request, who: Principal = Depends(requires("refills.record"))
) -> Response:
    form = await form_of(request)
    body = _refill_body(record(request, patient_id), form)
    refill_id, _ = request.app.state.clinic.record_refill(
        who,
        patient_id,
        _refill(body),
        _verifier(request, who, form),
        now(request),
        _expected_version(form),
    )
    return RedirectResponse(f"/refills/{refill_id}", status_code=303)


@router.get("/refills/{refill_id}")
def refill_done(
    refill_id: int, request: Request, who: Principal = Depends(requires("refills.plan"))
) -> Response:
    with request.app.state.clinic.sessions() as db:
        row = db.get(RefillRow, refill_id)
    if row is None:
        raise InputError("no such refill", [Problem("refill_id", f"{refill_id} does not exist")])
    return page(request, "refill_done.html", who, row=row, record=row.record)


@router.post("/refills/{refill_id}/acknowledge")
async def refill_acknowledge(
    refill_id: int, request: Request, who: Principal = Depends(requires("refills.acknowledge"))
) -> Response:
    form = await form_of(request)
    request.app.state.clinic.acknowledge_refill(
        who, refill_id, form.get("code", ""), form.get("reason", ""), now(request)
    )
    return RedirectResponse(f"/refills/{refill_id}", status_code=303)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%MZ")


@router.get("/patients/{patient_id}/trials")
def trials_page(
    patient_id: int, request: Request, who: Principal = Depends(requires("trials.read"))
) -> Response:
    rec = record(request, patient_id)
    clinic = request.app.state.clinic
    evaluations = {
        t.id: trials.evaluate(clinic, who, t.id, now(request), False)
        for t in rec.trials
        if t.status == "open" and t.document.get("doses")
    }
    return page(
        request, "trials.html", who, rec=rec, evaluations=evaluations, now_iso=_iso(now(request))
    )


def _score(form: dict[str, str]) -> dict[str, float]:
    try:
        return {form.get("scale", "nrs"): float(form.get("value", ""))}
    except ValueError:
        raise InputError(
            "invalid score", [Problem("value", "a number on the chosen scale")]
        ) from None


@router.post("/patients/{patient_id}/trials")
async def trial_start(
    patient_id: int, request: Request, who: Principal = Depends(requires("trials.write"))
) -> Response:
    form = await form_of(request)
    doc = {"kind": form.get("kind", ""), "drug": form.get("drug", ""), "baseline": _score(form)}
    trials.start_trial(request.app.state.clinic, who, patient_id, doc, now(request))
    return RedirectResponse(f"/patients/{patient_id}/trials", status_code=303)


async def _trial_action(request: Request, who: Principal, trial_id: int, what: str) -> Response:
    form = await form_of(request)
    clinic = request.app.state.clinic
    if what == "dose":
        trials.add_dose(
            clinic,
            who,
            trial_id,
            {"at": form.get("at", ""), "amount": form.get("amount", "")},
            now(request),
        )
    elif what == "assessment":
        trials.add_assessment(
            clinic, who, trial_id, {"at": form.get("at", ""), **_score(form)}, now(request)
        )
    else:
        trials.evaluate(clinic, who, trial_id, now(request), True)
    with clinic.sessions() as db:
        row = db.get(TrialRow, trial_id)
        pid = row.patient_id if row else 0
    return RedirectResponse(f"/patients/{pid}/trials", status_code=303)


@router.post("/trials/{trial_id}/dose")
async def trial_dose(
    trial_id: int, request: Request, who: Principal = Depends(requires("trials.write"))
) -> Response:
    return await _trial_action(request, who, trial_id, "dose")


@router.post("/trials/{trial_id}/assessment")
async def trial_assessment(
    trial_id: int, request: Request, who: Principal = Depends(requires("trials.write"))
) -> Response:
    return await _trial_action(request, who, trial_id, "assessment")


@router.post("/trials/{trial_id}/evaluate")
async def trial_evaluate(
    trial_id: int, request: Request, who: Principal = Depends(requires("trials.write"))
) -> Response:
    return await _trial_action(request, who, trial_id, "evaluate")


def _portal_context(request: Request, who: Principal) -> dict[str, Any]:
    assert who.patient_id is not None
    rec = record(request, who.patient_id)
    # the pump's own answer, not one worked out again from the bolus log
    pump = request.app.state.clinic.interrogate(who, who.patient_id, now(request))
    return {
        "rec": rec,
        "lockout_remaining_s": pump.lockout_remaining_s,
        "speed": request.app.state.speed,
        "demand_enabled": pump.program is not None and pump.program.demand_bolus is not None,
        "request_id": uuid.uuid4().hex,
        "reasons": REASONS,
        "answer": None,
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
    answer = request.app.state.clinic.request_bolus(
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
    pain = form.get("pain_nrs", "").strip()
    if pain and not pain.isdigit():
        raise InputError("diary entry refused", [Problem("pain_nrs", "a whole number 0-10")])
    request.app.state.clinic.add_diary(
        who, who.patient_id, int(pain) if pain else None, None, form.get("note", ""), now(request)
    )
    return RedirectResponse("/portal", status_code=303)


@router.get("/audit")
def audit_page(request: Request, who: Principal = Depends(requires("audit.read"))) -> Response:
    with request.app.state.clinic.sessions() as db:
        v = audit.verify(db)
        rows = queries.audit_rows(db, 200)
    return page(request, "audit.html", who, v=v, rows=rows)
