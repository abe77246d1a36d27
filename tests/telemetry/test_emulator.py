"""The emulator's request handling, in process: at-most-once, write-ahead journal,
restart to the exact same state, sessions and stale frames."""

from __future__ import annotations

import pytest

from tests.telemetry.helpers import DAY, SERIAL, Clock, commission_args, emulator, opened, program
from thecal.adapters.pump.program_codec import program_to_json
from thecal.adapters.pump.state_blob import dump_state
from thecal.adapters.telemetry.journal import Journal


def _write(e, session, seq, op, args, cid):
    return e.handle({"op": op, "session": session, "command_id": cid, "args": args}, seq)


@pytest.mark.sr("SR-33")
def test_a_retried_command_id_gets_the_first_answer_and_applies_once(tmp_path) -> None:
    clock = Clock(1000.0)
    e = emulator(tmp_path, clock)
    s = opened(e)
    assert _write(e, s, 2, "commission", commission_args(), "c1")["ok"]
    clock.t += DAY
    first = _write(e, s, 3, "apply_program", {"program": program_to_json(program(2.0))}, "p1")
    clock.t += DAY
    again = _write(e, s, 3, "apply_program", {"program": program_to_json(program(2.0))}, "p1")
    assert again == {**first, "duplicate": True}
    assert again["t"] == 1000.0 + DAY  # the first answer, not a second application
    ids = [r["command_id"] for r in Journal(tmp_path).records()]
    assert ids == ["open-1", "c1", "p1"]


@pytest.mark.sr("SR-37")
def test_restart_replays_the_journal_to_the_exact_same_state(tmp_path) -> None:
    clock = Clock(0.0)
    e = emulator(tmp_path, clock)
    s = opened(e)
    _write(e, s, 2, "commission", commission_args(1.0), "c1")
    for i in range(3):
        clock.t += 0.37 * DAY
        _write(e, s, 3 + i, "demand", {"request_id": f"r{i}"}, f"d{i}")
    clock.t += 2 * DAY
    _write(
        e,
        s,
        9,
        "refill",
        {"add_ml": 10.0, "drugs": [{"name": "morphine", "concentration_mcg_per_ml": 10_000.0}]},
        "f1",
    )
    blob, _ = dump_state(e.state)
    again = emulator(tmp_path, clock)  # as after kill -9: only the files remain
    assert dump_state(again.state)[0] == blob
    assert again.seq == e.seq == 6 and again.answers == e.answers
    assert again.session is None  # sessions are volatile


def test_snapshot_then_replay_gives_the_same_state_as_full_replay(tmp_path) -> None:
    clock = Clock(0.0)
    full_dir, snap_dir = tmp_path / "full", tmp_path / "snap"
    pumps = [emulator(full_dir, clock), emulator(snap_dir, clock, snapshot_every=3)]
    sessions = [opened(p) for p in pumps]
    for p, s in zip(pumps, sessions, strict=True):
        _write(p, s, 2, "commission", commission_args(1.5), "c1")
    for i in range(7):
        clock.t += 0.5 * DAY
        for p, s in zip(pumps, sessions, strict=True):
            _write(
                p,
                s,
                3 + i,
                "apply_program",
                {"program": program_to_json(program(1.0 + i / 10))},
                f"p{i}",
            )
    assert (snap_dir / "snapshot.bin").exists() and not (full_dir / "snapshot.bin").exists()
    restored = [emulator(full_dir, clock), emulator(snap_dir, clock)]
    assert restored[0].state == restored[1].state  # equal values (pickles may share differently)
    assert restored[1].state.program.program == program(1.6)


def test_interrogation_reads_without_changing_what_is_stored(tmp_path) -> None:
    clock = Clock(0.0)
    e = emulator(tmp_path, clock)
    s = opened(e)
    _write(e, s, 2, "commission", commission_args(1.0), "c1")
    stored = dump_state(e.state)[0]
    clock.t = 1.0 * DAY
    answer = e.handle({"op": "interrogate", "session": s, "args": {}}, 3)
    # 1 mL/day for one day at 0.5 uL a stroke: 2000 strokes, estimate 20 - 1 = 19 mL
    assert answer["strokes"] == 2000
    assert abs(answer["report"]["reservoir_estimate_ml"] - 19.0) < 1e-9
    assert dump_state(e.state)[0] == stored
    assert [r["op"] for r in answer["history"]] == ["open", "commission"]


def test_each_session_costs_its_telemetry_charge(tmp_path) -> None:
    clock = Clock(0.0)
    e = emulator(tmp_path, clock)
    s = opened(e)
    _write(e, s, 2, "commission", commission_args(1.0), "c1")
    full = e.state.charge_uah
    opened(e, 3)
    # pumps.toml: uah_per_telemetry_session = 25 (illustrative); no time has passed
    assert full - e.state.charge_uah == 25.0


def test_refusals_change_nothing_and_are_not_journalled(tmp_path) -> None:
    e = emulator(tmp_path, Clock(0.0))
    wrong = e.handle({"op": "open", "command_id": "o", "args": {"serial": "OTHER"}}, 1)
    assert (wrong["ok"], wrong["error"]) == (False, "wrong_serial")
    no_session = e.handle({"op": "interrogate", "session": "s9", "args": {}}, 1)
    assert no_session["error"] == "no_session"
    s = opened(e, 2)
    early = _write(e, s, 3, "apply_program", {"program": program_to_json(program(1.0))}, "p0")
    assert early["error"] == "not_commissioned"
    _write(e, s, 4, "commission", commission_args(), "c1")
    bad = _write(e, s, 5, "refill", {"add_ml": "ten", "drugs": []}, "f1")
    assert bad["error"] == "bad_request"
    assert bad["problems"] == [{"path": "args.add_ml", "message": "expected a number"}]
    no_id = e.handle({"op": "suspend", "session": s, "args": {}}, 6)
    assert no_id["error"] == "bad_request" and "command_id" in no_id["message"]
    twice = _write(e, s, 7, "commission", commission_args(), "c2")
    assert twice["error"] == "already_commissioned"
    assert [r["command_id"] for r in Journal(tmp_path).records()] == ["open-2", "c1"]


@pytest.mark.sr("SR-33")
def test_a_late_frame_from_earlier_in_the_session_is_refused_as_stale(tmp_path) -> None:
    e = emulator(tmp_path, Clock(0.0))
    s = opened(e)
    _write(e, s, 2, "commission", commission_args(), "c1")
    assert e.handle({"op": "interrogate", "session": s, "args": {}}, 5)["ok"]
    late = _write(e, s, 4, "suspend", {}, "sus-1")
    assert (late["ok"], late["error"]) == (False, "stale")
    assert e.state.suspended is False


def test_a_new_session_ends_the_one_before(tmp_path) -> None:
    e = emulator(tmp_path, Clock(0.0))
    old = opened(e, 1)
    new = opened(e, 2)
    assert old != new
    assert e.handle({"op": "close", "session": old, "args": {}}, 3)["error"] == "no_session"
    assert e.handle({"op": "close", "session": new, "args": {}}, 3)["ok"]


@pytest.mark.sr("SR-39")
def test_the_pump_clock_never_goes_back(tmp_path) -> None:
    clock = Clock(5 * DAY)
    e = emulator(tmp_path, clock)
    s = opened(e)
    _write(e, s, 2, "commission", commission_args(), "c1")
    clock.t = 1 * DAY  # the wall clock was set back
    answer = _write(e, s, 3, "suspend", {}, "sus")
    assert answer["t"] == 5 * DAY
    assert e.serial == SERIAL


def stalled_at_1000_s(tmp_path):
    """An emulator commissioned at 0 s whose motor stalls at 1000 s: (emulator, session,
    clock), the session's next sequence number 4."""
    clock = Clock(0.0)
    e = emulator(tmp_path, clock)
    s = opened(e)
    _write(e, s, 2, "commission", commission_args(1.0), "c1")
    clock.t = 1000.0
    _write(e, s, 3, "inject", {"kind": "fault", "fault": "stall"}, "f1")
    return e, s, clock


@pytest.mark.sr("SR-32")
def test_an_interrogation_reports_each_alarms_onset_from_the_pumps_own_clock(tmp_path) -> None:
    """A stall injected at 1000 s and read at one day: the report says 1000 s, and the
    clinic's alarm row starts there (adapters/db/pumps.py), not at the reading."""
    from thecal.adapters.telemetry.codec import interrogation_from_json

    e, s, clock = stalled_at_1000_s(tmp_path)
    clock.t = DAY
    answer = e.handle({"op": "interrogate", "session": s, "args": {}}, 4)
    report = interrogation_from_json(answer["report"])
    assert report.active_alarms == ("MOTOR_STALL",)
    assert report.alarm_onsets == (("MOTOR_STALL", 1000.0),)
    assert report.alarm_priorities == (("MOTOR_STALL", "high"),)  # alarms.toml


@pytest.mark.sr("SR-29")
def test_a_silence_at_the_pump_reaches_the_clinic_through_the_interrogation(tmp_path) -> None:
    """Issue 26: a telemetry pump's silences stayed in its own log. A stall at 1000 s
    (HIGH: at most 10 min of silence, alarms.toml) silenced for 5 min at 1100 s reads
    back as silenced until 1400 s; read again after 1400 s, it is sounding again."""
    from thecal.adapters.telemetry.codec import interrogation_from_json

    e, s, clock = stalled_at_1000_s(tmp_path)
    clock.t = 1100.0
    answer = _write(e, s, 4, "silence_alarm", {"code": "MOTOR_STALL", "duration_s": 300.0}, "s1")
    assert answer.get("error") is None, answer
    clock.t = 1200.0
    ask = {"op": "interrogate", "session": s, "args": {}}
    report = interrogation_from_json(e.handle(ask, 5)["report"])
    assert report.alarm_silences == (("MOTOR_STALL", 1400.0),)
    clock.t = 1500.0
    later = interrogation_from_json(e.handle(ask, 6)["report"])
    assert later.alarm_silences == () and later.active_alarms == ("MOTOR_STALL",)


@pytest.mark.sr("SR-32")
def test_an_acknowledgement_at_the_pump_reaches_the_clinic_through_the_interrogation(
    tmp_path,
) -> None:
    """Issue 26: a telemetry pump's acknowledgement stayed in its own log. The stall at
    1000 s acknowledged at 1100 s and again at 1300 s reads back as acknowledged at
    1100 s (the first); it neither clears nor silences the alarm, and it ends with it."""
    from thecal.adapters.telemetry.codec import interrogation_from_json

    e, s, clock = stalled_at_1000_s(tmp_path)
    clock.t = 1100.0
    assert _write(e, s, 4, "acknowledge_alarm", {"code": "MOTOR_STALL"}, "a1").get("ok")
    clock.t = 1300.0
    assert _write(e, s, 5, "acknowledge_alarm", {"code": "MOTOR_STALL"}, "a2").get("ok")
    ask = {"op": "interrogate", "session": s, "args": {}}
    report = interrogation_from_json(e.handle(ask, 6)["report"])
    assert report.alarm_acknowledged == (("MOTOR_STALL", 1100.0),)
    assert report.active_alarms == ("MOTOR_STALL",) and report.alarm_silences == ()
    _write(e, s, 7, "inject", {"kind": "fault", "fault": "stall_cleared"}, "f2")
    cleared = interrogation_from_json(e.handle(ask, 8)["report"])
    assert "MOTOR_STALL" not in cleared.active_alarms and cleared.alarm_acknowledged == ()
