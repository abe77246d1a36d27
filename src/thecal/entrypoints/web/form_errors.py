"""Where on the programming, refill and device screens each problem belongs (issue 25).

A problem's path names the field of the document the screen builds (e.g.
`program.basal.steps[1].dose`, `drugs[0].concentration`), not the input the
clinician typed into: blank table rows are dropped before the document is built, so
step 1 of the program may be row 3 of the form. These functions map each path back
to the input, so the screen shows the problem beside it: at once, for a refused
commit, and through HTMX out-of-band swaps of each field's error slot after Check or
Plan. A problem with no input of its own stays in the box above the form.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from thecal.core.errors import Problem
from thecal.entrypoints.web.field_words import choice_words, length_words, number_words
from thecal.entrypoints.web.inputs import BolusGiveIn, CatheterIn, ImplantIn, RefillIn

STEP_FIELDS = ("start", "value")
PERIODIC_FIELDS = ("at", "amount", "duration")
PROGRAM_INPUTS = {
    "low_reservoir_alarm_ml": "low_ml",
    "basal.cycle_days": "cycle_days",
    "demand_bolus.amount": "demand_amount",
    "demand_bolus.duration": "demand_duration",
    "demand_bolus.lockout": "demand_lockout",
    "demand_bolus.max_per_24h": "demand_max",
}
PROGRAM_SCALARS = ("cycle_days", "low_ml", "demand_amount", "demand_duration",
                   "demand_lockout", "demand_max", "temporary_h")  # fmt: skip
# the input model's own wording, which REFILL_WORDS puts in a clinician's words
MODEL_WORDING = ("Input should", "String should", "Value error")
# words a clinician reads, in place of the input model's own ("Input should be ..."),
# their bounds read from the request body's fields (field_words.py)
REFILL_WORDS = {
    "add_ml": number_words("a volume in mL", RefillIn, "add_ml", example="18"),
    "lot": f"the lot number on the fluid's label, {length_words(RefillIn, 'lot')}",
    "bridge_min": number_words("minutes", RefillIn, "bridge_duration_s", per=60),
}

# the device screen's inputs per form (ids `<form>-<input>`) and the document paths
# whose names differ from the input's (the implant's one-step program, the bolus's
# duration sent in seconds)
DEVICE_INPUTS = {
    "implant": ("model_id", "serial", "catheter_type", "catheter_length_cm",
                "catheter_ul_per_cm", "tip_level", "drug", "concentration", "dose",
                "low_ml", "fill_ml", "lot"),
    "replace": ("model_id", "serial", "fill_ml", "lot"),
    "catheter": ("catheter_length_cm", "catheter_ul_per_cm"),
    "bolus": ("kind", "amount", "duration_min"),
    "explant": (),
}  # fmt: skip
DEVICE_PATHS = {
    "drugs[0].name": "drug",
    "drugs[0].concentration": "concentration",
    "basal.steps[0].dose": "dose",
    "low_reservoir_alarm_ml": "low_ml",
    "duration_s": "duration_min",
    "volume_ml": "amount",  # the programmer bolus: a dose or a volume, sent as mL
}
DEVICE_WORDS = {
    "serial": f"the serial number on the pump's label, {length_words(ImplantIn, 'serial')}",
    "catheter_length_cm": number_words(
        "a length in cm", CatheterIn, "catheter_length_cm", example="90"),
    "catheter_ul_per_cm": number_words(
        "µL per cm from the catheter's label", CatheterIn, "catheter_ul_per_cm"),
    "fill_ml": number_words("a volume in mL", ImplantIn, "fill_ml", example="18"),
    "lot": f"the lot on the fluid's label, {length_words(ImplantIn, 'lot')}",
    "amount": "a dose with its unit, such as 0.5 mg, or "
    + number_words("a volume in mL", BolusGiveIn, "volume_ml", example="0.05 mL"),
    "kind": choice_words(BolusGiveIn, "kind"),
    "duration_min": number_words("minutes", BolusGiveIn, "duration_s", per=60),
}  # fmt: skip

# the stimulation screen's inputs (each id is its name; one of its forms is shown at a
# time) and a clinician's words for what the program reader says of a bad number
SCS_INPUTS = ("stimulator_id", "lead_id", "serial", "baseline_nrs", "nrs", "mode",
              "amplitude_ma", "pulse_width_us", "frequency_hz", "cathodes", "anodes")  # fmt: skip
SCS_WORDS = {
    "amplitude_ma": "milliamperes, 0 or more, such as 4",
    "pulse_width_us": "microseconds, 0 or more, such as 300",
    "frequency_hz": "hertz, 0 or more, such as 50",
    "cathodes": "contact numbers, such as 2 or 2, 3",
    "anodes": "contact numbers, such as 2 or 2, 3; empty: the stimulator's case",
}


def form_rows(form: dict[str, str], prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """A table's rows as typed (`prefix_FIELD_N`, N = 0, 1, ... while any field of row N
    is in the form), blank ones included: the one reading of a form's table."""
    rows: list[dict[str, str]] = []
    while any(f"{prefix}_{f}_{len(rows)}" in form for f in fields):
        rows.append({f: form.get(f"{prefix}_{f}_{len(rows)}", "") for f in fields})
    return rows


def filled_rows(form: dict[str, str], prefix: str, fields: tuple[str, ...]) -> list[int]:
    """The form's row numbers whose every field is filled: the rows the document has,
    in its order."""
    rows = form_rows(form, prefix, fields)
    return [n for n, row in enumerate(rows) if all(v.strip() for v in row.values())]


def program_input(path: str, form: dict[str, str]) -> str | None:
    """The programming screen's input that `path` names, or None."""
    path = path.removeprefix("program.")
    if path in PROGRAM_SCALARS:
        return path
    if path in PROGRAM_INPUTS:
        return PROGRAM_INPUTS[path]
    half = re.fullmatch(r"(step|periodic)_(\d+)", path)  # a half-filled row
    if half:
        return f"step_value_{half[2]}" if half[1] == "step" else f"periodic_amount_{half[2]}"
    row = re.fullmatch(r"(basal\.steps|periodic_boluses)\[(\d+)\]\.(\w+)", path)
    if row is None:
        return None
    steps = row[1] == "basal.steps"
    rows = filled_rows(form, *(("step", STEP_FIELDS) if steps else ("periodic", PERIODIC_FIELDS)))
    k = int(row[2])
    if k >= len(rows):
        return None
    if steps:
        return f"step_{'start' if row[3] == 'start' else 'value'}_{rows[k]}"
    return f"periodic_{row[3]}_{rows[k]}" if row[3] in PERIODIC_FIELDS else None


def program_slots(form: dict[str, str]) -> list[str]:
    """Every input of the programming screen that has an error slot beside it."""
    rows = [
        f"{prefix}_{f}_{n}"
        for prefix, fields in (("step", STEP_FIELDS), ("periodic", PERIODIC_FIELDS))
        for n in range(len(form_rows(form, prefix, fields)))
        for f in fields
    ]
    return [*PROGRAM_SCALARS, *rows]


def refill_input_name(path: str, form: dict[str, str]) -> str | None:
    """The refill screen's input that `path` names, or None."""
    drug = re.search(r"(?:^|\.)drugs\[(\d+)\]", path)  # the fluid's, or a new program's
    if drug:
        return f"conc_{drug[1]}"
    if re.search(r"(?:^|\.)basal\b", path):  # the one step of a dose given with the refill
        return "dose_after"
    last = path.split(".")[-1]
    name = "bridge_min" if last == "bridge_duration_s" else last
    return name if name in refill_slots(form) else None


def refill_slots(form: dict[str, str]) -> list[str]:
    drugs = sum(1 for k in form if re.fullmatch(r"drug_\d+", k))
    return [*(f"conc_{i}" for i in range(drugs)), "bridge_min", "add_ml", "lot", "diluted",
            "dose_after"]  # fmt: skip


def beside(
    problems: tuple[Problem, ...] | list[Problem],
    input_of: Callable[[str], str | None],
    slots: list[str],
    words: dict[str, str] | None = None,
) -> tuple[dict[str, str], list[Problem], list[str]]:
    """The problems under the input each belongs to (`input_of`: path -> input), the
    input model's own wording replaced by `words` where it has the input, the problems
    that belong to no input, and every error slot of the screen."""
    errors: dict[str, str] = {}
    left: list[Problem] = []
    for p in problems:
        name = input_of(p.path)
        if name is None:
            left.append(p)
            continue
        model_said = p.message.startswith(MODEL_WORDING)
        message = (words or {}).get(name, p.message) if model_said else p.message
        if message not in errors.get(name, "").split("; "):
            errors[name] = f"{errors[name]}; {message}" if name in errors else message
    return errors, left, slots



def device_input(action: str, path: str) -> str | None:
    """The device screen's input (`<form>-<input>`) that `path` names, or None. A
    transfer's `continues` program is the form's one program, as is `program`."""
    inner = re.sub(r"^(program|continues)\.", "", path)
    name = DEVICE_PATHS.get(inner, inner)
    return f"{action}-{name}" if name in DEVICE_INPUTS.get(action, ()) else None


def device_slots(action: str) -> list[str]:
    return [f"{action}-{name}" for name in DEVICE_INPUTS.get(action, ())]


def device_words(action: str) -> dict[str, str]:
    return {f"{action}-{name}": words for name, words in DEVICE_WORDS.items()}


def scs_input(path: str, form: dict[str, str]) -> str | None:
    """The stimulation screen's input that `path` names, or None. The program's
    electrodes are the form's cathodes, then its anodes."""
    electrode = re.match(r"electrodes\[(\d+)\]", path)
    if electrode:
        cathodes = [c for c in form.get("cathodes", "").split(",") if c.strip()]
        return "cathodes" if int(electrode[1]) < len(cathodes) else "anodes"
    if path == "electrodes":
        return "cathodes"
    return path if path in scs_slots(form) else None


def scs_slots(form: dict[str, str]) -> list[str]:
    """The stimulation inputs the form being sent has (every input is sent, even empty)."""
    return [name for name in SCS_INPUTS if name in form]
