"""`firmware.run` against `step` folded by hand: the one-pass answer to a run of demand
requests (core/pump/demand_run.py) must give the same events and the same state as
stepping every request, over random programs, pumps, batteries and interleaved
commands, including the runs it declines; and by hand, on one day of requests."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import physics_library
from tests.property.strategies import DAY, commands, demand_boluses, programs
from thecal.core.pump import commands as c
from thecal.core.pump.demand_run import answer_run
from thecal.core.pump.firmware import initial_state, run, step
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.core.pump.state import PumpState
from thecal.data import pump_catalogue

H = 3600.0
LIBRARY = physics_library()


def folded(s: PumpState, timed: list[tuple[float, c.Command]]):
    out = []
    for t, cmd in timed:
        s, logged = step(s, cmd, t)
        out.extend(logged)
    return s, out


def same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if is_dataclass(a) and type(a) is type(b):  # the fluid path's ledger, a bolus
        return all(same_value(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def assert_same(run_result, step_result) -> None:
    (s_run, e_run), (s_step, e_step) = run_result, step_result
    assert len(e_run) == len(e_step)
    for a, b in zip(e_run, e_step, strict=True):
        assert same_value(tuple(a), tuple(b)), (a, b)
    for name in PumpState._fields:
        assert same_value(getattr(s_run, name), getattr(s_step, name)), name


@st.composite
def demand_programs(draw) -> Program:
    """Every program has a demand bolus, up to 400 mcg (0.04 mL): runs near the low
    reservoir come sooner."""
    return replace(draw(programs(morphine_only=True)), demand_bolus=draw(demand_boluses(400.0)))


@st.composite
def runs(draw):
    model = pump_catalogue().get(draw(st.sampled_from(["peristaltic-20", "valve-gated-20"])))
    s, _ = initial_state(
        model, LIBRARY, draw(demand_programs()), draw(st.floats(0.0, 20.0)), None, 0.26
    )
    # A battery anywhere from full to nearly empty: runs near ERI and end of service
    # must be declined or answered exactly as stepping answers them.
    s = s._replace(charge_uah=model.battery_uah * draw(st.sampled_from([1.0, 0.05, 0.01, 1e-4])))
    t, timed = 0.0, []
    for _ in range(draw(st.integers(1, 60))):
        t += draw(st.sampled_from([0.0, 1.0, 600.0, 1800.0, 3 * H, 7 * H, DAY]))
        if draw(st.integers(0, 9)) == 0:
            timed.append((t, draw(commands())))
        else:
            timed.append((t, c.DemandRequest(f"r{draw(st.integers(0, 40))}")))
    return s, timed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_run_is_step_folded(case):
    s, timed = case
    assert_same(run(s, timed), folded(s, timed))


def hand_program(low_ml: float = 2.0) -> Program:
    # 100 mcg of 10 mg/mL = 0.01 mL over 600 s; lockout 3 h; at most 2 a day
    return Program(
        (DrugConcentration("morphine", 10_000.0),),
        (Step(0.0, rate_ml_per_s=0.48 / DAY),),
        demand_bolus=DemandBolus(Amount(mcg=100.0), 600.0, 3 * H, 2),
        low_reservoir_alarm_ml=low_ml,
    )


def test_a_run_answered_in_one_pass_by_hand():
    model = pump_catalogue().get("peristaltic-20")
    s, _ = initial_state(model, LIBRARY, hand_program(), 20.0, None, 0.26)
    ids = ["a", "b", "c", "d", "e", "f", "a"]
    times = [3 * H, 4 * H, 6 * H, 9 * H, 9 * H + 1, 27 * H, 28 * H]
    requests = list(zip(times, ids, strict=True))
    answered = answer_run(s, requests)
    assert answered is not None  # quiet: 19.4 mL left, a full battery
    after, events = answered
    answers = [
        (e.get("id"), e.get("result"), e.get("reason")) for e in events if e.kind == "demand"
    ]
    assert answers == [
        ("a", "granted", None),  # the lockout from programming at 0 ends at 3 h exactly
        ("b", "denied", "lockout"),  # 1 h after a
        ("c", "granted", None),  # 3 h after a; 1 grant in the last 24 h
        ("d", "denied", "max_per_24h"),  # a and c in the last 24 h
        ("e", "denied", "max_per_24h"),
        ("f", "granted", None),  # a (3 h) is not after 27 h - 24 h: only c counts
        ("a", "granted", None),  # a repeat gets the first answer, and no bolus
    ]
    ends = [e.t for e in events if e.kind == "bolus" and e.get("phase") == "end"]
    assert ends == [3 * H + 600, 6 * H + 600, 27 * H + 600]
    assert after.grants == (6 * H, 27 * H)
    assert after.lockout_from_t == 27 * H
    assert after.boluses == ()
    # 0.48 mL/day for 28 h = 0.56 mL, plus 3 x 0.01 mL = 0.59 mL in 0.5 uL strokes
    assert after.strokes == 1180
    timed = [(t, c.DemandRequest(i)) for t, i in requests]
    assert_same((after, events), folded(s, timed))


def test_a_run_near_the_low_reservoir_is_stepped():
    model = pump_catalogue().get("peristaltic-20")
    # 2.015 mL with the alarm at 2.0: a 0.01 mL bolus could take it below; step them
    s, _ = initial_state(model, LIBRARY, hand_program(), 2.015, None, 0.26)
    timed = [(3 * H, c.DemandRequest("a")), (6 * H, c.DemandRequest("b"))]
    assert answer_run(s, [(t, cmd.id) for t, cmd in timed]) is None
    after, events = run(s, timed)
    # at 3 h the estimate is 2.015 - 0.06 = 1.955 mL < 0.01 + 2.0
    assert [e.get("reason") for e in events if e.kind == "demand"] == [
        "insufficient_reservoir",
        "insufficient_reservoir",
    ]
    assert_same((after, events), folded(s, timed))


def test_a_run_after_end_of_service_is_refused_in_one_pass():
    model = pump_catalogue().get("peristaltic-20")
    s, _ = initial_state(model, LIBRARY, hand_program(), 20.0, None, 0.26)
    # a ten-thousandth of the battery: service ends within the first day (at ~6.2 h),
    # and the ERI flag is set at the midnight after, by the battery check
    s = s._replace(charge_uah=model.battery_uah * 1e-4)
    s, logged = step(s, c.DemandRequest("early"), 3 * H)  # the lockout from 0 just ended
    assert [e.get("result") for e in logged if e.kind == "demand"] == ["granted"]
    dying, _ = step(s, c.Tick(), 0.5 * DAY)
    assert dying.eos and not dying.eri  # the midnight check could still log: stepped
    assert answer_run(dying, [(0.6 * DAY, "x"), (0.7 * DAY, "y")]) is None
    dead, _ = step(s, c.Tick(), 2 * DAY)
    assert dead.eos and dead.eri and dead.boluses == ()
    requests = [(2 * DAY + 60, "a"), (3 * DAY, "early"), (3 * DAY + 1, "a"), (40 * DAY, "b")]
    answered = answer_run(dead, requests)
    assert answered is not None
    after, events = answered
    assert [(e.t, e.kind, e.get("id"), e.get("result"), e.get("reason")) for e in events] == [
        (2 * DAY + 60, "demand", "a", "denied", "not_delivering"),
        (3 * DAY, "demand", "early", "granted", None),  # the first answer, not a bolus
        (3 * DAY + 1, "demand", "a", "denied", "not_delivering"),
        (40 * DAY, "demand", "b", "denied", "not_delivering"),
    ]
    assert after.t == 40 * DAY and after.strokes == dead.strokes
    assert len(after.answers) == len(dead.answers) + 2  # a and b
    assert_same((after, events), folded(dead, [(t, c.DemandRequest(i)) for t, i in requests]))
