"""The browser UI's spinal cord stimulation screen: start a trial with temporary
leads, score its days, end it, implant after a successful trial, reprogram at a
follow-up visit. Forms are read by hand into the same `ScsProgramDoc` the API reads,
so a bad field comes back as a page naming it; a refused program shows its findings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from thecal.adapters.db import queries
from thecal.adapters.schema.base import validate
from thecal.adapters.schema.scs import ScsProgramDoc
from thecal.core.errors import InputError, Problem
from thecal.core.scs.program import ScsProgram
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import now
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.entrypoints.web.ui import form_of, page, problems_fragment, record
from thecal.services.clinic import can_see
from thecal.services.clinic.ports import Principal

router = APIRouter(include_in_schema=False)


def _number(form: dict[str, str], key: str) -> Any:
    text = form.get(key, "").strip()
    try:
        return float(text)
    except ValueError:
        return text  # the model names the field and says a number is expected


def _score(form: dict[str, str], key: str) -> float:
    """A pain score field as a number; its scale is the use case's to check."""
    value = _number(form, key)
    if not isinstance(value, float):
        raise InputError("score refused", [Problem(key, "a pain score, a number such as 6")])
    return value


def _contacts(text: str, polarity: str) -> list[dict[str, Any]]:
    """'2, 3' -> two contacts of one polarity sharing the current equally."""
    items = [c.strip() for c in text.split(",") if c.strip()]
    if not all(c.isdigit() for c in items):
        raise InputError("invalid program", [Problem("contacts", "contact numbers, e.g. 2, 3")])
    return [{"contact": int(c), "polarity": polarity, "share": 1.0 / len(items)} for c in items]


def program_from_form(form: dict[str, str]) -> ScsProgram:
    doc = {
        "mode": form.get("mode", ""),
        "amplitude_ma": _number(form, "amplitude_ma"),
        "pulse_width_us": _number(form, "pulse_width_us"),
        "frequency_hz": _number(form, "frequency_hz"),
        "electrodes": _contacts(form.get("cathodes", ""), "-")
        + _contacts(form.get("anodes", ""), "+"),
    }
    program: ScsProgramDoc = validate(ScsProgramDoc, doc, "stimulation program")
    return program.core()


@router.get("/patients/{patient_id}/scs")
def scs_page(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.read"))
) -> Response:
    can_see(who, patient_id)
    rec = record(request, patient_id)
    with request.app.state.db.reads() as db:
        scs = queries.scs_record(db, patient_id)
    active = next((d for d in scs["devices"] if d["active"]), None)
    last_trial = next((d for d in scs["devices"] if d["kind"] == "trial"), None)
    clinic = clinic_of(request)
    status = clinic.stimulation.scs_status(who, patient_id)
    cat = clinic.stimulation.scs
    return page(request, "scs.html", who, rec=rec, scs=scs, active=active,
                last_trial=last_trial, modes=list(cat.modes), leads=list(cat.leads),
                stimulators=list(cat.stimulators), status=status,
                current=_fields(status["program"]) if status else {})  # fmt: skip


def _fields(p: ScsProgram) -> dict[str, str]:
    """The running program as the follow-up form shows it."""

    def contacts(polarity: str) -> str:
        return ", ".join(str(e.contact) for e in p.electrodes if e.polarity == polarity)

    return {"mode": p.mode, "amplitude_ma": f"{p.amplitude_ma:g}",
            "pulse_width_us": f"{p.pulse_width_us:g}", "frequency_hz": f"{p.frequency_hz:g}",
            "cathodes": contacts("-"), "anodes": contacts("+")}  # fmt: skip


def _back(patient_id: int) -> Response:
    return RedirectResponse(f"/patients/{patient_id}/scs", status_code=303)


def _reviewed(form: dict[str, str]) -> str | None:
    """The digest of the review on the screen, when its box is ticked (SR-08)."""
    return form.get("reviewed_digest") or None if form.get("confirmed") == "yes" else None


@router.post("/patients/{patient_id}/scs/check")
async def check(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.read"))
) -> Response:
    """The review of the settings in the form, with the digest its confirmation names."""
    form = await form_of(request)
    try:
        program = program_from_form(form)
        review = clinic_of(request).stimulation.check_scs_program(
            who, patient_id, program, form.get("stimulator_id") or None,
            form.get("lead_id") or None,
        )  # fmt: skip
    except InputError as exc:
        return problems_fragment(request, who, exc)
    return page(request, "_scs_review.html", who, review=review)


@router.post("/patients/{patient_id}/scs/trial")
async def start_trial(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.write"))
) -> Response:
    form = await form_of(request)
    clinic_of(request).stimulation.start_scs_trial(
        who, patient_id, form.get("stimulator_id", ""), form.get("lead_id", ""),
        _score(form, "baseline_nrs"), program_from_form(form), form.get("reason", ""),
        now(request), _reviewed(form),
    )  # fmt: skip
    return _back(patient_id)


@router.post("/patients/{patient_id}/scs/day")
async def trial_day(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.score"))
) -> Response:
    form = await form_of(request)
    clinic_of(request).stimulation.record_scs_day(
            who, patient_id, _score(form, "nrs"), now(request))
    return _back(patient_id)


@router.post("/patients/{patient_id}/scs/end")
async def end_trial(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.write"))
) -> Response:
    clinic_of(request).stimulation.end_scs_trial(who, patient_id, now(request))
    return _back(patient_id)


@router.post("/patients/{patient_id}/scs/implant")
async def implant(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.write"))
) -> Response:
    form = await form_of(request)
    clinic_of(request).stimulation.implant_stimulator(
        who, patient_id, form.get("stimulator_id", ""), form.get("lead_id", ""),
        form.get("serial", ""), program_from_form(form), form.get("reason", ""), now(request),
        _reviewed(form),
    )  # fmt: skip
    return _back(patient_id)


@router.post("/patients/{patient_id}/scs/program")
async def reprogram(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.write"))
) -> Response:
    form = await form_of(request)
    clinic_of(request).stimulation.program_stimulator(
        who, patient_id, program_from_form(form), form.get("reason", ""), now(request),
        _reviewed(form),
    )  # fmt: skip
    return _back(patient_id)
