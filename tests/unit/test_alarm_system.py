"""The alarm system (issue 26): table against hazards, escalation, silence, temporary
programs and self-test, each with times and volumes computed by hand from alarms.toml
(baclofen escalates after 12 h, an opioid after 24 h, the rest after 72 h; a high alarm
may be silenced for 10 min; the self-test runs on the hour; a temporary program lasts
at most 72 h)."""

from __future__ import annotations

import copy

import pytest

from tests.unit.test_firmware import DAY, H, program, pump, run
from thecal.core.pump import commands as c
from thecal.core.pump.alarm_table import AlarmTable
from thecal.core.pump.events import ALARM_SEVERITY, STOPPING_ALARMS
from thecal.data import alarm_table, raw_document

MIN = 60.0


def alarms(log, code=None):
    return [
        (e["t"], e["code"], e["phase"], e.get("priority"))
        for e in log
        if e["kind"] == "alarm" and (code is None or e["code"] == code)
    ]


def baclofen(**kw):
    return program(drug="baclofen", conc=2000.0, demand=False, **kw)


@pytest.mark.sr("SR-27")
def test_the_alarm_table_the_hazard_table_and_the_firmware_agree():
    table = alarm_table()
    assert table.disagreements(tuple(ALARM_SEVERITY), ALARM_SEVERITY) == []
    stopping = {code for code, spec in table.alarms.items() if spec.stops_delivery}
    assert stopping == set(STOPPING_ALARMS)
    # every alarm has one of IEC 60601-1-8's priorities and a hazard id
    assert {spec.priority for spec in table.alarms.values()} <= {
        "high", "medium", "low", "information"
    }  # fmt: skip
    assert all(spec.hazard.startswith("HZ-") for spec in table.alarms.values())


@pytest.mark.sr("SR-27")
def test_a_drift_between_the_tables_is_named():
    doc = copy.deepcopy(raw_document("alarms.toml"))
    doc["alarm"]["LOW_RESERVOIR"]["hazard"] = "HZ-02"  # HZ-02 lists battery alarms only
    doc["hazard"]["HZ-07"].pop("unsensed")  # no alarm, and no word on why
    drifted = AlarmTable.from_mapping(doc)
    assert drifted.disagreements(tuple(ALARM_SEVERITY), ALARM_SEVERITY) == [
        "LOW_RESERVOIR: names HZ-02, whose alarms do not list it",
        "HZ-01: lists LOW_RESERVOIR, which names HZ-02",
        "HZ-07: no alarm mitigates it and 'unsensed' does not say why",
    ]
    codes = tuple(ALARM_SEVERITY) + ("OCCLUSION",)
    assert "OCCLUSION: raised by the firmware, not in the alarm table" in (
        alarm_table().disagreements(codes, ALARM_SEVERITY)
    )


@pytest.mark.sr("SR-30")
def test_a_three_day_baclofen_suspension_escalates_at_twelve_hours():
    s = pump(baclofen())
    # suspended at 01:00: 12 h later, at 13:00, and not a second before
    s, log = run(s, (1 * H, c.Suspend()), (13 * H - 1, c.Tick()))
    assert alarms(log, "SUSPENSION_PROLONGED") == []
    s, log = run(s, (3 * DAY, c.Tick()))
    assert alarms(log) == [(13 * H, "SUSPENSION_PROLONGED", "onset", "high")]
    assert s.shown == "suspended"
    s, log = run(s, (3 * DAY + H, c.Resume()))
    assert alarms(log) == [(3 * DAY + H, "SUSPENSION_PROLONGED", "clear", "high")]
    # a new suspension starts its own clock
    s, log = run(s, (4 * DAY, c.Suspend()), (4 * DAY + 12 * H, c.Tick()))
    assert alarms(log) == [(4 * DAY + 12 * H, "SUSPENSION_PROLONGED", "onset", "high")]


@pytest.mark.sr("SR-30")
def test_an_opioid_escalates_later_and_lower_and_a_short_suspension_not_at_all():
    s = pump(program())  # morphine: 24 h, medium
    _, log = run(s, (0.0, c.Suspend()), (23 * H, c.Resume()), (3 * DAY, c.Tick()))
    assert alarms(log, "SUSPENSION_PROLONGED") == []
    _, log = run(s, (0.0, c.Suspend()), (3 * DAY, c.Tick()))
    assert alarms(log) == [(24 * H, "SUSPENSION_PROLONGED", "onset", "medium")]
    zico = pump(program(drug="ziconotide", conc=25.0, demand=False, ml_per_day=0.1))
    _, log = run(zico, (0.0, c.Suspend()), (4 * DAY, c.Tick()))
    assert alarms(log) == [(72 * H, "SUSPENSION_PROLONGED", "onset", "medium")]


def test_a_low_reservoir_is_more_urgent_with_baclofen():
    # 2.2 mL at 0.5 mL/day: the 2 mL alarm after 0.2 / 0.5 days = 9.6 h (to the
    # stroke: 400 strokes of 0.5 uL, the last issued a hair early by STROKE_EPS)
    for drug_program, level in ((baclofen(), "medium"), (program(), "low")):
        _, log = run(pump(drug_program, fill=2.2), (DAY, c.Tick()))
        [(t, code, phase, priority)] = alarms(log, "LOW_RESERVOIR")
        assert t == pytest.approx(9.6 * H, abs=1e-3)
        assert (code, phase, priority) == ("LOW_RESERVOIR", "onset", level)


@pytest.mark.sr("SR-29")
def test_a_silenced_high_alarm_sounds_again_after_its_bound():
    s = pump(baclofen())
    s, log = run(
        s,
        (1 * H, c.Fault("stall")),
        (1 * H + MIN, c.SilenceAlarm("MOTOR_STALL", 11 * MIN)),  # above the 10 min bound
        (1 * H + MIN, c.SilenceAlarm("MOTOR_STALL", 10 * MIN)),
        (2 * H, c.Tick()),
    )
    assert alarms(log) == [
        (1 * H, "MOTOR_STALL", "onset", "high"),
        (1 * H + MIN, "MOTOR_STALL", "silence", None),  # refused: no priority field
        (1 * H + MIN, "MOTOR_STALL", "silence", "high"),
        (1 * H + 11 * MIN, "MOTOR_STALL", "resound", "high"),
    ]
    refused = next(e for e in log if e.get("result") == "refused")
    assert (refused["reason"], refused["bound_s"]) == ("above_bound", 600.0)


@pytest.mark.sr("SR-29")
def test_a_silence_ends_with_its_condition_and_cannot_cover_an_absent_alarm():
    s = pump(baclofen())
    _, log = run(
        s,
        (0.0, c.SilenceAlarm("MOTOR_STALL", 5 * MIN)),
        (1 * H, c.Fault("stall")),
        (1 * H, c.SilenceAlarm("MOTOR_STALL", 10 * MIN)),
        (1 * H + 5 * MIN, c.Fault("stall_cleared")),
        (2 * H, c.Tick()),
    )
    phases = [(t, phase) for t, code, phase, _ in alarms(log) if code == "MOTOR_STALL"]
    assert phases == [
        (0.0, "silence"),
        (1 * H, "onset"),
        (1 * H, "silence"),
        (1 * H + 5 * MIN, "clear"),
    ]
    assert [e["reason"] for e in log if e.get("result") == "refused"] == ["not_active"]


@pytest.mark.sr("SR-32")
def test_an_acknowledgement_is_logged_with_its_time_and_clears_nothing():
    s = pump(baclofen())
    s, log = run(s, (H, c.Fault("stall")), (2 * H, c.AcknowledgeAlarm("MOTOR_STALL")))
    assert alarms(log)[-1] == (2 * H, "MOTOR_STALL", "acknowledge", "high")
    assert "MOTOR_STALL" in s.active_alarms()


@pytest.mark.sr("SR-36")
def test_a_temporary_program_reverts_to_the_base_on_its_own():
    """Base 0.5 mL/day; at 06:00 a 1.0 mL/day temporary program for 6 h. By hand:
    0.125 mL by 06:00, 0.25 mL more by 12:00, then 0.5 * 12/24 = 0.25 mL by midnight:
    0.625 mL = 1250 strokes of 0.5 uL."""
    s = pump(program(ml_per_day=0.5, demand=False))
    s, log = run(
        s,
        (6 * H, c.ApplyProgram(program(ml_per_day=1.0, demand=False), temporary_s=6 * H)),
        (DAY, c.Tick()),
    )
    programs = [(e["t"], e["result"]) for e in log if e["kind"] == "program"]
    assert programs == [(6 * H, "temporary"), (12 * H, "reverted")]
    assert s.strokes == 1250
    assert s.program.program == program(ml_per_day=0.5, demand=False)
    assert s.base_program is None


@pytest.mark.sr("SR-36")
def test_a_temporary_program_is_bounded_and_a_base_program_ends_it():
    s = pump(program(demand=False))
    s, log = run(s, (0.0, c.ApplyProgram(program(ml_per_day=1.0), temporary_s=72 * H + 1)))
    assert log[0]["result"] == "refused" and "to 259200 s (SR-36)" in log[0]["reasons"][0]
    new_base = program(ml_per_day=0.8, demand=False)
    s, log = run(
        s,
        (0.0, c.ApplyProgram(program(ml_per_day=1.0, demand=False), temporary_s=6 * H)),
        (H, c.ApplyProgram(new_base)),
        (DAY, c.Tick()),
    )
    assert [e["result"] for e in log if e["kind"] == "program"] == ["temporary"]
    assert s.program.program == new_base


@pytest.mark.sr("SR-40")
def test_a_corrupted_program_crc_stops_delivery_at_the_next_check():
    """Corrupted at 10:30; the hourly check at 11:00 finds it: 11 h at 0.5 mL/day =
    0.2291666 mL = 458 strokes, and none after."""
    s = pump(program(demand=False))
    s, log = run(s, (10.5 * H, c.Fault("program_crc")), (DAY, c.Tick()))
    assert alarms(log) == [(11 * H, "SELF_TEST_FAILURE", "onset", "high")]
    assert s.shown == "self-test-failed" and s.strokes == 458
    # sending the program again rewrites its memory; delivery resumes
    s, log = run(s, (DAY + H, c.ApplyProgram(program(demand=False))))
    assert alarms(log) == [(DAY + H, "SELF_TEST_FAILURE", "clear", "high")]
    assert s.shown == "delivering"


@pytest.mark.sr("SR-40")
def test_a_power_on_self_test_finds_a_fault_at_once_and_a_library_fault_stays():
    s = pump(baclofen())
    s, log = run(s, (10 * MIN, c.Fault("library_crc")), (10 * MIN, c.SelfTest()))
    assert alarms(log) == [(10 * MIN, "SELF_TEST_FAILURE", "onset", "high")]
    assert [e["failed"] for e in log if e["kind"] == "self_test"] == [["library_crc"]]
    s, _ = run(s, (H, c.ApplyProgram(baclofen())))
    assert s.shown == "self-test-failed"


@pytest.mark.sr("SR-19", "SR-28")
def test_a_motor_stall_alarms_at_once_high_for_every_drug_and_stops_delivery():
    """The motor driver senses a stall the moment it happens: the alarm is at the
    stall's instant (inside SR-19's 5 min), high for baclofen as for morphine, and no
    stroke is issued while it lasts (0.5 mL/day for 1 h = 41 strokes, then none)."""
    for drug_program in (baclofen(), program(demand=False)):
        s, log = run(pump(drug_program), (H, c.Fault("stall")), (DAY, c.Tick()))
        assert alarms(log) == [(H, "MOTOR_STALL", "onset", "high")]
        assert s.strokes == 41 and s.shown == "stalled"


@pytest.mark.sr("SR-23", "SR-28")
def test_an_empty_reservoir_stops_the_motor_with_a_high_alarm_and_a_low_one_does_not():
    """3 mL at 0.5 mL/day, 2 mL threshold: low after 2 days (2000 strokes, delivery
    goes on), empty after 6 days (6000 strokes, then none)."""
    s, log = run(pump(program(demand=False), fill=3.0), (10 * DAY, c.Tick()))
    assert [(round(t / DAY, 3), code, phase, level) for t, code, phase, level in alarms(log)] == [
        (2.0, "LOW_RESERVOIR", "onset", "low"),
        (6.0, "EMPTY_RESERVOIR", "onset", "high"),
    ]
    assert s.strokes == 6000 and s.shown == "empty"


@pytest.mark.sr("SR-12")
def test_a_bolus_that_would_pass_the_dose_window_is_denied_in_full():
    """Morphine 10 mg/mL, 100 mcg boluses, lockout 1 h, at most 6 a day and at most
    250 mcg a day. By hand: grants at 01:00 and 03:00 give 200 mcg; at 05:00 another
    100 would make 300 > 250: denied. A new program with 50 mcg boluses: at 06:00
    200 + 50 = 250, allowed (equal); at 08:00 300: denied. At 25:00 the 01:00 dose has
    left the window: 100 + 50 + 50 = 200, granted."""
    from dataclasses import replace

    from thecal.core.pump.program import Amount, DemandBolus

    def capped(mcg):
        p = program(lockout_h=1.0, max_per_24h=6)
        bolus = DemandBolus(Amount(mcg=mcg), 600.0, H, 6, max_mcg_per_24h=250.0)
        return replace(p, demand_bolus=bolus)

    s, log = run(
        pump(capped(100.0)),
        (1 * H, c.DemandRequest("a")),
        (3 * H, c.DemandRequest("b")),
        (5 * H, c.DemandRequest("c")),
        (5.5 * H, c.ApplyProgram(capped(50.0))),
        (6 * H, c.DemandRequest("d")),
        (8 * H, c.DemandRequest("e")),
        (25 * H, c.DemandRequest("f")),
    )
    answers = [(e["id"], e["result"], e.get("reason")) for e in log if e["kind"] == "demand"]
    assert answers == [
        ("a", "granted", None),
        ("b", "granted", None),
        ("c", "denied", "max_dose_24h"),
        ("d", "granted", None),
        ("e", "denied", "max_dose_24h"),
        ("f", "granted", None),
    ]
    starts = [e for e in log if e["kind"] == "bolus" and e.get("phase") == "start"]
    assert [e["programmed_ml"] for e in starts] == [0.01, 0.01, 0.005, 0.005]  # nothing partial
    assert s.grant_mcg == pytest.approx((100.0, 50.0, 50.0))  # 03:00, 06:00, 25:00


@pytest.mark.sr("SR-20")
def test_a_valve_stuck_open_trips_the_flow_valve_stops_delivery_and_alarms_high():
    """valve-gated-20 at 0.5 mL/day, 2.5 uL pulses: a metering valve sticks open at
    12 h. The flow-activated valve passes at most 10 uL (pumps.toml, devices F42),
    unmetered, and closes: VALVE_CLOSED (high), no pulse until the reset at 14 h."""
    s = pump(program(demand=False), model="valve-gated-20")
    s, log = run(s, (12 * H, c.Fault("valve_open")))
    assert alarms(log, "VALVE_CLOSED") == [(12 * H, "VALVE_CLOSED", "onset", "high")]
    assert s.shown == "valve-closed"
    # 0.25 mL pumped by 12 h: estimate 19.75; the true reservoir 10 uL lower
    assert s.estimate_ml == pytest.approx(19.75, abs=1e-12)
    assert s.estimate_ml - s.true_ml == pytest.approx(0.010, abs=1e-12)
    pulses = s.strokes
    s, log = run(s, (14 * H, c.Tick()), (14 * H, c.ValveReset()))
    assert s.strokes == pulses  # nothing delivered while closed
    assert alarms(log, "VALVE_CLOSED") == [(14 * H, "VALVE_CLOSED", "clear", "high")]
    assert s.shown == "delivering"


@pytest.mark.sr("SR-20")
def test_a_pump_without_a_valve_has_no_valve_to_stick():
    """A peristaltic pump's rollers always pinch its tube: the fault changes nothing
    (the mechanical mitigation docs/alarms.md names)."""
    s = pump(program(demand=False))
    after, log = run(s, (12 * H, c.Fault("valve_open")))
    before, _ = run(s, (12 * H, c.Tick()))
    assert after == before and alarms(log) == []
