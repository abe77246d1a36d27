"""Reading a virtual patient file (docs/formats.md): every problem with its path.

Every key is optional; a missing key takes the documented default. Unknown keys
are refused, as in scenarios: a typo must not silently change the patient.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from thecal.adapters.scenario.fields import Reader
from thecal.core.errors import InputError, Problem
from thecal.core.units import Kind
from thecal.core.virtual_patient import DemandHabit, VirtualPatient

TOP = ("weight_kg", "tip_to_brainstem_cm", "baseline_nrs", "baseline_ashworth", "sensitivity",
       "demand", "check_interval", "seed")
DEMAND = ("nrs_threshold", "press_probability", "awake_from", "awake_to")


def parse_patient(doc: Any) -> VirtualPatient:
    r = Reader()
    top = r.obj(doc, "", TOP)
    if top is None:
        raise InputError("invalid patient", r.problems)
    base = VirtualPatient()
    values: dict[str, Any] = {}
    for key, minimum in (("weight_kg", 1.0), ("tip_to_brainstem_cm", 0.0),
                         ("baseline_nrs", 0.0), ("baseline_ashworth", 0.0),
                         ("sensitivity", 1e-6)):
        if key in top:
            values[key] = r.number(top[key], key, minimum=minimum)
    for key, limit in (("baseline_nrs", 10.0), ("baseline_ashworth", 4.0)):
        if values.get(key) is not None and values[key] > limit:
            r.add(key, f"{values[key]:g} is above the scale's maximum of {limit:g}")
    if "seed" in top:
        seed = r.number(top["seed"], "seed", minimum=0, integer=True)
        values["seed"] = None if seed is None else int(seed)
    if "check_interval" in top:
        h = r.quantity(top["check_interval"], Kind.DURATION, "check_interval")
        if h is not None and not 60.0 <= h <= 86400.0:
            r.add("check_interval", "expected between 1 min and 1 day")
        values["check_interval_s"] = h
    habit = base.habit
    if "demand" in top:
        d = r.obj(top["demand"], "demand", DEMAND) or {}
        fields: dict[str, Any] = {}
        if "nrs_threshold" in d:
            fields["nrs_threshold"] = r.number(d["nrs_threshold"], "demand.nrs_threshold", 0.0)
        if "press_probability" in d:
            p = r.number(d["press_probability"], "demand.press_probability", 0.0)
            if p is not None and p > 1:
                r.add("demand.press_probability", "expected a probability from 0 to 1")
            fields["press_probability"] = p
        for key in ("awake_from", "awake_to"):
            if key in d:
                fields[f"{key}_s"] = r.clock(d[key], f"demand.{key}")
        habit = DemandHabit(**{**habit.__dict__, **fields})
    if r.problems:
        raise InputError("invalid patient", r.problems)
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
