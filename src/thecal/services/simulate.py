"""Run a scenario through the pump engine and collect what `thecal simulate` prints.

The runner only orders inputs in time and samples the pump at each midnight; every
number comes from the engine's own state. Day d covers (d·86400 s, (d+1)·86400 s]:
events at exactly midnight belong to the day that ends there, like strokes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from thecal.core.drugs import DrugLibrary
from thecal.core.pump import commands as c
from thecal.core.pump import constant_flow, firmware
from thecal.core.pump.constant_flow import FlowState
from thecal.core.pump.events import Event
from thecal.core.pump.path import pad
from thecal.core.pump.state import PumpState
from thecal.core.scenario import Scenario
from thecal.core.units import SECONDS_PER_DAY

State = PumpState | FlowState


class Observer(Protocol):
    """Looks at the pump at its own times and may answer with commands (a patient)."""

    def times(self) -> list[float]: ...

    def observe(self, state: Any, t: float) -> list[c.Command]: ...


@dataclass(frozen=True)
class Snapshot:
    t: float
    strokes: int
    outlet_ml: float
    tip_mcg: tuple[float, ...]
    estimated_ml: float | None
    true_ml: float


@dataclass
class SimulationResult:
    scenario: Scenario
    final: State
    snapshots: list[Snapshot]  # t = 0, then each midnight, then the end
    events: list[dict[str, Any]]

    @property
    def drug_names(self) -> tuple[str, ...]:
        return self.final.drug_names

    def summary(self) -> dict[str, Any]:
        s = self.final
        names = self.drug_names
        tip = pad(s.tip_drug_mcg(), len(names))
        view = _firmware_view(s)
        return {  # in the order of scenario-format.md
            "duration_s": self.scenario.duration_s,
            "strokes": view["strokes"],
            "firmware_volume_ml": view["firmware_volume_ml"],
            "outlet_volume_ml": s.outlet_ml,
            "tip_drug_mcg": dict(zip(names, tip, strict=True)),
            "reservoir_estimated_ml": view["reservoir_estimated_ml"],
            "reservoir_true_ml": s.true_ml,
            "battery_fraction": view["battery_fraction"],
            "state": s.shown,
            "pump_model": self.scenario.model.id,
            "programmable": isinstance(s, PumpState),
        }

    def days(self) -> list[dict[str, Any]]:
        names = self.drug_names
        rows = []
        for d, (a, b) in enumerate(zip(self.snapshots, self.snapshots[1:], strict=False)):
            tip_a, tip_b = pad(a.tip_mcg, len(names)), pad(b.tip_mcg, len(names))
            rows.append(
                {
                    "day": d,
                    "strokes": b.strokes - a.strokes,
                    "outlet_ml": b.outlet_ml - a.outlet_ml,
                    "tip_drug_mcg": {n: y - x for n, x, y in zip(names, tip_a, tip_b, strict=True)},
                    "reservoir_estimated_ml": b.estimated_ml,
                    "reservoir_true_ml": b.true_ml,
                }
            )
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "days": self.days(), "events": self.events}


def _firmware_view(s: State) -> dict[str, Any]:
    """What only a firmware knows; a constant-flow pump has none of it."""
    if isinstance(s, PumpState):
        return {
            "strokes": s.strokes,
            "firmware_volume_ml": s.strokes * s.stroke_ml,
            "reservoir_estimated_ml": s.estimate_ml,
            "battery_fraction": s.battery_fraction,
        }
    return {
        "strokes": 0,
        "firmware_volume_ml": None,
        "reservoir_estimated_ml": None,
        "battery_fraction": None,
    }


def _snapshot(s: State) -> Snapshot:
    if isinstance(s, PumpState):
        return Snapshot(s.t, s.strokes, s.outlet_ml, s.tip_drug_mcg(), s.estimate_ml, s.true_ml)
    return Snapshot(s.t, 0, s.outlet_ml, s.tip_drug_mcg(), None, s.true_ml)


def start_pump(scenario: Scenario, library: DrugLibrary) -> tuple[PumpState, list[Event]]:
    """A programmable pump as the scenario starts it: filled, first program applied."""
    return firmware.initial_state(
        scenario.model,
        library,
        scenario.program,
        scenario.fill_ml,
        scenario.entered_ml,
        scenario.catheter_volume_ml,
        scenario.catheter_initial,
    )


def simulate(
    scenario: Scenario, library: DrugLibrary, observer: Observer | None = None
) -> SimulationResult:
    """Run the scenario; an observer is shown the pump at its times, after that
    instant's strokes and snapshot, and its commands are applied there and then."""
    model = scenario.model
    state: State
    log: list[dict[str, Any]] = []
    if model.programmable:
        state, first = start_pump(scenario, library)
        log.extend(e.as_dict() for e in first)
        step = firmware.step
    else:
        state = constant_flow.initial_flow_state(
            model,
            scenario.program,
            scenario.fill_ml,
            scenario.catheter_volume_ml,
            scenario.catheter_initial,
        )
        step = constant_flow.step  # type: ignore[assignment]
    snapshots = [_snapshot(state)]
    end = scenario.duration_s
    midnights = [d * SECONDS_PER_DAY for d in range(1, math.ceil(end / SECONDS_PER_DAY))] + [end]
    looks = [t for t in observer.times() if 0 < t <= end] if observer else []
    stops = sorted({*midnights, *looks})
    midnight_set, look_set = set(midnights), set(looks)
    next_stop = 0
    tick = c.Tick()

    def stop_at(t: float) -> None:
        nonlocal state
        state, logged = step(state, tick, t)  # type: ignore[arg-type]
        log.extend(e.as_dict() for e in logged)
        if t in midnight_set:
            snapshots.append(_snapshot(state))
        if observer is not None and t in look_set:
            for command in observer.observe(state, t):
                state, logged = step(state, command, t)
                log.extend(e.as_dict() for e in logged)

    # The commands between two stops go to the firmware together, so that a run of
    # demand requests is answered in one pass (firmware.run).
    pending: list[tuple[float, c.Command]] = []

    def flush() -> None:
        nonlocal state
        if model.programmable:
            state, logged = firmware.run(state, pending)  # type: ignore[arg-type]
            log.extend(e.as_dict() for e in logged)
        else:
            for t, command in pending:
                state, logged = step(state, command, t)  # type: ignore[arg-type]
                log.extend(e.as_dict() for e in logged)
        pending.clear()

    for timed in scenario.events:
        while next_stop < len(stops) and stops[next_stop] < timed.t_s:
            flush()
            stop_at(stops[next_stop])
            next_stop += 1
        pending.append((timed.t_s, timed.command))
    flush()
    while next_stop < len(stops):
        stop_at(stops[next_stop])
        next_stop += 1
    return SimulationResult(scenario, state, snapshots, log)
