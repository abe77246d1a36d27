"""Issue 22 item 3: there is no side door to a pump. Found from the code, not listed by
hand: every call in src/ that can change what a pump holds or delivers (a firmware
command built, a program applied, a bolus started, a pump commissioned or removed, a
session committed, a fault injected) must be the pump itself, the simulator, or - in
the clinic - reached only from a use case registered as a gate route, which itself
authorizes, signs and audits. A new route that changes a pump without the gate, or a
new module that builds pump commands, fails here with its file and line."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.services.world import Clinicians
from thecal.services.clinic.base import ClinicBase
from thecal.services.clinic.gate import THERAPY_CHANGES

SRC = Path(__file__).resolve().parents[2] / "src" / "thecal"
CLINIC = SRC / "services" / "clinic"

# what changes a pump: firmware commands and the port's writes
COMMANDS = {"ApplyProgram", "StartBolus", "Refill", "Suspend", "Resume", "ValveReset"}
WRITES = {"apply_program", "start_bolus", "commission", "initial_state", "initial_flow_state",
          "inject", "refill"}  # fmt: skip
# the clinic reaches a pump only through a session's commit or its pump repository
CLINIC_WRITES = {"commission", "remove", "inject", "revise", "end"}

# where pump commands may be built and sent without the clinic's gate: the pump and its
# emulators, its wire protocol, the programmer sessions the gate drives, the simulator
# and scenario files (a simulated pump, never a patient's)
OUTSIDE_THE_CLINIC = (
    "core/pump/", "core/population/", "core/scenario.py", "core/virtual_patient.py",
    "adapters/pump/", "adapters/telemetry/", "adapters/scenario/", "adapters/schema/",
    "adapters/db/pumps.py", "adapters/population_worker.py",
    "services/programmer.py", "services/refill.py", "services/simulate.py",
    "services/virtual_patient.py", "services/study/", "services/mri.py",
    "entrypoints/cli/emulator.py", "entrypoints/emulator/",
    # the standalone programmer's own emulated pump, described in the session file and
    # living only in that process; its program still goes through the session
    "entrypoints/cli/session.py",
    # a bench pump measured for its accuracy curves (SR-17), never a patient's
    "services/accuracy.py",
)  # fmt: skip
EMULATOR_ONLY = {"inject_fault"}  # hardware truth for tests and the demo (docs/clinic.md)


def _called(node: ast.Call) -> str | None:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _writes_outside(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = _called(node)
            is_command = name in COMMANDS and isinstance(node.func, ast.Attribute | ast.Name)
            if name in WRITES or is_command:
                out.append(f"{path.relative_to(SRC)}:{node.lineno} {name}")
    return out


def test_nothing_outside_the_pump_the_simulator_and_the_clinic_writes_to_a_pump():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = str(path.relative_to(SRC))
        if rel.startswith(OUTSIDE_THE_CLINIC) or path.is_relative_to(CLINIC):
            continue
        found += _writes_outside(path)
    assert found == [], "pump writes outside the gate:\n" + "\n".join(found)


def _methods() -> dict[str, ast.FunctionDef]:
    out = {}
    for path in sorted(CLINIC.glob("*.py")):
        for cls in ast.walk(ast.parse(path.read_text())):
            if isinstance(cls, ast.ClassDef):
                for fn in cls.body:
                    if isinstance(fn, ast.FunctionDef):
                        out[fn.name] = fn
    return out


def _writes_in(fn: ast.FunctionDef) -> list[str]:
    """Pump writes made right here: a repository write, a fault, or a session's commit
    (`commit(now_s)`: the unit of work's own commit takes no argument)."""
    out = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            name = _called(node)
            if name in CLINIC_WRITES or (name == "commit" and node.args):
                out.append(f"{fn.name}:{node.lineno} {name}")
    return out


def _callers(methods: dict[str, ast.FunctionDef]) -> dict[str, set[str]]:
    callers: dict[str, set[str]] = defaultdict(set)
    for name, fn in methods.items():
        for node in ast.walk(fn):
            is_self = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if is_self and node.value.id == "self" and node.attr in methods:  # type: ignore[union-attr]
                callers[node.attr].add(name)  # type: ignore[union-attr]
    return callers


def _public_callers(name: str, callers: dict[str, set[str]], seen: set[str]) -> set[str]:
    if not name.startswith("_"):
        return {name}
    out: set[str] = set()
    for c in callers.get(name, ()):
        if c not in seen:
            out |= _public_callers(c, callers, seen | {c})
    return out


def test_in_the_clinic_only_gate_routes_write_to_a_pump():
    methods = _methods()
    callers = _callers(methods)
    writers = {name for name, fn in methods.items() if _writes_in(fn)}
    assert writers, "the scan found no pump write at all: it is not looking"
    reached_from = set().union(*(_public_callers(w, callers, {w}) for w in writers))
    side_doors = reached_from - set(THERAPY_CHANGES) - EMULATOR_ONLY
    assert side_doors == set(), f"use cases writing to a pump outside the gate: {side_doors}"


def _calls(name: str, methods: dict[str, ast.FunctionDef], seen: set[str]) -> set[str]:
    """Every name called from `name`, following the class's own helpers."""
    out: set[str] = set()
    for node in ast.walk(methods[name]):
        if isinstance(node, ast.Call) and (called := _called(node)) is not None:
            out.add(called)
            if called in methods and called not in seen:
                out |= _calls(called, methods, seen | {called})
    return out


def test_every_gate_route_authorizes_signs_and_audits():
    methods = _methods()
    clinic = Clinicians().clinic
    use_cases = [part for part in vars(clinic).values() if isinstance(part, ClinicBase)]
    for route in THERAPY_CHANGES:
        assert any(hasattr(part, route) for part in use_cases), route
        calls = _calls(route, methods, {route})
        missing = {"authorize", "_second_person", "sign", "append"} - calls
        assert missing == set(), f"{route} does not call {missing}"
        # why, for the audit trail: a reason, or for a refill the fluid's lot number
        assert "need_reason" in calls or route == "record_refill", route
        assert "require_clear" in calls or "commit" in calls, route


def test_the_registered_routes_are_the_ones_expected_today():
    """A change to the list is deliberate: the drivers in test_gate.py must cover it."""
    assert set(THERAPY_CHANGES) == {
        "implant", "replace_pump", "explant", "revise_catheter", "commit_program",
        "give_bolus", "record_refill",
    }  # fmt: skip
