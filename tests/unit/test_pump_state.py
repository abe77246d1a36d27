"""PumpState keeps three derived fields (the strokes at which the estimate reaches
the low alarm and empty, and whether the fluid may be given as a demand bolus);
`changed()` is the one way to change a state and re-derives them whenever what they
derive from changes (issue 27: a missed refresh used to fail silently)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from thecal.core.pump import firmware
from thecal.core.pump.commands import ApplyProgram
from thecal.core.pump.program import DrugConcentration, Program, Step
from thecal.data import drug_library, pump_catalogue

DAY = 86_400.0
SRC = Path(__file__).resolve().parents[2] / "src" / "thecal"


def _pump():
    """peristaltic-20 (0.5 uL strokes) filled with 18 mL, low alarm at 3 mL."""
    drugs = (DrugConcentration("morphine", 10_000.0),)
    program = Program(drugs, (Step(0.0, rate_ml_per_s=0.5 / DAY),), low_reservoir_alarm_ml=3.0)
    model = pump_catalogue().get("peristaltic-20")
    s, _ = firmware.initial_state(model, drug_library(), program, 18.0, None, 0.26)
    return s


def test_a_new_estimate_moves_the_alarm_strokes_without_a_refresh_call():
    s = _pump()
    # 18 mL / 0.0005 mL = 36,000 strokes to empty; (18 - 3) / 0.0005 = 30,000 to the alarm
    assert (s.empty_at_stroke, s.low_at_stroke) == (36_000, 30_000)
    moved = s.changed(estimate_base_ml=10.0, estimate_base_strokes=1_000)
    # 1,000 + 10 / 0.0005 = 21,000; 1,000 + 7 / 0.0005 = 15,000
    assert (moved.empty_at_stroke, moved.low_at_stroke) == (21_000, 15_000)
    assert moved == moved.with_levels()


def test_a_change_of_the_program_moves_the_low_alarm_stroke():
    s = _pump()
    lower = dataclasses.replace(s.program.program, low_reservoir_alarm_ml=4.0)
    after, _ = firmware.step(s, ApplyProgram(lower), 0.0)
    assert after.low_at_stroke == 28_000  # (18 - 4) / 0.0005
    assert after == after.with_levels()


def test_a_change_of_nothing_derived_leaves_the_derived_fields():
    s = _pump()
    biased = s.changed(bias=0.1, occluded=True)
    assert (biased.empty_at_stroke, biased.low_at_stroke, biased.demand_fluid_ok) == (
        s.empty_at_stroke, s.low_at_stroke, s.demand_fluid_ok)  # fmt: skip


def test_no_pump_code_replaces_fields_behind_changed():
    found = []
    for path in [*(SRC / "core" / "pump").glob("*.py"), *(SRC / "adapters" / "pump").glob("*.py")]:
        if path.name == "state.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "_replace":
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
