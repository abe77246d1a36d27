"""pump-behaviour.md §12: the six invariants, over random programs and event streams.

A Hypothesis state machine drives the firmware with random commands at random
times and checks, after every step, each invariant against bookkeeping kept here
independently of the engine (what was added, withdrawn, pocket-filled; which
programs were accepted; what left the reservoir at which concentration).
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.conftest import physics_library
from tests.property.strategies import DAY, commands, programs
from thecal.core.pump import commands as c
from thecal.core.pump.firmware import initial_state, step
from thecal.core.pump.path import pad
from thecal.core.pump.program import validate_program
from thecal.core.pump.state import DELIVERING, STROKE_EPS
from thecal.data import pump_catalogue

TOL = 1e-9


def machine_settings(stateful_step_count: int) -> settings:
    return settings(
        max_examples=60,
        stateful_step_count=stateful_step_count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


class PumpMachine(RuleBasedStateMachine):
    @initialize(
        model_id=st.sampled_from(["peristaltic-20", "peristaltic-40", "valve-gated-20"]),
        program=programs(),
        fill_fraction=st.floats(0.0, 1.0),
        catheter_cm=st.floats(0.0, 110.0),
        saline=st.booleans(),
    )
    def start(self, model_id, program, fill_fraction, catheter_cm, saline):
        self.setup(model_id, program, fill_fraction, catheter_cm, saline)

    def setup(self, model_id, program, fill_fraction, catheter_cm, saline):
        self.model = pump_catalogue().get(model_id)
        self.library = physics_library()
        fill = self.model.capacity_ml * fill_fraction
        self.s, _ = initial_state(
            self.model,
            self.library,
            program,
            fill,
            None,
            catheter_cm * 2.6 / 1000,
            "saline" if saline else "drug",
        )
        self.true0 = fill
        self.added = self.withdrawn = self.pocket = 0.0
        names = self.s.drug_names
        self.path_drug0 = self.s.path.in_path(0.0, len(names))
        self.drug_out = [0.0] * len(names)  # drug that left the reservoir, by drug
        self.programs = [(0.0, program)]  # accepted programs with their times
        self.lockout_starts = []  # grants only: a program or refill gives no dose (SR-06)
        self.grants: list[float] = []
        self.answers: dict[str, tuple[object, object]] = {}

    def _leave_reservoir(self, before, after):
        size = len(after.drug_names)
        moved = after.outlet_ml - before.outlet_ml
        conc = pad(before.reservoir_conc, size)
        self.drug_out = [
            d + moved * k for d, k in zip(pad(tuple(self.drug_out), size), conc, strict=True)
        ]

    @rule(dt=st.floats(0.0, 4 * DAY), command=commands())
    def act(self, dt, command):
        prev = self.s
        t = prev.t + dt
        advanced, advance_events = step(prev, c.Tick(), t)
        self._leave_reservoir(prev, advanced)
        # 5. nothing is delivered outside `delivering`
        if prev.shown != DELIVERING and not any(e.kind == "state" for e in advance_events):
            assert advanced.strokes == prev.strokes and advanced.v_cmd_ml == prev.v_cmd_ml
            assert advanced.outlet_ml == prev.outlet_ml
        after, events = step(advanced, command, t)
        self._leave_reservoir(advanced, after)
        kinds = [(e.kind, e.get("result")) for e in events]
        # 6. a refused program or refill changes nothing
        if ("program", "refused") in kinds or ("refill", "refused") in kinds:
            assert after == advanced
        if isinstance(command, c.ApplyProgram) and ("program", "refused") not in kinds:
            assert not validate_program(command.program, self.model, self.library)
            self.programs.append((t, command.program))
        if isinstance(command, c.ApplyProgram) and ("program", "refused") in kinds:
            temporary = command.temporary_s
            bad_temporary = temporary is not None and (
                temporary > self.model.alarms.temporary_max_s or advanced.program is None
            )
            assert (
                validate_program(command.program, self.model, self.library)
                or advanced.eos
                or bad_temporary
            )
        # the program current at a request (a temporary one reverts on its own)
        self.current = advanced.program.program if advanced.program is not None else None
        for e in events:
            if e.kind == "refill" and e.get("result") != "refused":
                self.added += command.add_ml
                self.withdrawn += e.get("withdrawn_ml")
                self.pocket += e.get("pocket_fill_ml")
            if e.kind == "demand":
                self._check_demand(t, e, events)
        event(f"command {type(command).__name__}: {kinds[0] if kinds else 'silent'}")
        for e in events:
            if e.kind == "demand":
                event(f"demand {e.get('result')} {e.get('reason')}")
        event(f"state after: {after.shown}")
        self.s = after

    def _check_demand(self, t, e, events) -> None:
        starts = [x for x in events if x.kind == "bolus" and x.get("phase") == "start"]
        first = self.answers.get(e.get("id"))
        if first is not None:  # a repeated id: the first answer, and nothing delivered
            assert (e.get("result"), e.get("reason")) == first
            assert starts == []
            return
        self.answers[e.get("id")] = (e.get("result"), e.get("reason"))
        if e.get("result") != "granted":
            return
        # 4. no grant inside a lockout or beyond max_per_24h in any rolling 24 h window
        assert self.current is not None
        demand = self.current.demand_bolus
        assert demand is not None
        assert all(t - x >= demand.lockout_s for x in self.lockout_starts)
        in_window = [g for g in self.grants if t - DAY < g <= t]
        assert len(in_window) < demand.max_per_24h
        assert len(starts) == 1
        self.grants.append(t)
        self.lockout_starts.append(t)

    @invariant()
    def derived_fields_current(self):
        # what PumpState keeps derived equals what it derives from (changed() re-derives)
        if hasattr(self, "s"):
            assert self.s == self.s.with_levels()

    @invariant()
    def stroke_tracking(self):
        # 1. 0 <= V_cmd - strokes * stroke < stroke
        if not hasattr(self, "s"):
            return
        remainder = self.s.v_cmd_ml - self.s.strokes * self.s.stroke_ml
        # a stroke is issued within STROKE_EPS (1e-6) of its boundary: the float slack
        assert -2 * STROKE_EPS * self.s.stroke_ml <= remainder < self.s.stroke_ml

    @invariant()
    def conservation(self):
        # 2. true at start + added - withdrawn - pocket fill - outlet = true now
        if not hasattr(self, "s"):
            return
        expected = self.true0 + self.added - self.withdrawn - self.pocket - self.s.outlet_ml
        assert math.isclose(expected, self.s.true_ml, abs_tol=TOL)
        assert self.s.true_ml >= -TOL

    @invariant()
    def plug_flow(self):
        # 3. outlet = tip + change of what sits in the path, for volume and for each drug
        if not hasattr(self, "s"):
            return
        s = self.s
        size = len(s.drug_names)
        tip = s.tip_drug_mcg()
        now_in_path = s.path.in_path(s.outlet_ml, size)
        for i in range(size):
            start = pad(self.path_drug0, size)[i]
            out = pad(tuple(self.drug_out), size)[i]
            assert math.isclose(start + out, tip[i] + now_in_path[i], rel_tol=1e-9, abs_tol=1e-6)


PumpMachine.TestCase.settings = machine_settings(stateful_step_count=25)
TestPumpInvariants = PumpMachine.TestCase


class DemandHeavyMachine(PumpMachine):
    """The same invariants with the patient pressing often: a morphine program with a
    demand bolus, and requests seconds to hours apart between the other commands.
    (Hypothesis runs every initialize rule; this one runs after the inherited one and
    sets the pump up again.)"""

    @initialize(program=programs(), fill_fraction=st.floats(0.3, 1.0), demand=st.data())
    def start_with_demand(self, program, fill_fraction, demand):
        from tests.property.strategies import MORPHINE
        from thecal.core.pump.program import Amount, DemandBolus

        duration = demand.draw(st.sampled_from([300.0, 600.0]))
        bolus = DemandBolus(
            Amount(mcg=demand.draw(st.floats(10.0, 100.0))),
            duration,
            duration + demand.draw(st.sampled_from([0.0, 900.0, 3600.0])),
            demand.draw(st.integers(1, 6)),
        )
        program = program.__class__(
            (MORPHINE,),
            program.steps,
            program.cycle_days,
            program.periodic_boluses,
            bolus,
            program.low_reservoir_alarm_ml,
        )
        self.setup("peristaltic-40", program, fill_fraction, 90.0, False)

    @rule(dt=st.floats(0.0, 4 * 3600.0), rid=st.integers(0, 40))
    def press(self, dt, rid):
        self.act(dt, c.DemandRequest(f"p{rid}"))


DemandHeavyMachine.TestCase.settings = machine_settings(stateful_step_count=40)
TestDemandInvariants = DemandHeavyMachine.TestCase
