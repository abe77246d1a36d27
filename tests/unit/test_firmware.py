"""The firmware `step`, one rule at a time, with hand-computed numbers."""

from __future__ import annotations

import pytest

from thecal.core.errors import InvalidTransition
from thecal.core.pump import commands as c
from thecal.core.pump.firmware import initial_state, step
from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
)
from thecal.data import drug_library, pump_catalogue

DAY = 86_400.0
H = 3600.0


def program(
    ml_per_day=0.5,
    drug="morphine",
    conc=10_000.0,
    demand=True,
    lockout_h=3.0,
    max_per_24h=4,
    low=2.0,
):
    bolus = DemandBolus(Amount(mcg=100.0), 600.0, lockout_h * H, max_per_24h) if demand else None
    return Program(
        (DrugConcentration(drug, conc),),
        (Step(0.0, rate_ml_per_s=ml_per_day / DAY),),
        demand_bolus=bolus,
        low_reservoir_alarm_ml=low,
    )


def pump(p=None, model="peristaltic-20", fill=20.0, entered=None, overrides=None):
    m = pump_catalogue().get(model)
    if overrides:
        m = m.with_overrides(overrides)
    s, _ = initial_state(m, drug_library(), p or program(), fill, entered, 0.234)
    return s


def run(s, *timed):
    """Apply (t, command) pairs in order; return the final state and every event as dicts."""
    log = []
    for t, cmd in timed:
        s, ev = step(s, cmd, t)
        log.extend(e.as_dict() for e in ev)
    return s, log


def demand_results(log):
    return [(e["id"], e["result"], e.get("reason")) for e in log if e["kind"] == "demand"]


@pytest.mark.sr("SR-06", "SR-10")
def test_the_lockout_counts_doses_given_and_no_program_or_refill_starts_one():
    """Issue 22 item 9 (SR-06): a 3 h lockout runs from the last grant only. By hand:
    a at 2 h is the first dose; b 1 h later is inside a's lockout; the program at 4 h
    gives no dose, so c at 6 h (4 h after a) is granted; d 1 h after c is locked out;
    the refill at 8 h gives none either, so e at 10 h (4 h after c) is granted."""
    s = pump()
    _, log = run(
        s,
        (2 * H, c.DemandRequest("a")),
        (3 * H, c.DemandRequest("b")),
        (4 * H, c.ApplyProgram(program())),
        (6 * H, c.DemandRequest("c")),
        (7 * H, c.DemandRequest("d")),
        (8 * H, c.Refill(1.0, (DrugConcentration("morphine", 10_000.0),))),
        (10 * H, c.DemandRequest("e")),
        (11 * H, c.DemandRequest("f")),
    )
    assert demand_results(log) == [
        ("a", "granted", None),
        ("b", "denied", "lockout"),
        ("c", "granted", None),
        ("d", "denied", "lockout"),
        ("e", "granted", None),
        ("f", "denied", "lockout"),
    ]


@pytest.mark.sr("SR-06", "SR-11")
def test_max_per_24h_is_a_rolling_window_not_reset_by_programming():
    s = pump(program(lockout_h=1.0, max_per_24h=2))
    _, log = run(
        s,
        (1 * H, c.DemandRequest("a")),
        (2 * H, c.DemandRequest("b")),
        (3 * H, c.ApplyProgram(program(lockout_h=1.0, max_per_24h=2))),
        (4 * H, c.DemandRequest("c")),
        (25 * H, c.DemandRequest("d")),
        (26 * H, c.DemandRequest("e")),
    )
    # c: two grants in (4h-24h, 4h]; d at 25 h: a (1 h) left the window, b (2 h) has not
    # -> one in window -> granted; e at 26 h: b left, d in -> granted
    assert demand_results(log) == [
        ("a", "granted", None),
        ("b", "granted", None),
        ("c", "denied", "max_per_24h"),
        ("d", "granted", None),
        ("e", "granted", None),
    ]


@pytest.mark.sr("SR-10", "SR-38")
def test_checks_run_in_the_order_of_the_spec():
    s = pump(program(demand=False))
    _, log = run(s, (5 * H, c.Suspend()), (6 * H, c.DemandRequest("x")))
    assert demand_results(log) == [("x", "denied", "not_enabled")]  # before not_delivering
    s = pump()
    _, log = run(s, (1 * H, c.Suspend()), (2 * H, c.DemandRequest("y")))
    assert demand_results(log) == [("y", "denied", "not_delivering")]  # before lockout


def test_insufficient_reservoir_is_strictly_below_bolus_plus_threshold():
    # 0.1 mg at 10 mg/mL = 0.01 mL; threshold 2 mL -> needs estimate >= 2.01 mL
    s = pump(fill=2.01)
    _, log = run(s, (3 * H, c.DemandRequest("ok")))
    # at 3 h the estimate is 2.01 - 0.5*3/24 = 1.9475: below 2.01 -> denied
    assert demand_results(log) == [("ok", "denied", "insufficient_reservoir")]
    s = pump(program(ml_per_day=0.0), fill=2.01)
    _, log = run(s, (3 * H, c.DemandRequest("edge")))
    assert demand_results(log) == [("edge", "granted", None)]  # equal is not below


@pytest.mark.sr("SR-16")
def test_a_repeated_request_id_answers_the_first_answer_and_never_delivers_twice():
    s = pump(program(ml_per_day=0.0))
    s, log = run(s, (3 * H, c.DemandRequest("r")), (8 * H, c.DemandRequest("r")))
    assert demand_results(log) == [("r", "granted", None), ("r", "granted", None)]
    assert s.strokes == 20  # one 0.01 mL bolus = 20 strokes of 0.5 uL, not 40


def test_baclofen_trace_in_the_dead_volume_keeps_demand_boluses_off():
    s = pump(program(drug="baclofen", conc=500.0, demand=False), model="peristaltic-40", fill=10.0)
    s, log = run(
        s,
        (1 * DAY, c.Refill(30.0, (DrugConcentration("morphine", 10_000.0),))),
        (1 * DAY + 60, c.ApplyProgram(program())),
        (2 * DAY, c.DemandRequest("q")),
    )
    assert demand_results(log) == [("q", "denied", "not_enabled")]
    assert s.reservoir_conc[0] == pytest.approx(2.4 * 500 / 32.4)  # the trace


@pytest.mark.sr("SR-24")
def test_refill_exceeding_capacity_is_refused_whole():
    s = pump(fill=10.0)
    s1, log = run(s, (DAY, c.Tick()))
    s2, log = run(s1, (DAY, c.Refill(17.7, (DrugConcentration("morphine", 10_000.0),))))
    # capacity 20 - min(true 9.5, dead 2.4) = 17.6 mL may be added
    assert log == [{"t": DAY, "kind": "refill", "result": "refused", "reason": "exceeds_capacity"}]
    assert s2 == s1
    s3, log = run(
        s1, (DAY, c.Refill(17.6, (DrugConcentration("morphine", 10_000.0),), pocket_fill_ml=0.5))
    )
    assert log[0]["withdrawn_ml"] == pytest.approx(7.1) and log[0]["pocket_fill_ml"] == 0.5
    assert s3.true_ml == pytest.approx(2.4 + 17.1) and s3.estimate_ml == pytest.approx(19.5)


def test_wrong_entered_volume_runs_the_pump_dry_without_an_alarm():
    # F69: 20 mL filled, 40 mL entered: at 1 mL/day the true reservoir is dry at day 20,
    # the estimate still reads 20 mL, no alarm, and nothing reaches the patient.
    s = pump(program(ml_per_day=1.0, demand=False), model="peristaltic-40", fill=20.0, entered=40.0)
    s, log = run(s, (30 * DAY, c.Tick()))
    assert [e for e in log if e["kind"] == "alarm"] == []
    assert s.true_ml == 0.0 and s.estimate_ml == pytest.approx(10.0)
    assert s.outlet_ml == pytest.approx(20.0)


@pytest.mark.sr("SR-13", "SR-15")
def test_programmer_bolus_refusals_and_interruption():
    s = pump(program(ml_per_day=0.5))
    bolus = c.StartBolus("clinician", Amount(ml=0.04), 2 * H)  # 400 mcg, under 500 mcg
    s, log = run(
        s,
        (H, bolus),
        (H + 60, c.StartBolus("bridge", Amount(ml=0.1), H)),
        (2 * H, c.Suspend()),
        (3 * H, c.StartBolus("clinician", Amount(ml=0.04), H)),
    )
    bolus_events = [e for e in log if e["kind"] == "bolus"]
    assert bolus_events[1] == {
        "t": H + 60,
        "kind": "bolus",
        "bolus": "bridge",
        "result": "refused",
        "reason": "bolus_running",
    }
    # suspended 1 h into a 2 h bolus: half of 0.04 mL delivered, never resumed
    end = bolus_events[2]
    assert end["phase"] == "end" and end["delivered_ml"] == pytest.approx(0.02)
    assert bolus_events[3]["reason"] == "not_delivering"


@pytest.mark.sr("SR-28")
def test_state_shown_is_the_first_stopping_condition_and_resume_clears_only_suspend():
    s = pump()
    s, log = run(
        s,
        (H, c.Suspend()),
        (2 * H, c.Fault("stall")),
        (3 * H, c.Resume()),
        (4 * H, c.Resume()),
        (5 * H, c.Fault("stall_cleared")),
        (6 * H, c.Fault("stall_cleared")),
    )
    states = [(e["t"], e["from"], e["to"]) for e in log if e["kind"] == "state"]
    assert states == [
        (H, "delivering", "suspended"),
        (2 * H, "suspended", "stalled"),
        (5 * H, "stalled", "delivering"),
    ]
    # delivering only 0-1 h and 5-6 h: 2 h at 0.5 mL/day = 0.041667 mL -> 83 strokes
    assert s.strokes == 83


@pytest.mark.sr("SR-04")
def test_fractional_remainder_is_carried_over_a_new_program():
    s = pump(program(ml_per_day=0.5, demand=False))
    # 0.5 mL/day for 1 min = 0.000347 mL: less than one 0.5 uL stroke
    s, _ = run(s, (60.0, c.Tick()))
    assert s.strokes == 0 and s.v_cmd_ml == pytest.approx(0.5 / 1440)
    s, _ = run(
        s, (60.0, c.ApplyProgram(program(ml_per_day=0.5, demand=False))), (2 * 60.0, c.Tick())
    )
    assert s.strokes == 1  # 0.000694 mL: the first minute was not lost


def test_low_reservoir_alarm_is_level_triggered_by_program_threshold():
    s = pump(fill=3.0)
    s, log = run(
        s, (H, c.ApplyProgram(program(low=4.0))), (2 * H, c.ApplyProgram(program(low=1.0)))
    )
    alarms = [(e["t"], e["code"], e["phase"]) for e in log if e["kind"] == "alarm"]
    assert alarms == [(H, "LOW_RESERVOIR", "onset"), (2 * H, "LOW_RESERVOIR", "clear")]
    m = pump_catalogue().get("peristaltic-20")
    _, first = initial_state(m, drug_library(), program(), 2.0, None, 0.2)
    assert [(e.t, e.get("code"), e.get("phase")) for e in first] == [
        (0.0, "LOW_RESERVOIR", "onset")
    ]


@pytest.mark.sr("SR-28", "SR-31")
def test_battery_elective_replacement_then_end_of_service():
    # A small battery: 6 uA baseline, 1000 strokes/day * 0.0617 uAh = 61.7 uAh/day
    # plus 144 uAh/day baseline = 205.7 uAh/day. Scale the battery so EOS falls at day 100:
    # 20570 uAh. ERI: charge <= 90 * 205.7 -> at day 10 (checked at midnight).
    s = pump(program(demand=False), overrides={"battery_uah": 20_570.0}, fill=20.0)
    s, log = run(s, (150 * DAY, c.Tick()))
    alarms = [(e["t"], e["code"]) for e in log if e["kind"] == "alarm" and e["phase"] == "onset"]
    codes = [code for _, code in alarms]
    assert "ELECTIVE_REPLACEMENT" in codes and "END_OF_SERVICE" in codes
    eri_t = dict((code, t) for t, code in alarms)["ELECTIVE_REPLACEMENT"]
    eos_t = dict((code, t) for t, code in alarms)["END_OF_SERVICE"]
    assert eri_t == 10 * DAY
    # the reservoir ran empty at day 40 (estimate 0): after that only the baseline drains.
    # By day 40: 40 * 205.7 = 8228 uAh used; left 12342 uAh at 144 uAh/day = 85.71 days
    assert eos_t == pytest.approx((40 + 12_342 / 144) * DAY, rel=1e-6)
    assert s.shown == "end-of-service"
    s, log = run(s, (151 * DAY, c.ApplyProgram(program())))
    assert log[0]["result"] == "refused"


@pytest.mark.sr("SR-39")
def test_time_does_not_run_backwards():
    with pytest.raises(InvalidTransition):
        step(pump(), c.Tick(), -1.0)


@pytest.mark.sr("SR-04")
def test_a_stroke_counted_at_a_threshold_is_never_taken_back():
    # Found by the property test: a 1e-6 mL estimate empties at the first stroke, which
    # the threshold search issues a hair before V_cmd reaches it; after a refill the
    # count must stay at 1, not fall back to floor(V_cmd / stroke) = 0.
    p = Program(
        (DrugConcentration("morphine", 10_000.0),),
        (Step(0.0, rate_ml_per_s=0.0),),
        periodic_boluses=(PeriodicBolus(0.0, Amount(ml=0.03125000441941738), 600.0),),
        low_reservoir_alarm_ml=0.0,
    )
    s = pump(p, fill=1e-6)
    s, _ = run(
        s, (600.0, c.Refill(0.0, (DrugConcentration("morphine", 10_000.0),), 1.0)), (DAY, c.Tick())
    )
    assert s.strokes == 1


def test_a_catalogue_battery_reaches_elective_replacement_then_end_of_service_on_time():
    # peristaltic-20 at 0.5 mL/day: 6 uA * 24 h + 1000 strokes * 0.0617 uAh = 205.7 uAh/day.
    # ERI when the charge covers <= 90 days: 525600 - 205.7 d <= 90 * 205.7 -> d >= 2465.17,
    # seen at the check of midnight 2466. EOS at 525600 / 205.7 = 2555.18 days (84 months).
    s = pump(program(demand=False))
    morphine = (DrugConcentration("morphine", 10_000.0),)
    timed = [(d * DAY + 9 * H, c.Refill(14.0, morphine)) for d in range(28, 2600, 28)]
    s, log = run(s, *timed, (2600 * DAY, c.Tick()))
    onsets = {e["code"]: e["t"] for e in log if e["kind"] == "alarm" and e["phase"] == "onset"}
    assert onsets["ELECTIVE_REPLACEMENT"] == 2466 * DAY
    assert onsets["END_OF_SERVICE"] == pytest.approx(525_600 / 205.7 * DAY, rel=1e-5)
    assert "LOW_RESERVOIR" not in onsets and s.shown == "end-of-service"


def test_a_telemetry_session_costs_its_charge_and_can_end_the_battery():
    s = pump(overrides={"uah_per_telemetry_session": 25.0})
    full = s.charge_uah
    s, out = step(s, c.TelemetrySession(), 0.0)
    assert (full - s.charge_uah, out) == (25.0, [])
    # 30 uAh left: the next session takes 25, the one after empties the battery now
    low = s._replace(charge_uah=30.0)
    low, out = step(low, c.TelemetrySession(), 0.0)
    assert low.charge_uah == pytest.approx(5.0) and out == []
    low, out = step(low, c.TelemetrySession(), 0.0)
    assert (low.charge_uah, low.eos, low.shown) == (0.0, True, "end-of-service")
    assert [(e.kind, e.get("code"), e.get("phase")) for e in out if e.kind == "alarm"] == [
        ("alarm", "END_OF_SERVICE", "onset")
    ]
