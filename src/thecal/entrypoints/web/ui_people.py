"""The browser screens for people: add and edit a patient (physician, nurse) and the
clinic's accounts (admin) - through the same use cases and pydantic bodies as the
REST API (issue 25). A refused form comes back as typed (a password excepted), each
problem beside its field; nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from thecal.adapters.schema.base import validate
from thecal.core.errors import Conflict, InputError, NotFound, Problem
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import (
    PasswordReset,
    PatientEdit,
    PatientIn,
    UserChange,
    UserIn,
    now,
)
from thecal.entrypoints.web.permissions import ROLES
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.entrypoints.web.ui import checked_form, field_errors, page, record, refuse
from thecal.services.clinic import Principal, words

router = APIRouter(include_in_schema=False)
PATIENT_FIELDS = ("mrn", "name", "birth_year", "indication", "weight_kg", "reason")
CHECKBOXES = ("sleep_apnoea",)
# opioid tolerance is answered, not ticked: an unticked box read as "tolerant"
OPIOID_ANSWERS = {"yes": True, "no": False}


def _patient_values(form: dict[str, str], new: bool) -> dict[str, Any]:
    names = PATIENT_FIELDS if new else PATIENT_FIELDS[1:]
    values: dict[str, Any] = {k: form.get(k, "") for k in names}
    injured = form.get("brain_injury_on", "").strip() or None  # empty: none recorded
    opioid = form.get("opioid_naive", "")
    if opioid or new:  # left out of an edit: unchanged; of a new patient: asked for
        values["opioid_naive"] = OPIOID_ANSWERS.get(opioid, opioid or None)
    return values | {k: form.get(k) == "yes" for k in CHECKBOXES} | {"brain_injury_on": injured}


def _patient_form(request: Request, who: Principal, status: int, **ctx: Any) -> Response:
    return page(request, "patient_form.html", who, status,
                indications=list(words.INDICATIONS.items()),
                **{"errors": {}, "form": {}, "rec": None, **ctx})  # fmt: skip


@router.get("/patients/new")
def new_patient(request: Request, who: Principal = Depends(requires("patients.write"))) -> Response:
    return _patient_form(request, who, 200)


@router.post("/patients/new")
async def add_patient(
    request: Request, who: Principal = Depends(requires("patients.write"))
) -> Response:
    form, problems = await checked_form(request)
    try:
        refuse(problems)
        body: PatientIn = validate(PatientIn, _patient_values(form, True), "patient")
        pid = clinic_of(request).care.add_patient(who, body.model_dump(exclude={"reason"}),
                                             body.reason, now(request))  # fmt: skip
    except InputError as exc:
        errors = field_errors(exc.problems)
        if "opioid_naive" in errors:  # unanswered: pydantic says "a valid boolean"
            errors["opioid_naive"] = "choose one: opioid-naive or opioid-tolerant"
        return _patient_form(request, who, 422, form=form, errors=errors)
    except Conflict as exc:  # the MRN is taken
        return _patient_form(request, who, 409, form=form, errors={"mrn": str(exc)})
    return RedirectResponse(f"/patients/{pid}", status_code=303)


@router.get("/patients/{patient_id}/edit")
def patient_edit_form(
    patient_id: Id, request: Request, who: Principal = Depends(requires("patients.write"))
) -> Response:
    p = record(request, patient_id).patient
    form = {"name": p.name, "birth_year": p.birth_year, "indication": p.indication,
            "weight_kg": p.weight_kg, "opioid_naive": "yes" if p.opioid_naive else "no",
            "sleep_apnoea": "yes" if p.sleep_apnoea else "",
            "brain_injury_on": p.brain_injury_on or ""}  # fmt: skip
    return _patient_form(request, who, 200, rec=p, form=form)


@router.post("/patients/{patient_id}/edit")
async def edit_patient(
    patient_id: Id, request: Request, who: Principal = Depends(requires("patients.write"))
) -> Response:
    p = record(request, patient_id).patient
    form, problems = await checked_form(request)
    try:
        refuse(problems)
        body: PatientEdit = validate(PatientEdit, _patient_values(form, False), "patient")
        clinic_of(request).care.edit_patient(who, patient_id, body.changes(), body.reason,
                                        now(request))  # fmt: skip
    except InputError as exc:
        return _patient_form(request, who, 422, rec=p, form=form,
                             errors=field_errors(exc.problems))  # fmt: skip
    return RedirectResponse(f"/patients/{patient_id}", status_code=303)


def _users_page(request: Request, who: Principal, status: int = 200, **ctx: Any) -> Response:
    users = clinic_of(request).user_admin.users(who)
    return page(request, "users.html", who, status, users=users, roles=ROLES,
                **{"errors": {}, "form": {}, "target": None, "which": None, "done": None,
                   **ctx})  # fmt: skip


@router.get("/users")
def users(request: Request, who: Principal = Depends(requires("users.read"))) -> Response:
    return _users_page(request, who)


def _patient_id(value: str) -> str | None:
    return None if not value.strip() else value.strip()


@router.post("/users")
async def add_user(request: Request, who: Principal = Depends(requires("users.write"))) -> Response:
    form, problems = await checked_form(request)
    try:
        refuse(problems)
        values = {k: form.get(k, "") for k in ("username", "full_name", "password", "role")}
        body: UserIn = validate(UserIn, values | {"patient_id": _patient_id(
            form.get("patient_id", ""))}, "account")  # fmt: skip
        clinic_of(request).user_admin.add_user(who, body.username, body.full_name, body.password,
                                    body.role, body.patient_id, now(request))  # fmt: skip
    except (InputError, NotFound) as exc:
        errors = field_errors(exc.problems) if isinstance(exc, InputError) else {
            "patient_id": str(exc)}  # fmt: skip
        return _users_page(request, who, 422 if isinstance(exc, InputError) else 404,
                           form=form | {"password": ""}, errors=errors, target="new")  # fmt: skip
    except Conflict as exc:  # the username is taken
        return _users_page(request, who, 409, form=form | {"password": ""},
                           errors={"username": str(exc)}, target="new")  # fmt: skip
    return _users_page(request, who, 201, done=f"account {body.username} created")


async def _row_action(request: Request, who: Principal, user_id: int, which: str,
                      act: Callable[[dict[str, str]], None], done: str) -> Response:  # fmt: skip
    """One account row's form (`which`: change or password): read, acted on through the
    use case, or shown again on its row with each problem beside its field (the
    password never typed back)."""
    form, problems = await checked_form(request)
    try:
        refuse(problems)
        act(form)
    except InputError as exc:
        return _users_page(request, who, 422, form=form | {"password": ""},
                           errors=_one_row(exc.problems), target=user_id, which=which)  # fmt: skip
    return _users_page(request, who, done=done)


@router.post("/users/{user_id}/change")
async def change_user(
    user_id: Id, request: Request, who: Principal = Depends(requires("users.write"))
) -> Response:
    def act(form: dict[str, str]) -> None:
        active = {"yes": True, "no": False}.get(form.get("active", ""))
        body: UserChange = validate(UserChange, {"role": form.get("role") or None,
                                                 "active": active,
                                                 "reason": form.get("reason", "")},
                                    "account change")  # fmt: skip
        clinic_of(request).user_admin.change_user(who, user_id, body.reason, now(request),
                                       role=body.role, active=body.active)  # fmt: skip

    return await _row_action(request, who, user_id, "change", act,
                             "account changed; its open logins have ended")  # fmt: skip


@router.post("/users/{user_id}/password")
async def reset_password(
    user_id: Id, request: Request, who: Principal = Depends(requires("users.write"))
) -> Response:
    def act(form: dict[str, str]) -> None:
        body: PasswordReset = validate(PasswordReset, {"password": form.get("password", ""),
                                                       "reason": form.get("reason", "")},
                                       "password reset")  # fmt: skip
        clinic_of(request).user_admin.reset_password(who, user_id, body.password, body.reason,
                                          now(request))  # fmt: skip

    return await _row_action(request, who, user_id, "password", act,
                             "password reset; hand it over in person")  # fmt: skip


def _one_row(problems: tuple[Problem, ...] | list[Problem]) -> dict[str, str]:
    """A row's problems: the field named (role, active, reason, password) or else the row."""
    errors = field_errors(problems)
    return {(k if k in ("role", "active", "reason", "password") else "row"): v
            for k, v in errors.items()}  # fmt: skip
