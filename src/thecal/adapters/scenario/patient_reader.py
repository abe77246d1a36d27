"""Reading a virtual patient file (docs/formats.md) through `VirtualPatientDoc`: every
problem with its path; a missing key (or null) takes the documented default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from thecal.adapters.schema.base import validate
from thecal.adapters.schema.patient import VirtualPatientDoc
from thecal.core.errors import InputError, Problem
from thecal.core.virtual_patient import DemandHabit, VirtualPatient

RENAMED = {"check_interval": "check_interval_s", "awake_from": "awake_from_s",
           "awake_to": "awake_to_s"}  # fmt: skip


def _given(doc: Any) -> dict[str, Any]:
    given = doc.model_dump(exclude_unset=True, exclude_none=True)
    return {RENAMED.get(k, k): v for k, v in given.items()}


def parse_patient(doc: Any) -> VirtualPatient:
    d: VirtualPatientDoc = validate(VirtualPatientDoc, doc, "patient")
    base = VirtualPatient()
    habit = base.habit
    if d.demand is not None:
        habit = DemandHabit(**{**habit.__dict__, **_given(d.demand)})
    values = {k: v for k, v in _given(d).items() if k != "demand"}
    return VirtualPatient(**{**base.__dict__, **values, "habit": habit})


def load_patient(path: str | Path) -> VirtualPatient:
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError("invalid patient", [Problem("(file)", f"not valid JSON: {exc.msg}")]) \
            from None
    except OSError as exc:
        raise InputError(f"cannot read the patient file {path}: {exc.strerror}") from None
    return parse_patient(doc)
