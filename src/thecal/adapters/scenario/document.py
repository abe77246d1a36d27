"""A scenario file (scenario-format.md) -> a validated `Scenario`, or every problem.

Two passes, both always run, their problems reported together:
1. the file against `ScenarioDoc` (pydantic): its shape, units, unknown keys (errors,
   not ignored: a typo must not silently change a therapy) and every check within
   one object;
2. each part that passed, against the pump it names: capacity, what a constant-flow
   pump cannot do, event times within the duration, and the core's own program
   rules, so a scenario that loads is one the pump would accept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from thecal.adapters.schema import scenario as s
from thecal.adapters.schema.base import adapter, part, problems_from
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import CatalogueError, InputError, Problem
from thecal.core.pump import commands as c
from thecal.core.pump.models import NUMERIC_FIELDS, PumpCatalogue, PumpModel
from thecal.core.pump.program import validate_program
from thecal.core.scenario import Scenario, TimedCommand
from thecal.core.therapy.catheter import catheter_ul_per_cm

FIRMWARE_ONLY = ("demand_request", "program", "bolus", "suspend", "resume", "valve_reset")


def _model(pump: s.PumpDoc, catalogue: PumpCatalogue, out: list[Problem]) -> PumpModel | None:
    model = catalogue.get(pump.model)
    if model is None:
        out.append(Problem("pump.model", f"{pump.model!r} is not in the catalogue; accepted: "
                                         f"{', '.join(catalogue.models)}"))  # fmt: skip
        return None
    unknown = [k for k in pump.overrides if k not in NUMERIC_FIELDS]
    for key in unknown:
        out.append(Problem(f"pump.overrides.{key}", "not a numeric catalogue field; accepted: "
                                                    f"{', '.join(NUMERIC_FIELDS)}"))  # fmt: skip
    try:
        return model.with_overrides({k: v for k, v in pump.overrides.items() if k not in unknown})
    except CatalogueError as exc:
        out.append(Problem("pump.overrides", str(exc)))
        return model


def _prefixed(prefix: str, problems: list[Problem]) -> list[Problem]:
    return [Problem(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in problems]


def _command(e: Any, p: str, model: PumpModel, library: DrugLibrary,
             out: list[Problem]) -> c.Command | None:  # fmt: skip
    """The event as a firmware command, or None with its problems against this pump."""
    if e.type in FIRMWARE_ONLY and not model.programmable:
        out.append(Problem(f"{p}.type", f"'{e.type}' needs a programmable pump; {model.id} is "
                                        "constant-flow"))  # fmt: skip
        return None
    if isinstance(e, s.ProgramEvent):
        program = e.program.core()
        found = validate_program(program, model, library)
        if e.program.basal is None:
            found = [Problem("basal", "is required"), *found]
        out.extend(_prefixed(f"{p}.program", found))
        return None if found else c.ApplyProgram(program)
    if isinstance(e, s.RefillEvent):
        if e.entered_ml is not None and not 0 <= e.entered_ml <= model.capacity_ml:
            out.append(Problem(f"{p}.entered_ml",
                               f"must be 0 to the capacity of {model.capacity_ml:g} mL"))
            return None
        drugs = tuple(d.core() for d in e.drugs)
        return c.Refill(e.add_ml, drugs, e.entered_ml, e.pocket_fill_ml)
    if isinstance(e, s.FaultEvent):
        if e.fault in ("stall", "stall_cleared") and not model.programmable:
            out.append(Problem(f"{p}.fault",
                               f"a constant-flow pump has no motor to stall ({model.id})"))
            return None
        return c.Fault(e.fault, e.value if e.value is not None else 0.0)
    simple: dict[type, Any] = {
        s.DemandRequestEvent: lambda: c.DemandRequest(e.id),
        s.BolusEvent: lambda: c.StartBolus(e.kind, e.amount, e.duration),
        s.MriEvent: lambda: c.MriExposure(e.duration, e.recovery),
        s.EnvironmentEvent: lambda: c.Environment(e.body_temp_c, e.ambient_kpa),
        s.SuspendEvent: c.Suspend,
        s.ResumeEvent: c.Resume,
        s.ValveResetEvent: c.ValveReset,
    }
    return simple[type(e)]()  # type: ignore[no-any-return]


def _parts(doc: Any) -> tuple[Any, ...]:
    """Every part of a document that failed as a whole, each on its own."""
    top = doc if isinstance(doc, Mapping) else {}
    fields = s.ScenarioDoc.model_fields
    pieces = [part(fields[k].rebuild_annotation(), top[k]) if k in top else None
              for k in ("pump", "catheter", "reservoir", "duration", "program")]  # fmt: skip
    if "reservoir" not in top:
        pieces[2] = s.ReservoirDoc()
    raw = top.get("events", [])
    events = [part(s.Event, e) for e in raw] if isinstance(raw, list) else []
    duration = pieces[3] if isinstance(pieces[3], float) and pieces[3] > 0 else None
    return (*pieces[:3], duration, pieces[4], events)


def parse_scenario(doc: Any, catalogue: PumpCatalogue, library: DrugLibrary) -> Scenario:
    out: list[Problem] = []
    try:
        whole = adapter(s.ScenarioDoc).validate_python(doc)
        parts = (whole.pump, whole.catheter, whole.reservoir, whole.duration, whole.program,
                 list(whole.events))  # fmt: skip
    except ValidationError as exc:
        out.extend(problems_from(exc, s.ScenarioDoc))
        parts = _parts(doc)
    pump, catheter, reservoir, duration, program_doc, events = parts
    model = _model(pump, catalogue, out) if pump is not None else None
    if model is None:
        raise InputError("invalid scenario", out)
    fill = entered = None
    if reservoir is not None:
        fill = reservoir.fill_ml if reservoir.fill_ml is not None else model.capacity_ml
        entered = reservoir.entered_ml
        for name, v in (("fill_ml", fill), ("entered_ml", entered)):
            if v is not None and not 0 <= v <= model.capacity_ml:
                out.append(Problem(f"reservoir.{name}", f"{v:g} mL is outside 0 to the "
                                   f"{model.id} capacity of {model.capacity_ml:g} mL"))  # fmt: skip
    program = None
    if program_doc is not None:
        program = program_doc.core()
        found = validate_program(program, model, library)
        if program_doc.basal is None and model.programmable:
            found = [Problem("basal", "is required"), *found]
        out.extend(_prefixed("program", found))
    timed = []
    for i, e in enumerate(events):
        if e is None:
            continue
        if duration is not None and e.t > duration:
            out.append(Problem(f"events[{i}].t",
                               f"{e.t:g} s is after the scenario's duration of {duration:g} s"))
        command = _command(e, f"events[{i}]", model, library, out)
        if command is not None:
            timed.append(TimedCommand(e.t, i, command))
    if out or program is None or duration is None or catheter is None or fill is None:
        raise InputError("invalid scenario", out)
    ul_per_cm = catheter_ul_per_cm(model, catheter.ul_per_cm)
    return Scenario(model, catheter.length_cm, ul_per_cm, catheter.initial, fill,
                    entered, duration, program,
                    tuple(sorted(timed, key=lambda e: e.t_s)))  # stable: ties keep file order


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
