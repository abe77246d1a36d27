"""The browser UI's device screens, through the same gate as the API: an implant (a
first fill, or a transfer in that continues a documented program) for a patient with
no pump; and, on the Pump screen, a programmer bolus (clinician, bridge, priming), a
pump replacement, a catheter revision and an explant. Each is Check (the review, its
digest and what blocks it; nothing sent) then Send; the form is read by the API's own
pydantic bodies, and a refused or conflicting Send shows the form as typed with a
fresh review of exactly those values."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from thecal.adapters.db import queries
from thecal.adapters.pump.program_codec import program_from_json
from thecal.adapters.scenario.program_writer import program_document
from thecal.adapters.schema.base import validate
from thecal.adapters.schema.types import BolusAmount
from thecal.core.errors import Conflict, InputError, Problem, Refused
from thecal.core.pump.program import Amount
from thecal.core.safety import Catheter
from thecal.entrypoints.web.fixed_flow import fixed_flow_program
from thecal.entrypoints.web.form_errors import (
    DEVICE_WORDS,
    beside,
    device_input,
    device_slots,
    device_words,
)
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import (
    BolusGiveIn,
    CatheterIn,
    ImplantIn,
    bolus_input,
    form_signoff,
    implant_input,
    now,
)
from thecal.entrypoints.web.refusal import refusal_words
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.entrypoints.web.ui import (
    form_of,
    page,
    primary_drug,
    problems_fragment,
    record,
    review_view,
)
from thecal.services.clinic import Clinic, Principal
from thecal.services.clinic.gate import Review, Signoff
from thecal.services.clinic.therapy import BolusInput

router = APIRouter(include_in_schema=False)
ACTIONS = ("implant", "bolus", "replace", "catheter", "explant")
FIELDS = {  # what each form sends; read by the API's bodies
    "implant": ("model_id", "serial", "catheter_type", "catheter_length_cm",
                "catheter_ul_per_cm", "tip_level", "fill_ml", "lot"),
    "replace": ("model_id", "serial", "fill_ml", "lot"),
    "catheter": ("catheter_length_cm", "catheter_ul_per_cm"),
    "bolus": ("kind", "amount"),
    "explant": (),
}  # fmt: skip


def _implant_body(
    clinic: Clinic, rec: queries.PatientRecord, action: str, form: dict[str, str]
) -> ImplantIn:
    values: dict[str, Any] = {k: form.get(k, "") for k in FIELDS[action]}
    model = clinic.catalogue.get(values["model_id"])
    fixed = model is not None and not model.programmable  # fixed_flow.py
    intent: list[Problem] = []
    if action == "implant" and not values["catheter_ul_per_cm"].strip():
        values["catheter_ul_per_cm"] = None  # the pump model's catheter (pumps.toml)
    if action == "replace":  # the new pump continues the running program
        assert rec.implant is not None and rec.program is not None
        # as a program document, the form the API's body takes (the stored JSON is the
        # program's own encoding, which the document reader refused: issue 25)
        running = program_document(program_from_json(rec.program.program))
        values |= {"catheter_type": rec.implant.catheter_type,
                   "catheter_length_cm": rec.implant.catheter_length_cm,
                   "catheter_ul_per_cm": rec.implant.catheter_ul_per_cm,
                   "tip_level": rec.implant.tip_level,
                   # a constant-flow pump takes the drugs; its review shows the new dose
                   "program": {"drugs": running["drugs"]} if fixed else running}  # fmt: skip
    else:
        if fixed:
            assert model is not None
            program, intent = fixed_flow_program(form, model, clinic.library)
        else:
            program = {
                "drugs": [
                    {"name": form.get("drug", ""), "concentration": form.get("concentration", "")}
                ],
                "basal": {"steps": [{"start": "00:00", "dose": form.get("dose", "")}]},
                "low_reservoir_alarm_ml": _in_ml(form.get("low_ml", "")),
            }
        values |= {"program": program, "continues": program if form.get("transfer") else None}
    try:
        body: ImplantIn = validate(ImplantIn, values, "implant")
    except InputError as exc:  # the program's problems too, so all are shown at once
        reported = {p.path.split(".")[0].split("[")[0] for p in exc.problems}
        more = ImplantIn.program_problems(values, reported)
        raise InputError(exc.message, [*exc.problems, *more, *intent]) from None
    if intent:
        raise InputError("invalid implant", intent)
    return body


def _in_ml(text: str) -> str:
    """The alarm field is labelled in mL: a bare number is read in that unit (the form's
    own default "4" was refused as having no unit)."""
    bare = text.strip()
    try:
        float(bare)
    except ValueError:
        return bare  # a unit typed, or junk: the program's reader names the problem
    return f"{bare} mL"


def _review(
    request: Request, who: Principal, pid: int, action: str, form: dict[str, str], s: Signoff
) -> Review:
    clinic, at, rec = clinic_of(request), now(request), record(request, pid)
    if action in ("implant", "replace"):
        i = implant_input(_implant_body(clinic, rec, action, form))
        devices = clinic.devices
        check = devices.check_implant if action == "implant" else devices.check_replacement
        return check(who, pid, i, s, at)
    if action == "catheter":
        return clinic.surgery.check_catheter(who, pid, _catheter(form), s, at)
    if action == "bolus":
        return clinic.therapy.check_bolus(who, pid, _bolus(form, rec), s, at)
    return clinic.surgery.check_explant(who, pid, s, at)


def _catheter(form: dict[str, str]) -> Catheter:
    """The catheter revision form, read by the API's own body."""
    c: CatheterIn = validate(CatheterIn, {k: form.get(k, "") for k in FIELDS["catheter"]},
                             "catheter revision")  # fmt: skip
    return c.catheter()


def _bolus(form: dict[str, str], rec: queries.PatientRecord) -> BolusInput:
    """The programmer bolus form, read by the API's own body (its duration in minutes)."""
    b: BolusGiveIn = validate(BolusGiveIn, {"kind": form.get("kind", ""),
                                            "volume_ml": _bolus_ml(form, rec),
                                            "duration_s": _minutes(form) * 60.0},
                              "bolus")  # fmt: skip
    return bolus_input(b)


def _bolus_ml(form: dict[str, str], rec: queries.PatientRecord) -> float:
    """The amount as typed, always with its unit, read as the programmer's documents
    read a bolus amount (schema `BolusAmount`): a dose of the first drug ('0.5 mg', in
    its concentration's mL) or a volume ('0.05 mL'). The field took a bare number of
    mL, so a clinician who thinks in mg converted by hand: a unit error waiting to
    happen (devices.md §3). A bare number is refused, never guessed."""
    amount: Amount = validate(BolusAmount, form.get("amount", "").strip(), "bolus",
                              prefix="amount")  # fmt: skip
    running = program_from_json(rec.program.program) if rec.program else None
    if amount.ml is None and (running is None or running.primary_mcg_per_ml <= 0):
        raise InputError("invalid bolus", [Problem("amount", "no running program: a volume in mL")])
    return amount.volume_ml(running.primary_mcg_per_ml if running else 0.0)


def _known(action: str) -> None:
    if action not in ACTIONS:
        raise InputError("unknown change", [Problem("action", f"one of {', '.join(ACTIONS)}")])


def _minutes(form: dict[str, str]) -> float:
    """The duration as typed; its range is the request body's (BolusGiveIn)."""
    try:
        return float(form.get("duration_min", ""))
    except ValueError:
        raise InputError(
            "invalid bolus", [Problem("duration_min", DEVICE_WORDS["duration_min"])]
        ) from None


def _send(request: Request, who: Principal, pid: int, action: str, form: dict[str, str]) -> Any:
    clinic, at, rec = clinic_of(request), now(request), record(request, pid)
    s, reason = form_signoff(form), form.get("reason", "")
    value = form.get("expected_version", "")
    version = int(value) if value.isdigit() and len(value) < 10 else -1
    if action == "implant":
        return clinic.devices.implant(
                who, pid, implant_input(_implant_body(clinic, rec, action, form)), reason,
                s, at)  # fmt: skip
    if action == "replace":
        i = implant_input(_implant_body(clinic, rec, action, form))
        return clinic.devices.replace_pump(who, pid, i, reason, s, at, version)
    if action == "catheter":
        return clinic.surgery.revise_catheter(who, pid, _catheter(form), reason, s, at, version)
    if action == "bolus":
        return clinic.therapy.give_bolus(who, pid, _bolus(form, rec), reason, s, at, version)
    return clinic.surgery.explant(who, pid, reason, s, at, version)


def _beside(
    action: str, problems: tuple[Problem, ...] | list[Problem]
) -> tuple[dict[str, str], list[Problem], list[str]]:
    return beside(problems, partial(device_input, action), device_slots(action),
                  device_words(action))  # fmt: skip


def _screen(request: Request, who: Principal, pid: int, **extra: Any) -> Response:
    rec = record(request, pid)
    current = program_from_json(rec.program.program) if rec.program else None
    catalogue = clinic_of(request).catalogue.models
    # programmable pumps first: the list must not open on a constant-flow pump
    models = sorted(catalogue, key=lambda m: (not catalogue[m].programmable, m))
    return page(request, "device.html", who, extra.pop("status", 200), rec=rec,
                models=models, current=current, primary=primary_drug(request, rec),
                **{"action": None, "review": None, "error": None, "form": {}, "errors": {},
                   **extra})  # fmt: skip


@router.get("/patients/{patient_id}/device")
def device_page(
    patient_id: Id, request: Request, who: Principal = Depends(requires("programs.check"))
) -> Response:
    return _screen(request, who, patient_id)


@router.post("/patients/{patient_id}/device/{action}/check")
async def device_check(
    patient_id: Id,
    action: str,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> Response:
    _known(action)
    form = await form_of(request)
    try:
        review = _review(request, who, patient_id, action, form, Signoff())
    except InputError as exc:  # each beside its input; the rest where the review would be
        return problems_fragment(request, who, exc, _beside(action, exc.problems))
    return page(request, "_device_review.html", who, review=review_view(review), action=action,
                rec=record(request, patient_id), form=form, oob_slots=device_slots(action),
                oob_errors={})  # fmt: skip


@router.post("/patients/{patient_id}/device/{action}")
async def device_send(
    patient_id: Id,
    action: str,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> Response:
    """The use case checks the role itself (implants and boluses are a physician's)."""
    _known(action)
    form = await form_of(request)
    try:
        _send(request, who, patient_id, action, form)
    except InputError as exc:  # changed after Check: the form as typed, each problem beside
        errors, left, _ = _beside(action, exc.problems)
        return _screen(request, who, patient_id, status=422, action=action, form=form,
                       errors=errors, error={"message": exc.message, "problems": left,
                                             "findings": []})  # fmt: skip
    except (Refused, Conflict) as exc:
        fresh = _review(request, who, patient_id, action, form, Signoff())
        findings = [f.as_dict() for f in getattr(exc, "findings", ())]
        return _screen(request, who, patient_id, status=409 if isinstance(exc, Conflict) else 422,
                       action=action, review=review_view(fresh), form=form,
                       error={"message": refusal_words(exc, "nothing was sent"),
                              "findings": findings})  # fmt: skip
    return _screen(request, who, patient_id, done=action)
