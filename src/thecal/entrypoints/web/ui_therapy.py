"""The browser UI's therapy screens: programming (form, check, commit) and refills
(plan, record, acknowledge); trials are in ui_trials.py. Forms are read by hand so
that a bad field comes back as a page naming it; the page helpers are in ui.py."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from thecal.adapters.db import queries
from thecal.adapters.db.models import Patient, RefillRow
from thecal.adapters.pump.program_codec import program_from_json
from thecal.adapters.scenario.program_writer import program_document
from thecal.adapters.schema.base import validate
from thecal.core.errors import Conflict, Forbidden, InputError, Problem, Refused, UnitError
from thecal.core.pump.state import DELIVERING
from thecal.core.units import Kind, parse
from thecal.entrypoints.web.form_errors import (
    REFILL_WORDS,
    beside,
    form_rows,
    program_input,
    program_slots,
    refill_input_name,
    refill_slots,
)
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import (
    RefillIn,
    form_signoff,
    now,
    parse_program,
    refill_input,
)
from thecal.entrypoints.web.permissions import allowed, holders
from thecal.entrypoints.web.portal_words import delivery_stopped
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
from thecal.services.clinic.gate import Signoff
from thecal.services.clinic.ports import Principal

router = APIRouter(include_in_schema=False)


BLANK_ROWS = 2  # empty rows under the steps and periodic boluses, to add one


def _program_beside(
    form: dict[str, str], problems: tuple[Problem, ...] | list[Problem]
) -> tuple[dict[str, str], list[Problem], list[str]]:
    return beside(problems, partial(program_input, form=form), program_slots(form))


def _refill_beside(
    form: dict[str, str], problems: tuple[Problem, ...] | list[Problem]
) -> tuple[dict[str, str], list[Problem], list[str]]:
    input_of = partial(refill_input_name, form=form)
    return beside(problems, input_of, refill_slots(form), REFILL_WORDS)


def _typed_form(form: dict[str, str]) -> dict[str, Any]:
    """What was typed, in the shape the programming form is drawn from, so a refused or
    conflicting commit shows the form as the clinician left it."""

    def rows(prefix: str, fields: tuple[str, ...]) -> list[tuple[str, ...]]:
        return [tuple(row[f] for f in fields) for row in form_rows(form, prefix, fields)]

    keys = ("cycle_days", "low_ml", "demand_amount", "demand_duration", "demand_lockout")
    return {
        **{k: form.get(k, "") for k in (*keys, "demand_max", "reason", "temporary_h")},
        "steps": rows("step", ("start", "value")),
        "periodic": rows("periodic", ("at", "amount", "duration")),
    }


def _running(request: Request, rec: queries.PatientRecord) -> dict[str, Any]:
    """The running program as a document in each drug's own unit (baclofen 2000 mcg/mL
    and 1200 mcg/day; it read "2 mg/mL" beside "2000 mcg/mL" on one screen)."""
    assert rec.program is not None
    program = program_from_json(rec.program.program)
    library = request.app.state.clinic.library
    units = {d.name: drug.display_unit for d in program.drugs if (drug := library.get(d.name))}
    return program_document(program, units)


def _program_form(request: Request, rec: queries.PatientRecord) -> dict[str, Any]:
    """The running program as the form shows it: every basal step (dose or rate) and
    periodic bolus, with blank rows to add; emptying a row removes it."""
    doc = _running(request, rec)
    steps = [(x["start"], x.get("dose") or x.get("rate", "")) for x in doc["basal"]["steps"]]
    periodic = [(b["at"], b["amount"], b["duration"]) for b in doc.get("periodic_boluses", [])]
    demand = doc.get("demand_bolus", {})
    return {
        "cycle_days": str(doc["basal"]["cycle_days"]),
        "steps": steps + [("", "")] * BLANK_ROWS,
        "periodic": periodic + [("", "", "")] * BLANK_ROWS,
        "low_ml": f"{doc['low_reservoir_alarm_ml']:g}",
        "demand_amount": demand.get("amount", ""),
        "demand_duration": demand.get("duration", ""),
        "demand_lockout": demand.get("lockout", ""),
        "demand_max": str(demand.get("max_per_24h", "")),
        "temporary_h": "",
    }


def _temporary_s(form: dict[str, str]) -> float | None:
    """The optional temporary duration (SR-36); the session checks its bounds."""
    text = form.get("temporary_h", "").strip()
    if not text:
        return None
    try:
        hours = float(text)
    except ValueError:
        raise InputError(
            "invalid program", [Problem("temporary_h", f"'{text[:20]}': a number of hours")]
        ) from None
    return hours * 3600.0


def _rows(form: dict[str, str], prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The filled rows `prefix_FIELD_N` (N = 0, 1, ...); a half-filled row is a problem."""
    rows, problems = [], []
    for n, typed in enumerate(form_rows(form, prefix, fields)):
        row = {f: v.strip() for f, v in typed.items()}
        if all(row.values()):
            rows.append(row)
        elif any(row.values()):
            problems.append(Problem(f"{prefix}_{n}", f"fill in {' and '.join(fields)}, or none"))
    if problems:
        raise InputError("invalid program", problems)
    return rows


def _step(row: dict[str, str]) -> dict[str, str]:
    """A step's value is a dose ('3 mg/day') or a rate ('0.3 mL/day'): its unit says."""
    try:
        parse(row["value"], Kind.RATE, "")
    except UnitError:
        return {"start": row["start"], "dose": row["value"]}
    return {"start": row["start"], "rate": row["value"]}


def _program_from_form(rec: queries.PatientRecord, form: dict[str, str]) -> Any:
    assert rec.program is not None
    current = program_document(program_from_json(rec.program.program))
    problems = []
    try:
        low = float(form.get("low_ml", ""))
    except ValueError:
        problems.append(Problem("low_ml", "a number of mL, such as 2 or 4"))
        low = 0.0
    cycle = form.get("cycle_days", "1").strip()
    digits = cycle.isdigit()  # a very long one stands for "too many" (the program says so)
    cycle_days = (int(cycle) if len(cycle) <= 9 else 10**9) if digits else 0
    if cycle_days < 1:  # named once, here: the program is read with 1 in its place
        problems.append(Problem("cycle_days", "a whole number of days, 1 or more"))
    steps = [_step(r) for r in _rows(form, "step", ("start", "value"))]
    doc: dict[str, Any] = {
        "drugs": current["drugs"],
        "basal": {"cycle_days": max(cycle_days, 1), "steps": steps},
        "periodic_boluses": _rows(form, "periodic", ("at", "amount", "duration")),
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
    try:
        program = parse_program(doc)
    except InputError as exc:  # every problem at once: the form's and the program's
        raise InputError("invalid program", [*problems, *exc.problems]) from None
    if problems:
        raise InputError("invalid program", problems)
    return program


def _expected_version(form: dict[str, str]) -> int:
    """The therapy version the screen was drawn from (optimistic locking)."""
    value = form.get("expected_version", "")
    if not value.isdigit() or len(value) > 9:
        raise InputError(
            "reload the screen", [Problem("expected_version", "the screen's therapy version")]
        )
    return int(value)


@router.get("/patients/{patient_id}/program")
def program_page(
    patient_id: Id, request: Request, who: Principal = Depends(requires("programs.check"))
) -> Response:
    rec = record(request, patient_id)
    if rec.program is None:
        raise InputError("no program", [Problem("patient", "this patient has no pump program")])
    return page(
        request,
        "program.html",
        who,
        rec=rec,
        form=_program_form(request, rec),
        drugs_text=_drugs_text(request, rec),
        primary=primary_drug(request, rec),
        review=None,
        error=None,
    )


def _drugs_text(request: Request, rec: queries.PatientRecord) -> str:
    doc = _running(request, rec)
    return ", ".join(f"{d['name']} {d['concentration']}" for d in doc["drugs"])


@router.post("/patients/{patient_id}/program/check")
async def program_check(
    patient_id: Id, request: Request, who: Principal = Depends(requires("programs.check"))
) -> Response:
    form = await form_of(request)
    rec = record(request, patient_id)
    try:
        program = _program_from_form(rec, form)
        review = clinic_of(request).therapy.check_program(
            who, patient_id, program, Signoff(), now(request), _temporary_s(form)
        )
    except InputError as exc:  # each beside its input; the rest where the review would be
        return problems_fragment(request, who, exc, _program_beside(form, exc.problems))
    return page(request, "_review.html", who, review=review_view(review), form=form,
                oob_slots=program_slots(form), oob_errors={})  # fmt: skip


@router.post("/patients/{patient_id}/program")
async def program_commit(
    patient_id: Id, request: Request, who: Principal = Depends(requires("programs.commit"))
) -> Response:
    form = await form_of(request)
    rec = record(request, patient_id)
    try:
        program = _program_from_form(rec, form)
        temporary_s = _temporary_s(form)
    except InputError as exc:  # changed after Check: the form as typed, each problem beside
        errors, left, _ = _program_beside(form, exc.problems)
        return page(
            request, "program.html", who, 422, rec=rec, form=_typed_form(form),
            drugs_text=_drugs_text(request, rec), primary=primary_drug(request, rec), review=None,
            errors=errors,
            error={"message": exc.message, "problems": left, "findings": []},
        )  # fmt: skip
    clinic = clinic_of(request)
    try:
        result = clinic.therapy.commit_program(
            who, patient_id, program, form.get("reason", ""), form_signoff(form), now(request),
            _expected_version(form), temporary_s,
        )  # fmt: skip
    except (Refused, Conflict) as exc:
        # the form as typed, with a fresh review of exactly these values to confirm
        fresh = clinic.therapy.check_program(
            who, patient_id, program, Signoff(), now(request), temporary_s
        )
        findings = list(getattr(exc, "findings", ()))
        return page(
            request, "program.html", who, 409 if isinstance(exc, Conflict) else 422,
            rec=rec, form=_typed_form(form), drugs_text=_drugs_text(request, rec),
            primary=primary_drug(request, rec), review=review_view(fresh),
            error={"message": refusal_words(exc, "the program was not sent"),
                   "findings": [f.as_dict() for f in findings]},
        )  # fmt: skip
    return page(request, "program_done.html", who, record=result, patient_id=patient_id,
                patient=rec.patient)  # fmt: skip


def _bridge_s(form: dict[str, str]) -> float | None:
    value = form.get("bridge_min", "").strip()
    if not value:
        return None  # not planned: the rules say whether one is required
    try:
        return float(value) * 60.0  # its range is the request body's (RefillIn)
    except ValueError:
        raise InputError(
            "invalid refill", [Problem("bridge_min", REFILL_WORDS["bridge_min"])]
        ) from None


def _same_strengths(rec: queries.PatientRecord, typed: list[dict[str, str]]) -> bool:
    """Whether the typed concentrations are the running ones, by value: "2000 mcg/mL"
    typed over "2 mg/mL" is no new concentration. One that does not read is new (the
    refill's own reader then names its problem)."""
    assert rec.program is not None
    running = program_from_json(rec.program.program).drugs
    try:
        values = [parse(d["concentration"], Kind.CONCENTRATION, "") for d in typed]
    except UnitError:
        return False
    return len(values) == len(running) and all(
        math.isclose(v, d.concentration_mcg_per_ml, rel_tol=1e-9)
        for v, d in zip(values, running, strict=False)
    )


def _restarted(program: dict[str, Any], dose_after: str, no_demand: bool) -> dict[str, Any]:
    """A new daily dose given with the refill, as a restart after weeks empty asks for
    (DD-03: tolerance is lost; the screen refused the old dose and offered no way to
    give a lower one): one continuous dose in place of the basal schedule and the
    periodic boluses, and, when asked, no patient bolus until the dose is found again.
    A schedule of several steps is changed on the Programming screen."""
    out = dict(program)
    if dose_after:
        out["basal"] = {"cycle_days": 1, "steps": [{"start": "00:00", "dose": dose_after}]}
        out.pop("periodic_boluses", None)
    if no_demand:
        out.pop("demand_bolus", None)
    return out


def _refill_body(
    rec: queries.PatientRecord, form: dict[str, str], fixed_flow: float | None = None
) -> RefillIn:
    """`fixed_flow`: a constant-flow pump's mL/day (`_fixed_flow`); its program is its
    fluid, so a new concentration is sent as the fluid alone (the service derives what
    the pump then gives, core/pump/constant_flow.py `delivered_by`), with no bridge bolus
    (the pump gives none) and no dose typed (the concentration sets it)."""
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
    diluted = {"yes": True, "no": False}.get(form.get("diluted", ""))
    body = {"add_ml": add, "drugs": drugs, "lot": form.get("lot", "").strip() or "-",
            "diluted": diluted}  # fmt: skip
    new_strength = not _same_strengths(rec, drugs)
    dose_after = form.get("dose_after", "").strip()
    no_demand = form.get("no_demand") == "yes"
    if fixed_flow is not None and (dose_after or no_demand):
        raise InputError("invalid refill", [Problem(
            "dose_after", f"this pump gives a fixed {fixed_flow:g} mL/day: its dose is set by "
            "the concentration")])  # fmt: skip
    if fixed_flow is None and (new_strength or dose_after or no_demand):
        # a new concentration: the pump is reprogrammed to the same daily dose of drug
        # (the program states doses in mcg, so the mL it pumps follows the fluid), and
        # the old fluid in the path is pushed out by the bridge bolus (DD-07)
        assert rec.program is not None
        program = program_document(program_from_json(rec.program.program))
        body["program"] = _restarted({**program, "drugs": drugs}, dose_after, no_demand)
        if new_strength:
            body["bridge_duration_s"] = _bridge_s(form)
    # the API's own model, so the form is refused exactly as the API is: a volume of 0,
    # -1, 200, NaN or infinity, or a lot number over 40 characters, each by its field
    result: RefillIn = validate(RefillIn, body, "refill")
    return result


@router.get("/patients/{patient_id}/refill")
def refill_page(
    patient_id: Id, request: Request, who: Principal = Depends(requires("refills.plan"))
) -> Response:
    rec = record(request, patient_id)
    if rec.program is None or rec.pump is None:
        raise InputError("no pump", [Problem("patient", "this patient has no pump program")])
    return page(
        request,
        "refill.html",
        who,
        rec=rec,
        drugs=_refill_drugs(request, rec, {}),
        **_dose_after(request, rec),
        form={},
        estimate=rec.pump.reservoir_estimate_ml,
        plan=None,
        review=None,
        error=None,
    )


def _dose_after(request: Request, rec: queries.PatientRecord) -> dict[str, Any]:
    """What the refill screen's dose-after-the-refill section names: the first drug and
    its unit, whether the running program has a patient bolus to stop, and whether the
    pump is giving nothing now (a restart, where the plan may ask for a lower dose: the
    section is open; on a pump that delivers it is folded away, and a nurse, who cannot
    change the dose, is not told on every refill to ask a physician)."""
    assert rec.program is not None and rec.pump is not None
    running = program_from_json(rec.program.program)
    return {
        "primary": primary_drug(request, rec),
        "has_demand": running.demand_bolus is not None,
        "restart": delivery_stopped(rec) or rec.pump.shown != DELIVERING,
        "fixed_flow": _fixed_flow(request, rec),
    }


def _fixed_flow(request: Request, rec: queries.PatientRecord) -> float | None:
    """A constant-flow pump's fixed mL/day, or None for a programmable pump."""
    model = rec.implant and clinic_of(request).catalogue.get(rec.implant.model_id)
    return model.nominal_rate_ml_day if model and not model.programmable else None


def _refill_drugs(
    request: Request, rec: queries.PatientRecord, form: dict[str, str]
) -> list[dict[str, str]]:
    """The fluid's drugs, with the concentrations as typed (the running ones at first)."""
    drugs = _running(request, rec)["drugs"]
    return [
        {"name": d["name"], "concentration": form.get(f"conc_{i}", d["concentration"])}
        for i, d in enumerate(drugs)
    ]


def physician_records() -> str:
    """Why a role that may plan this refill may not record it, in the table's words."""
    return (f"{holders('programs.commit').capitalize()} records this refill: it changes what "
            "the pump gives (a new concentration or daily dose, or a restart after the pump "
            "gave nothing long enough for tolerance to be lost); "
            f"{holders('refills.record')} may record a refill of the same fluid to a pump "
            "that delivers")  # fmt: skip

@router.post("/patients/{patient_id}/refill/plan")
async def refill_plan(
    patient_id: Id, request: Request, who: Principal = Depends(requires("refills.plan"))
) -> Response:
    form = await form_of(request)
    try:
        rec = record(request, patient_id)
        body = _refill_body(rec, form, _fixed_flow(request, rec))
        session, review = clinic_of(request).therapy.plan_refill(
            who, patient_id, refill_input(body), Signoff(), now(request)
        )
    except InputError as exc:  # each beside its input; the rest where the plan would be
        not_planned = InputError("the refill was not planned", exc.problems)  # its words
        return problems_fragment(request, who, not_planned, _refill_beside(form, exc.problems))
    # said before the work is done: recording it would be refused (the use case's rule)
    physician = session.changes_what_is_given and not allowed("programs.commit", who.role)
    return page(request, "_refill_plan.html", who, plan=session.plan, review=review_view(review),
                form=form, oob_slots=refill_slots(form), oob_errors={},
                physician_records=physician_records() if physician else None)  # fmt: skip


@router.post("/patients/{patient_id}/refill")
async def refill_record(
    patient_id: Id, request: Request, who: Principal = Depends(requires("refills.record"))
) -> Response:
    form = await form_of(request)
    rec = record(request, patient_id)
    clinic = clinic_of(request)
    try:
        body = _refill_body(rec, form, _fixed_flow(request, rec))
        refill_id, _ = clinic.therapy.record_refill(
            who, patient_id, refill_input(body), form_signoff(form), now(request),
            _expected_version(form),
        )  # fmt: skip
    except InputError as exc:  # the form as typed, each problem beside its input
        errors, left, _ = _refill_beside(form, exc.problems)
        return page(
            request, "refill.html", who, 422, rec=rec, drugs=_refill_drugs(request, rec, form),
            **_dose_after(request, rec),
            form=form, estimate=rec.pump.reservoir_estimate_ml if rec.pump else None,
            plan=None, review=None, errors=errors,
            error={"message": "the refill was not recorded", "problems": left, "findings": []},
        )  # fmt: skip
    except Forbidden:  # a nurse's refill that changes the program: the form kept
        return page(
            request, "refill.html", who, 403, rec=rec, drugs=_refill_drugs(request, rec, form),
            **_dose_after(request, rec), form=form,
            estimate=rec.pump.reservoir_estimate_ml if rec.pump else None, plan=None,
            review=None, error={"message": f"the refill was not recorded. {physician_records()}",
                                "problems": [], "findings": []},
        )  # fmt: skip
    except (Refused, Conflict) as exc:
        session, fresh = clinic.therapy.plan_refill(
            who, patient_id, refill_input(body), Signoff(), now(request)
        )
        findings = list(getattr(exc, "findings", ()))
        return page(
            request, "refill.html", who, 409 if isinstance(exc, Conflict) else 422,
            rec=rec, drugs=_refill_drugs(request, rec, form),
            **_dose_after(request, rec), form=form,
            estimate=rec.pump.reservoir_estimate_ml if rec.pump else None,
            plan=session.plan, review=review_view(fresh),
            error={"message": refusal_words(exc, "the refill was not recorded"),
                   "findings": [f.as_dict() for f in findings]},
        )  # fmt: skip
    return RedirectResponse(f"/refills/{refill_id}", status_code=303)


@router.get("/refills/{refill_id}")
def refill_done(
    refill_id: Id, request: Request, who: Principal = Depends(requires("refills.plan"))
) -> Response:
    with request.app.state.db.reads() as db:
        row = db.get(RefillRow, refill_id)
        patient = db.get(Patient, row.patient_id) if row is not None else None
    if row is None:
        raise InputError("no such refill", [Problem("refill_id", f"{refill_id} does not exist")])
    return page(request, "refill_done.html", who, row=row, record=row.record, patient=patient)


@router.post("/refills/{refill_id}/acknowledge")
async def refill_acknowledge(
    refill_id: Id, request: Request, who: Principal = Depends(requires("refills.acknowledge"))
) -> Response:
    form = await form_of(request)
    clinic_of(request).therapy.acknowledge_refill(
        who, refill_id, form.get("code", ""), form.get("reason", ""), now(request)
    )
    return RedirectResponse(f"/refills/{refill_id}", status_code=303)


@router.post("/alarms/{alarm_id}/acknowledge")
async def alarm_acknowledge(
    alarm_id: Id, request: Request, who: Principal = Depends(requires("alarms.acknowledge"))
) -> Response:
    """From the worklist: the alarm acknowledged with what was done; it leaves the list."""
    form = await form_of(request)
    clinic_of(request).care.acknowledge_alarm(who, alarm_id, form.get("reason", ""), now(request))
    return RedirectResponse("/worklist", status_code=303)
