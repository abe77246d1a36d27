"""A scenario file (scenario-format.md) -> a validated `Scenario`, or every problem.

Unknown keys are errors, not ignored: a typo must not silently change a therapy.
Every program in the file is validated by the core's own rules before anything
is simulated, so a scenario that loads is one the pump would accept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from thecal.adapters.scenario.fields import Reader
from thecal.adapters.scenario.program_reader import read_amount, read_drugs, read_program
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import CatalogueError, InputError, Problem
from thecal.core.pump import commands as c
from thecal.core.pump.models import NUMERIC_FIELDS, PumpCatalogue, PumpModel
from thecal.core.pump.program import validate_program
from thecal.core.scenario import Scenario, TimedCommand
from thecal.core.therapy.catheter import DEFAULT_UL_PER_CM
from thecal.core.units import Kind

TOP_KEYS = ("pump", "catheter", "reservoir", "duration", "program", "events")
EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "demand_request": ("id",),
    "program": ("program",),
    "refill": ("add_ml", "drugs", "entered_ml", "pocket_fill_ml"),
    "bolus": ("kind", "amount", "duration"),
    "suspend": (),
    "resume": (),
    "fault": ("fault", "value"),
    "mri": ("duration", "recovery"),
    "valve_reset": (),
    "environment": ("body_temp_c", "ambient_kpa"),
}
REQUIRED_EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "demand_request": ("id",),
    "program": ("program",),
    "refill": ("add_ml", "drugs"),
    "bolus": ("kind", "amount", "duration"),
    "fault": ("fault",),
    "mri": ("duration",),
}
# A plausibility floor for the constant-flow physics, not a clinical limit: a body
# temperature below it is a typing slip, not a patient.
BODY_TEMP_FLOOR_C = 25.0
FIRMWARE_ONLY = ("demand_request", "program", "bolus", "suspend", "resume", "valve_reset")


def _model(r: Reader, value: Any, catalogue: PumpCatalogue) -> PumpModel | None:
    obj = r.obj(value, "pump", ("model", "overrides"), ("model",))
    if obj is None or "model" not in obj:
        return None
    model = catalogue.get(obj["model"]) if isinstance(obj["model"], str) else None
    if model is None:
        r.add(
            "pump.model",
            f"{obj['model']!r} is not in the catalogue; accepted: {', '.join(catalogue.models)}",
        )
        return None
    overrides = obj.get("overrides", {})
    if not isinstance(overrides, dict):
        r.add("pump.overrides", "expected a JSON object of catalogue fields")
        return model
    numbers = {}
    for key, v in overrides.items():
        if key not in NUMERIC_FIELDS:
            r.add(
                f"pump.overrides.{key}",
                f"not a numeric catalogue field; accepted: {', '.join(NUMERIC_FIELDS)}",
            )
        elif (n := r.number(v, f"pump.overrides.{key}", minimum=0)) is not None:
            numbers[key] = n
    try:
        return model.with_overrides(numbers)
    except CatalogueError as exc:
        r.add("pump.overrides", str(exc))
        return model


def _command(
    r: Reader, kind: str, obj: Mapping[str, Any], p: str, model: PumpModel
) -> c.Command | None:
    if kind in FIRMWARE_ONLY and not model.programmable:
        r.add(f"{p}.type", f"'{kind}' needs a programmable pump; {model.id} is constant-flow")
        return None
    if kind == "demand_request":
        rid = r.text(obj["id"], f"{p}.id")
        return c.DemandRequest(rid) if rid is not None else None
    if kind == "program":
        return None  # read by the caller, which validates it against the pump
    if kind == "refill":
        add = r.volume(obj["add_ml"], f"{p}.add_ml")
        drugs = read_drugs(r, obj["drugs"], f"{p}.drugs")
        entered = r.volume(obj["entered_ml"], f"{p}.entered_ml") if "entered_ml" in obj else None
        pocket = r.volume(obj.get("pocket_fill_ml", 0.0), f"{p}.pocket_fill_ml")
        if add is None or pocket is None or ("entered_ml" in obj and entered is None):
            return None
        bad = False
        if add < 0:
            r.add(f"{p}.add_ml", "must not be negative")
            bad = True
        if not 0 <= pocket <= add:
            r.add(f"{p}.pocket_fill_ml", f"must be 0 to add_ml ({add:g} mL)")
            bad = True
        if entered is not None and not 0 <= entered <= model.capacity_ml:
            r.add(f"{p}.entered_ml", f"must be 0 to the capacity of {model.capacity_ml:g} mL")
            bad = True
        return None if bad else c.Refill(add, drugs, entered, pocket)
    if kind == "bolus":
        bolus_kind = r.text(obj["kind"], f"{p}.kind", c.PROGRAMMER_BOLUS_KINDS)
        amount = read_amount(r, obj["amount"], f"{p}.amount")
        duration = r.quantity(obj["duration"], Kind.DURATION, f"{p}.duration")
        if duration is not None and duration <= 0:
            r.add(f"{p}.duration", "must be greater than 0")
            return None
        if bolus_kind is None or amount is None or duration is None:
            return None
        return c.StartBolus(bolus_kind, amount, duration)
    if kind == "fault":
        fault = r.text(obj["fault"], f"{p}.fault", c.FAULTS)
        if fault in ("stall", "stall_cleared") and not model.programmable:
            r.add(f"{p}.fault", f"a constant-flow pump has no motor to stall ({model.id})")
            return None
        value = 0.0
        if fault == "bias":
            if "value" not in obj:
                r.add(f"{p}.value", "is required for a bias: a fraction >= -1, e.g. 0.2")
                return None
            v = r.number(obj["value"], f"{p}.value", minimum=-1.0)
            if v is None:
                return None
            value = v
        elif "value" in obj:
            r.add(f"{p}.value", "only a bias takes a value")
        return c.Fault(fault, value) if fault is not None else None
    if kind == "mri":
        duration = r.quantity(obj["duration"], Kind.DURATION, f"{p}.duration")
        recovery = r.quantity(obj.get("recovery", "0 s"), Kind.DURATION, f"{p}.recovery")
        if duration is None or recovery is None:
            return None
        if duration < 0 or recovery < 0:
            r.add(p, "duration and recovery must not be negative")
            return None
        return c.MriExposure(duration, recovery)
    if kind == "environment":
        temp = (
            r.number(obj["body_temp_c"], f"{p}.body_temp_c", minimum=BODY_TEMP_FLOOR_C)
            if "body_temp_c" in obj
            else None
        )
        kpa = (
            r.number(obj["ambient_kpa"], f"{p}.ambient_kpa", minimum=0)
            if "ambient_kpa" in obj
            else None
        )
        return c.Environment(temp, kpa)
    simple: dict[str, c.Command] = {
        "suspend": c.Suspend(),
        "resume": c.Resume(),
        "valve_reset": c.ValveReset(),
    }
    return simple[kind]


def _events(
    r: Reader, value: Any, model: PumpModel, library: DrugLibrary, duration: float | None
) -> list[TimedCommand]:
    out = []
    for i, item in enumerate(r.items(value, "events")):
        p = f"events[{i}]"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("type"), str)
            or item["type"] not in EVENT_KEYS
        ):
            r.add(f"{p}.type", f"expected one of: {', '.join(EVENT_KEYS)}")
            continue
        kind = item["type"]
        obj = r.obj(
            item, p, ("t", "type", *EVENT_KEYS[kind]), ("t", *REQUIRED_EVENT_KEYS.get(kind, ()))
        )
        if obj is None or not {"t", *REQUIRED_EVENT_KEYS.get(kind, ())} <= set(obj):
            continue
        t = r.clock(obj["t"], f"{p}.t", allow_seconds=True)
        if t is not None and duration is not None and t > duration:
            r.add(f"{p}.t", f"{t:g} s is after the scenario's duration of {duration:g} s")
        if kind == "program" and model.programmable:
            program = read_program(r, obj["program"], f"{p}.program")
            if program is not None:
                r.prefixed(f"{p}.program", validate_program(program, model, library))
                command: c.Command | None = c.ApplyProgram(program)
            else:
                command = None
        else:
            command = _command(r, kind, obj, p, model)
        if t is not None and command is not None:
            out.append(TimedCommand(t, i, command))
    return sorted(out, key=lambda e: e.t_s)  # stable: ties keep file order


def parse_scenario(doc: Any, catalogue: PumpCatalogue, library: DrugLibrary) -> Scenario:
    r = Reader()
    top = r.obj(doc, "", TOP_KEYS, ("pump", "catheter", "duration", "program"))
    if top is None:
        raise InputError("invalid scenario", r.problems)
    model = _model(r, top["pump"], catalogue) if "pump" in top else None
    length = ul = None
    initial = "drug"
    if "catheter" in top:
        cat = r.obj(
            top["catheter"], "catheter", ("length_cm", "ul_per_cm", "initial"), ("length_cm",)
        )
        if cat is not None and "length_cm" in cat:
            length = r.number(cat["length_cm"], "catheter.length_cm", minimum=0)
            ul = r.number(cat.get("ul_per_cm", DEFAULT_UL_PER_CM), "catheter.ul_per_cm", minimum=0)
            initial = (
                r.text(cat.get("initial", "drug"), "catheter.initial", ("drug", "saline")) or "drug"
            )
    duration = r.quantity(top["duration"], Kind.DURATION, "duration") if "duration" in top else None
    if duration is not None and duration <= 0:
        r.add("duration", "must be greater than 0")
    fill = entered = None
    if model is not None:
        res = r.obj(top.get("reservoir", {}), "reservoir", ("fill_ml", "entered_ml"))
        res = res or {}
        fill = r.volume(res.get("fill_ml", model.capacity_ml), "reservoir.fill_ml")
        entered = (
            r.volume(res["entered_ml"], "reservoir.entered_ml") if "entered_ml" in res else None
        )
        for name, v in (("fill_ml", fill), ("entered_ml", entered)):
            if v is not None and not 0 <= v <= model.capacity_ml:
                r.add(
                    f"reservoir.{name}",
                    f"{v:g} mL is outside 0 to the {model.id} capacity of {model.capacity_ml:g} mL",
                )
    program = None
    if "program" in top and model is not None:
        program = read_program(r, top["program"], "program", needs_basal=model.programmable)
        if program is not None:
            r.prefixed("program", validate_program(program, model, library))
    events = (
        _events(r, top.get("events", []), model, library, duration) if model is not None else []
    )
    if (
        r.problems
        or model is None
        or program is None
        or duration is None
        or fill is None
        or length is None
        or ul is None
    ):
        raise InputError("invalid scenario", r.problems or [])
    return Scenario(model, length, ul, initial, fill, entered, duration, program, tuple(events))


def load(path: str | Path, catalogue: PumpCatalogue, library: DrugLibrary) -> Scenario:
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError("invalid scenario", [_json_problem(exc)]) from None
    except OSError as exc:
        raise InputError(f"cannot read the scenario file {path}: {exc.strerror}") from None
    return parse_scenario(doc, catalogue, library)


def _json_problem(exc: json.JSONDecodeError) -> Problem:
    return Problem("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
