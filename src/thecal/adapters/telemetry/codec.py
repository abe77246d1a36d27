"""What crosses the link, as JSON: the pump's commands and its interrogation.

Floats go through JSON's `repr`, so a program sent is bit-for-bit the program
received (its digest is the read-back check). Every argument is checked here, on
the pump's side, before the command is journalled: a malformed request is refused
with the field it got wrong and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from thecal.adapters.pump.program_codec import program_from_json, program_to_json
from thecal.core.errors import InputError, Problem
from thecal.core.pump import commands as c
from thecal.core.pump.program import Amount, DrugConcentration, Program
from thecal.services.ports import Interrogation

# writes are journalled and answered once per command id; reads change nothing
WRITE_OPS = (
    "open",
    "commission",
    "apply_program",
    "start_bolus",
    "demand",
    "refill",
    "suspend",
    "resume",
    "valve_reset",
    "silence_alarm",
    "acknowledge_alarm",
    "self_test",
    "inject",
)
READ_OPS = ("ping", "interrogate", "close")
INJECTABLE = ("fault", "mri", "environment")


def _number(args: Mapping[str, Any], name: str, optional: bool = False) -> float | None:
    value = args.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError("bad request", [Problem(f"args.{name}", "expected a number")])
    return float(value)


def _text(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise InputError("bad request", [Problem(f"args.{name}", "expected a non-empty string")])
    return value


def drugs_to_json(drugs: tuple[DrugConcentration, ...]) -> list[dict[str, Any]]:
    return [asdict(d) for d in drugs]


def drugs_from_json(value: Any) -> tuple[DrugConcentration, ...]:
    if not isinstance(value, list):
        raise InputError("bad request", [Problem("args.drugs", "expected a list")])
    out = []
    for i, d in enumerate(value):
        if not isinstance(d, dict):
            raise InputError("bad request", [Problem(f"args.drugs[{i}]", "expected an object")])
        conc = _number(d, "concentration_mcg_per_ml")
        assert conc is not None
        out.append(DrugConcentration(_text(d, "name"), conc))
    return tuple(out)


CATHETER_INITIAL = ("drug", "saline")


def commission_from_json(args: Mapping[str, Any]) -> tuple[Program, float, float, str]:
    """The implant's first program, fill volume, catheter volume and catheter content."""
    try:
        program = program_from_json(dict(args["program"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError("bad request", [Problem("args.program", f"malformed: {exc}")]) from exc
    fill, catheter = _number(args, "fill_ml"), _number(args, "catheter_volume_ml")
    assert fill is not None and catheter is not None
    initial = args.get("catheter_initial", "drug")
    if initial not in CATHETER_INITIAL:
        raise InputError(
            "bad request", [Problem("args.catheter_initial", f"one of {CATHETER_INITIAL}")]
        )
    return program, fill, catheter, str(initial)


def command_from_json(op: str, args: Mapping[str, Any]) -> c.Command:
    """The firmware command a write op stands for ("open" is a telemetry session)."""
    if op == "open":
        return c.TelemetrySession()
    if op == "apply_program":
        try:
            digest = args.get("library_digest")
            if digest is not None and not isinstance(digest, str):
                raise TypeError("library_digest must be text")
            program = program_from_json(dict(args["program"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError("bad request", [Problem("args.program", f"malformed: {exc}")]) from exc
        return c.ApplyProgram(program, digest, _number(args, "temporary_s", optional=True))
    if op == "silence_alarm":
        duration = _number(args, "duration_s")
        assert duration is not None
        return c.SilenceAlarm(_text(args, "code"), duration)
    if op == "acknowledge_alarm":
        return c.AcknowledgeAlarm(_text(args, "code"))
    if op == "self_test":
        return c.SelfTest()
    if op == "start_bolus":
        volume, duration = _number(args, "volume_ml"), _number(args, "duration_s")
        assert volume is not None and duration is not None
        return c.StartBolus(_text(args, "kind"), Amount(ml=volume), duration)
    if op == "demand":
        return c.DemandRequest(_text(args, "request_id"))
    if op == "refill":
        add = _number(args, "add_ml")
        assert add is not None
        return c.Refill(
            add,
            drugs_from_json(args.get("drugs")),
            _number(args, "entered_ml", optional=True),
            _number(args, "pocket_fill_ml", optional=True) or 0.0,
        )
    if op == "suspend":
        return c.Suspend()
    if op == "resume":
        return c.Resume()
    if op == "valve_reset":
        return c.ValveReset()
    if op == "inject":
        return _injected(args)
    raise InputError("bad request", [Problem("op", f"'{op}' is not a pump command")])


def _injected(args: Mapping[str, Any]) -> c.Command:
    kind = args.get("kind")
    if kind == "fault":
        return c.Fault(_text(args, "fault"), _number(args, "value", optional=True) or 0.0)
    if kind == "mri":
        duration = _number(args, "duration_s")
        assert duration is not None
        return c.MriExposure(duration, _number(args, "recovery_s", optional=True) or 0.0)
    if kind == "environment":
        return c.Environment(
            _number(args, "body_temp_c", optional=True), _number(args, "ambient_kpa", optional=True)
        )
    raise InputError("bad request", [Problem("args.kind", f"one of {', '.join(INJECTABLE)}")])


def command_to_json(command: c.Command) -> dict[str, Any]:
    """The arguments of the op that carries `command` (the inverse of command_from_json)."""
    if isinstance(command, c.ApplyProgram):
        return {
            "program": program_to_json(command.program),
            "library_digest": command.library_digest,
            "temporary_s": command.temporary_s,
        }
    if isinstance(command, c.SilenceAlarm):
        return {"code": command.code, "duration_s": command.duration_s}
    if isinstance(command, c.AcknowledgeAlarm):
        return {"code": command.code}
    if isinstance(command, c.StartBolus):
        return {
            "kind": command.kind,
            "volume_ml": command.amount.volume_ml(0.0),
            "duration_s": command.duration_s,
        }
    if isinstance(command, c.DemandRequest):
        return {"request_id": command.id}
    if isinstance(command, c.Refill):
        return {
            "add_ml": command.add_ml,
            "drugs": drugs_to_json(command.drugs),
            "entered_ml": command.entered_ml,
            "pocket_fill_ml": command.pocket_fill_ml,
        }
    if isinstance(command, c.Fault):
        return {"kind": "fault", "fault": command.fault, "value": command.value}
    if isinstance(command, c.MriExposure):
        return {"kind": "mri", "duration_s": command.duration_s, "recovery_s": command.recovery_s}
    if isinstance(command, c.Environment):
        return {
            "kind": "environment",
            "body_temp_c": command.body_temp_c,
            "ambient_kpa": command.ambient_kpa,
        }
    return {}


OPS_OF = {
    c.ApplyProgram: "apply_program",
    c.StartBolus: "start_bolus",
    c.DemandRequest: "demand",
    c.Refill: "refill",
    c.Suspend: "suspend",
    c.Resume: "resume",
    c.ValveReset: "valve_reset",
    c.SilenceAlarm: "silence_alarm",
    c.AcknowledgeAlarm: "acknowledge_alarm",
    c.SelfTest: "self_test",
    c.Fault: "inject",
    c.MriExposure: "inject",
    c.Environment: "inject",
}


def interrogation_to_json(i: Interrogation) -> dict[str, Any]:
    out = asdict(i)
    out["program"] = program_to_json(i.program) if i.program is not None else None
    out["active_alarms"] = list(i.active_alarms)
    out["base_program"] = program_to_json(i.base_program) if i.base_program is not None else None
    return out


def interrogation_from_json(d: Mapping[str, Any]) -> Interrogation:
    program = d.get("program")
    return Interrogation(
        at_s=d["at_s"],
        model_id=d["model_id"],
        program=program_from_json(program) if program is not None else None,
        program_digest=d["program_digest"],
        reservoir_estimate_ml=d["reservoir_estimate_ml"],
        state=d["state"],
        active_alarms=tuple(d["active_alarms"]),
        elective_replacement=d["elective_replacement"],
        battery_fraction=d["battery_fraction"],
        days_to_end_of_service=d["days_to_end_of_service"],
        lockout_remaining_s=d["lockout_remaining_s"],
        temporary_until_s=d.get("temporary_until_s"),
        alarm_onsets=tuple((str(c), float(t)) for c, t in d.get("alarm_onsets") or ()),
        delivery_stopped_since_s=d.get("delivery_stopped_since_s"),
        alarm_priorities=tuple((str(c), str(p)) for c, p in d.get("alarm_priorities") or ()),
        base_program=program_from_json(base) if (base := d.get("base_program")) else None,
        alarm_silences=tuple((str(c), float(t)) for c, t in d.get("alarm_silences") or ()),
        alarm_acknowledged=tuple(
            (str(c), float(t)) for c, t in d.get("alarm_acknowledged") or ()
        ),
    )
