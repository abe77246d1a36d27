"""The care pathway record as a form (issue 25): what was tried and how it went, the
evaluations, the pain pattern and any trial, written through the same use case as
`PUT /api/patients/{id}/pathway`, which it replaced for a clinician (the record was
JSON only). A refused form comes back as typed, each problem beside its field;
nothing is stored. An answer left "not known yet" is stored as not known, never as no:
the decision then says what is still needed."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from thecal.core.errors import InputError, Problem
from thecal.core.therapy.pathway import OUTCOMES, PATTERNS, TREATMENTS
from thecal.entrypoints.web.guards import Id
from thecal.entrypoints.web.inputs import now
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import requires
from thecal.entrypoints.web.ui import checked_form, field_errors, page, record, refuse
from thecal.services.clinic import Principal, can_see, words

router = APIRouter(include_in_schema=False)

# the record's yes/no answers, each "not known yet" until stated
QUESTIONS = (
    ("surgical_candidate", "Would further spine surgery help?"),
    ("fit_for_surgery", "Fit for the implant operation?"),
    ("psychological_evaluation_favourable", "Psychological evaluation favourable?"),
    ("dependent_on_pain_medication", "Dependent on pain medication?"),
    ("systemic_opioid_reduction_attempted", "Systemic opioid reduction attempted?"),
)
ANSWERS = {"": None, "yes": True, "no": False}
TRIALS = (("scs_trial", "Spinal cord stimulator trial"), ("idds_trial", "Pump trial"))
BLANK_ROWS = 2  # empty treatment rows below those recorded
ROW_FIELDS = ("kind", "start", "end", "outcome")


def _form_of(document: dict[str, Any] | None) -> dict[str, str]:
    """A stored record as the form's fields."""
    d = document or {}
    said = {True: "yes", False: "no"}
    form = {name: said.get(d[name], "") if name in d else "" for name, _ in QUESTIONS}
    form |= {"imaging_done": "yes" if d.get("imaging_done") else "no",
             "cancer": "yes" if d.get("cancer") else "no",
             "pain_pattern": d.get("pain_pattern") or ""}  # fmt: skip
    form |= {name: d.get(name) or "" for name, _ in TRIALS}
    for i, t in enumerate(d.get("treatments", [])):
        # the dates as a date input holds them: the day of what was written
        form |= {f"t{i}_{k}": str(t.get(k) or "")[: 10 if k in ("start", "end") else None]
                 for k in ROW_FIELDS}  # fmt: skip
    return form


def _rows(form: dict[str, str], filled: bool = False) -> int:
    """How many treatment rows the form holds (`filled`: up to the last one with a
    treatment chosen)."""
    typed = [int(m[1]) for k, v in form.items()
             if (m := re.fullmatch(r"t(\d+)_kind", k)) and (v or not filled)]  # fmt: skip
    return max(typed, default=-1) + 1


def _document(form: dict[str, str]) -> tuple[dict[str, Any], list[int], list[Problem]]:
    """The record the form describes, the form row of each treatment kept (empty rows
    are left out), and the problems the form itself shows (a row with a date but
    nothing tried, an answer that is not one offered)."""
    problems: list[Problem] = []
    document: dict[str, Any] = {}
    for name, _ in QUESTIONS:
        value = form.get(name, "")
        if value not in ANSWERS:
            problems.append(Problem(name, "choose yes, no or not known yet"))
        document[name] = ANSWERS.get(value)
    document["imaging_done"] = form.get("imaging_done") == "yes"
    document["cancer"] = form.get("cancer") == "yes"
    document["pain_pattern"] = form.get("pain_pattern") or None
    for name, _ in TRIALS:
        document[name] = form.get(name) or None
    treatments, rows = [], []
    for i in range(_rows(form)):
        row = {k: form.get(f"t{i}_{k}", "").strip() for k in ROW_FIELDS}
        if not row["kind"]:
            if any(row[k] for k in ("start", "end")):
                problems.append(Problem(f"t{i}_kind", "choose what was tried, or clear the row"))
            continue
        treatments.append({"kind": row["kind"], "start": row["start"],
                           "end": row["end"] or None, "outcome": row["outcome"]})  # fmt: skip
        rows.append(i)
    document["treatments"] = treatments
    return document, rows, problems


def _beside(problems: list[Problem] | tuple[Problem, ...], rows: list[int]) -> dict[str, str]:
    """Each problem beside its field: "pathway record.treatments[1].start" is the start
    of the form row that became the second treatment; the rest as every form reads
    them (field_errors)."""

    def field(p: Problem) -> Problem:
        m = re.search(r"treatments\[(\d+)\]\.(\w+)", p.path)
        if m and int(m[1]) < len(rows):
            return Problem(f"t{rows[int(m[1])]}_{m[2]}", p.message)
        return p

    return field_errors([field(p) for p in problems])


def _screen(request: Request, who: Principal, patient_id: int, form: dict[str, str],
            status: int = 200, errors: dict[str, str] | None = None) -> Response:  # fmt: skip
    rec = record(request, patient_id)
    return page(request, "pathway.html", who, status, rec=rec, form=form, errors=errors or {},
                rows=range(max(_rows(form), _rows(form, filled=True) + BLANK_ROWS)),
                questions=QUESTIONS, trials=TRIALS,
                treatments=[(k, words.PATHWAY_TREATMENTS.get(k, k)) for k in TREATMENTS],
                outcomes=[(k, words.PATHWAY_OUTCOMES.get(k, k)) for k in OUTCOMES],
                patterns=[(k, words.PAIN_PATTERNS.get(k, k)) for k in PATTERNS],
                results=list(words.TRIAL_RESULTS.items()))  # fmt: skip


@router.get("/patients/{patient_id}/pathway")
def pathway_form(
    patient_id: Id, request: Request, who: Principal = Depends(requires("pathway.write"))
) -> Response:
    can_see(who, patient_id)
    found = clinic_of(request).pathways.pathway(who, patient_id)
    form = _form_of(found["record"] if found else None)
    if found is None:  # a first record: the pain's kind from the patient's indication
        cancer = record(request, patient_id).patient.indication == "cancer"
        form["cancer"] = "yes" if cancer else "no"
    return _screen(request, who, patient_id, form)


@router.post("/patients/{patient_id}/pathway")
async def pathway_save(
    patient_id: Id, request: Request, who: Principal = Depends(requires("pathway.write"))
) -> Response:
    form, problems = await checked_form(request)
    document, rows, found = _document(form)
    try:
        refuse(problems + found)
        reason = form.get("reason", "")
        clinic_of(request).pathways.record_pathway(who, patient_id, document, reason, now(request))
    except InputError as exc:
        errors = _beside(exc.problems, rows)
        return _screen(request, who, patient_id, form, 422, errors)
    return RedirectResponse(f"/patients/{patient_id}#pathway-card", status_code=303)
