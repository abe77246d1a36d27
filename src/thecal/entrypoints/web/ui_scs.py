"""The browser UI's spinal cord stimulation screen: start a trial with temporary
leads, score its days, end it, implant after a successful trial, reprogram at a
follow-up visit. Forms are read by hand into the same `ScsProgramDoc` the API reads;
a bad field is shown beside its input (after Check, and after a refused send with the
form as typed), a refused program shows its findings, and nothing is half stored."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from thecal.adapters.db import queries
from thecal.adapters.schema.base import validate
from thecal.adapters.schema.scs import ScsProgramDoc
from thecal.core.errors import Conflict, InputError, InvalidTransition, Problem, Refused
from thecal.core.scs.program import ScsProgram
from thecal.entrypoints.web.form_errors import SCS_WORDS, beside, scs_input, scs_slots
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import now
from thecal.entrypoints.web.refusal import refusal_words
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.entrypoints.web.ui import form_of, page, problems_fragment, record
from thecal.services.clinic import can_see
from thecal.services.clinic.ports import Principal
from thecal.services.vocabulary import StimulatorKind

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
    if not all(c.isdigit() and len(c) < 4 for c in items):
        field = "cathodes" if polarity == "-" else "anodes"
        raise InputError("invalid program", [Problem(field, "contact numbers, e.g. 2, 3")])
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
    return _screen(request, who, patient_id)


def _screen(
    request: Request, who: Principal, pid: int, status: int = 200, **typed: Any
) -> Response:
    """The screen; after a refused send, `typed` holds the form as sent, the problems
    beside its inputs (`errors`) and the rest (`error`), so nothing typed is lost."""
    rec = record(request, pid)
    with request.app.state.db.reads() as db:
        scs = queries.scs_record(db, pid)
    active = next((d for d in scs["devices"] if d["active"]), None)
    last_trial = next((d for d in scs["devices"] if d["kind"] == StimulatorKind.TRIAL), None)
    clinic = clinic_of(request)
    state = clinic.stimulation.scs_status(who, pid)
    cat = clinic.stimulation.scs
    return page(request, "scs.html", who, status, rec=rec, scs=scs, active=active,
                last_trial=last_trial, modes=list(cat.modes), leads=list(cat.leads),
                stimulators=list(cat.stimulators), status=state,
                current=_fields(state["program"]) if state else {},
                **{"form": {}, "errors": {}, "error": None, **typed})  # fmt: skip


async def _sent(
    request: Request, who: Principal, pid: int, send: Callable[[dict[str, str]], None]
) -> Response:
    """Run one of the screen's sends; a refusal shows the screen again with the form as
    typed and each problem beside its input (issue 25), nothing stored."""
    form = await form_of(request)
    try:
        send(form)
    except InputError as exc:
        errors, left, _ = _beside(form, exc.problems)
        error = {"message": exc.message, "problems": left, "findings": []}
        return _screen(request, who, pid, 422, form=form, errors=errors, error=error)
    except (Refused, Conflict, InvalidTransition) as exc:
        findings = [f.as_dict() for f in getattr(exc, "findings", ())]
        code = 422 if isinstance(exc, Refused) else 409
        error = {"message": refusal_words(exc, "nothing was sent"), "problems": [],
                 "findings": findings}  # fmt: skip
        return _screen(request, who, pid, code, form=form, error=error)
    return _back(pid)


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
    except InputError as exc:  # each beside its input; the rest where the review would be
        return problems_fragment(request, who, exc, _beside(form, exc.problems))
    return page(request, "_scs_review.html", who, review=review, oob_errors={},
                oob_slots=scs_slots(form), send=form.get("send"))  # fmt: skip


def _beside(
    form: dict[str, str], problems: tuple[Problem, ...] | list[Problem]
) -> tuple[dict[str, str], list[Problem], list[str]]:
    return beside(problems, partial(scs_input, form=form), scs_slots(form), SCS_WORDS)


@router.post("/patients/{patient_id}/scs/trial")
async def start_trial(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.write"))
) -> Response:
    def send(form: dict[str, str]) -> None:
        clinic_of(request).stimulation.start_scs_trial(
            who, patient_id, form.get("stimulator_id", ""), form.get("lead_id", ""),
            _score(form, "baseline_nrs"), program_from_form(form), form.get("reason", ""),
            now(request), _reviewed(form),
        )  # fmt: skip

    return await _sent(request, who, patient_id, send)


@router.post("/patients/{patient_id}/scs/day")
async def trial_day(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.score"))
) -> Response:
    def send(form: dict[str, str]) -> None:
        clinic_of(request).stimulation.record_scs_day(
            who, patient_id, _score(form, "nrs"), now(request))

    return await _sent(request, who, patient_id, send)


@router.post("/patients/{patient_id}/scs/end")
async def end_trial(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.write"))
) -> Response:
    def send(form: dict[str, str]) -> None:
        clinic_of(request).stimulation.end_scs_trial(who, patient_id, now(request))

    return await _sent(request, who, patient_id, send)


@router.post("/patients/{patient_id}/scs/implant")
async def implant(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.write"))
) -> Response:
    def send(form: dict[str, str]) -> None:
        clinic_of(request).stimulation.implant_stimulator(
            who, patient_id, form.get("stimulator_id", ""), form.get("lead_id", ""),
            form.get("serial", ""), program_from_form(form), form.get("reason", ""),
            now(request), _reviewed(form),
        )  # fmt: skip

    return await _sent(request, who, patient_id, send)


@router.post("/patients/{patient_id}/scs/program")
async def reprogram(
    patient_id: Id, request: Request, who: Principal = Depends(requires("scs.write"))
) -> Response:
    def send(form: dict[str, str]) -> None:
        clinic_of(request).stimulation.program_stimulator(
            who, patient_id, program_from_form(form), form.get("reason", ""), now(request),
            _reviewed(form),
        )  # fmt: skip

    return await _sent(request, who, patient_id, send)
