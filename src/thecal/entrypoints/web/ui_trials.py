"""The browser UI's trial screens: start a screening trial, record doses and
assessments, evaluate it. Forms are read by hand so that a bad field comes back as
a page naming it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from thecal.adapters.db.models import TrialRow
from thecal.core.errors import InputError, Problem
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import (
    now,
)
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.entrypoints.web.ui import form_of, page, record
from thecal.services.clinic.ports import Principal

router = APIRouter(include_in_schema=False)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%MZ")


@router.get("/patients/{patient_id}/trials")
def trials_page(
    patient_id: Id, request: Request, who: Principal = Depends(requires("trials.read"))
) -> Response:
    rec = record(request, patient_id)
    clinic = clinic_of(request)
    evaluations = {
        t.id: clinic.evaluate_trial(who, t.id, now(request), False)
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
    patient_id: Id, request: Request, who: Principal = Depends(requires("trials.write"))
) -> Response:
    form = await form_of(request)
    doc = {"kind": form.get("kind", ""), "drug": form.get("drug", ""), "baseline": _score(form)}
    clinic_of(request).start_trial(who, patient_id, doc, now(request))
    return RedirectResponse(f"/patients/{patient_id}/trials", status_code=303)


async def _trial_action(request: Request, who: Principal, trial_id: Id, what: str) -> Response:
    form = await form_of(request)
    clinic = clinic_of(request)
    if what == "dose":
        clinic.add_trial_dose(
            who,
            trial_id,
            {"at": form.get("at", ""), "amount": form.get("amount", "")},
            now(request),
        )
    elif what == "assessment":
        clinic.add_trial_assessment(
            who, trial_id, {"at": form.get("at", ""), **_score(form)}, now(request)
        )
    else:
        clinic.evaluate_trial(who, trial_id, now(request), True)
    with request.app.state.db.reads() as db:
        row = db.get(TrialRow, trial_id)
        pid = row.patient_id if row else 0
    return RedirectResponse(f"/patients/{pid}/trials", status_code=303)


@router.post("/trials/{trial_id}/dose")
async def trial_dose(
    trial_id: Id, request: Request, who: Principal = Depends(requires("trials.write"))
) -> Response:
    return await _trial_action(request, who, trial_id, "dose")


@router.post("/trials/{trial_id}/assessment")
async def trial_assessment(
    trial_id: Id, request: Request, who: Principal = Depends(requires("trials.write"))
) -> Response:
    return await _trial_action(request, who, trial_id, "assessment")


@router.post("/trials/{trial_id}/evaluate")
async def trial_evaluate(
    trial_id: Id, request: Request, who: Principal = Depends(requires("trials.write"))
) -> Response:
    return await _trial_action(request, who, trial_id, "evaluate")
