"""The browser UI's trial screens: start a screening trial, record doses and
assessments, evaluate it. Doses and assessments are timed by a date and a time in the
clinic's time zone (labelled fields with the browser's pickers); a refused entry
comes back on the trial's card, as typed, each problem beside its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from thecal.adapters.db.models import TrialRow
from thecal.core.errors import Conflict, InputError, Problem, Refused
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import now
from thecal.entrypoints.web.local_time import iso_utc, local_fields, local_instant
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.entrypoints.web.ui import (
    checked_form,
    field_errors,
    form_of,
    page,
    record,
    refuse,
)
from thecal.services.clinic import words
from thecal.services.clinic.ports import Principal
from thecal.services.vocabulary import TrialStatus

router = APIRouter(include_in_schema=False)


@router.get("/patients/{patient_id}/trials")
def trials_page(
    patient_id: Id, request: Request, who: Principal = Depends(requires("trials.read"))
) -> Response:
    return _trials_page(request, who, patient_id)


def _trials_page(
    request: Request, who: Principal, patient_id: int, status: int = 200, **ctx: Any
) -> Response:
    rec = record(request, patient_id)
    clinic = clinic_of(request)
    evaluations = {
        t.id: clinic.trials.evaluate_trial(who, t.id, now(request), False)
        for t in rec.trials
        if t.status == TrialStatus.OPEN and t.document.get("doses")
    }
    today, clock = local_fields(now(request), request.app.state.zone)
    drugs = sorted(clinic.library.drugs)
    return page(request, "trials.html", who, status, rec=rec, evaluations=evaluations,
                today=today, clock=clock, now_s=now(request), drugs=drugs,
                kinds=list(words.TRIAL_KINDS.items()),
                scales=words.scale_choices("nrs", "ashworth", "penn", "odi"),
                baseline_scales=words.scale_choices("ashworth", "nrs", "penn"),
                **{"failed": None, "errors": {}, "form": {}, "start_error": None,
                   "start_form": start_defaults(rec.patient.indication), **ctx})  # fmt: skip


def start_defaults(indication: str) -> dict[str, str]:
    """The Start form's first choice fits the patient: a spasticity patient is screened
    with a baclofen bolus scored on the Ashworth scale, a pain patient has a single
    opioid bolus (morphine, the first-line drug) scored on the pain NRS. It offered a
    baclofen screening to everyone, the patient with axial back pain sent there by the
    worklist's "Start the pump trial" included."""
    if indication.startswith("spasticity"):
        return {"kind": "baclofen_screening", "drug": "baclofen", "scale": "ashworth"}
    return {"kind": "opioid_single_shot", "drug": "morphine", "scale": "nrs"}


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
    try:
        clinic_of(request).trials.start_trial(who, patient_id, doc, now(request))
    except InputError as exc:  # said on the start form, which keeps what was typed
        said = "; ".join(f"{p.path}: {p.message}" for p in exc.problems) or str(exc)
        return _trials_page(request, who, patient_id, 422, start_error=said, start_form=form)
    except Conflict as exc:  # another trial is still open
        return _trials_page(request, who, patient_id, 409, start_error=str(exc),
                            start_form=form)  # fmt: skip
    return RedirectResponse(f"/patients/{patient_id}/trials", status_code=303)


async def _trial_action(request: Request, who: Principal, trial_id: Id, what: str) -> Response:
    form, problems = await checked_form(request)
    clinic = clinic_of(request)
    with request.app.state.db.reads() as db:
        row = db.get(TrialRow, trial_id)
        pid = row.patient_id if row else 0
    try:
        refuse(problems)
        if what == "evaluate":
            clinic.trials.evaluate_trial(who, trial_id, now(request), True)
        else:
            at_s, when = local_instant(form.get("date", ""), form.get("time", ""),
                                       request.app.state.zone)  # fmt: skip
            entry = {"amount": form.get("amount", "")} if what == "dose" else _score(form)
            if when or at_s is None:
                raise InputError(f"{what} not recorded", when)
            if what == "dose":
                clinic.trials.add_trial_dose(who, trial_id, {"at": iso_utc(at_s), **entry},
                                      now(request))  # fmt: skip
            else:
                clinic.trials.add_trial_assessment(who, trial_id, {"at": iso_utc(at_s), **entry},
                                            now(request))  # fmt: skip
    except (InputError, Refused) as exc:
        if not pid:
            raise
        errors = field_errors(exc.problems) if isinstance(exc, InputError) else {}
        if isinstance(exc, Refused) or not errors:
            errors[""] = str(exc)
        return _trials_page(request, who, pid, 422, failed=(trial_id, what), errors=errors,
                            form=form)  # fmt: skip
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
