"""The clinic, unchanged, against pumps that are emulator processes behind the
telemetry link (THECAL_PUMP_LINK=telemetry): implant, programming, refill, the
patient's bolus, alarms, and a pump that goes silent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.clinic.conftest import T0, World, api_signed, morphine
from thecal.adapters.db.models import AlarmRow, Pump
from thecal.adapters.db.pumps import TELEMETRY_STATE
from thecal.adapters.pump.links import TelemetryLinks
from thecal.adapters.telemetry import EmulatorProcess, TelemetryPump, UdpLink
from thecal.adapters.telemetry.keystore import KeyStore
from thecal.adapters.telemetry.process import ping
from thecal.core.pump.commands import Fault
from thecal.core.pump.program import program_digest


@pytest.fixture
def telemetry_world(db_url, tmp_path):
    procs = {s: EmulatorProcess(tmp_path / s, s, epoch_s=T0) for s in ("SN-A", "SN-B")}
    try:
        for p in procs.values():
            p.start()
        keys = KeyStore(tmp_path / "keys")
        links = TelemetryLinks(
            {s: (p.host, p.port) for s, p in procs.items()}, keys, timeout_s=0.2
        )
        w = World(db_url, links)
        w.procs = procs
        w.keys = keys
        yield w
        w.engine.dispose()
    finally:
        for p in procs.values():
            p.stop()


def _history(world, serial):
    p = world.procs[serial]
    port = TelemetryPump(UdpLink(p.host, p.port), serial, key=world.keys.get(serial))
    port.interrogate(T0)
    port.hang_up()
    return [r["op"] for r in port.history]


def test_implant_commissions_the_pump_and_the_row_holds_no_state(telemetry_world) -> None:
    w = telemetry_world
    a = w.procs["SN-A"]
    assert ping(a.host, a.port)["commissioned"] is True
    with w.db.reads() as db:
        row = db.scalars(select(Pump).where(Pump.patient_id == w.a)).one()
        assert (row.state, row.state_sha256) == TELEMETRY_STATE
        assert row.reservoir_estimate_ml == pytest.approx(19.0, abs=1e-3)
    report = w.clinic.care.interrogate(w.users["physician"], w.a, T0)
    assert report.program_digest == program_digest(morphine())
    assert _history(w, "SN-A").count("commission") == 1


def test_programming_and_refill_through_the_api_reach_the_pump_process(telemetry_world) -> None:
    w = telemetry_world
    record = w.program(w.a, morphine(3300.0), T0)
    assert record["status"] == "committed"
    assert w.clinic.care.interrogate(
        w.users["physician"], w.a, T0
    ).program_digest == program_digest(morphine(3300.0))
    c = w.client("nurse")
    refill = {"add_ml": 10.0, "drugs": [{"name": "baclofen", "concentration": "2 mg/mL"}],
              "lot": "L1"}  # fmt: skip
    r = api_signed(c, f"/api/patients/{w.b}/refills/plan", f"/api/patients/{w.b}/refills", refill)
    assert r.status_code == 201, r.text
    rec = c.get(f"/api/patients/{w.b}").json()["refills"][0]
    # 19 mL in, seconds of 0.2 mL/day out: all but the 2.4 mL dead volume comes out
    assert rec["withdrawn_ml"] == pytest.approx(16.6, abs=1e-3)
    assert [op for op in _history(w, "SN-B") if op != "open"] == ["commission", "refill"]


def test_a_patient_press_over_the_link_is_answered_once(telemetry_world) -> None:
    w = telemetry_world
    c = w.client("patient")
    first = c.post(f"/api/patients/{w.a}/bolus-requests", json={"request_id": "press-1"})
    assert first.status_code == 200, first.text
    # no dose given yet: granted (an implant starts no lockout, issue 22 item 9)
    assert (first.json()["result"], first.json()["reason"]) == ("granted", None)
    again = c.post(f"/api/patients/{w.a}/bolus-requests", json={"request_id": "press-1"})
    assert again.json() == first.json()
    assert _history(w, "SN-A").count("demand") == 1


@pytest.mark.sr("SR-32")
def test_alarms_follow_what_the_pump_reports(telemetry_world) -> None:
    w = telemetry_world
    w.clinic.care.inject_fault(w.b, Fault("stall"), T0)  # pump B stalls, then is read
    p = w.procs["SN-B"]
    port = TelemetryPump(UdpLink(p.host, p.port), "SN-B", key=w.keys.get("SN-B"))
    port.interrogate(T0)
    port.hang_up()
    stalled_at = next(r["t"] for r in port.history if r["op"] == "inject")
    with w.db.reads() as db:
        rows = db.scalars(select(AlarmRow).where(AlarmRow.patient_id == w.b)).all()
        read_at = db.scalar(select(Pump.as_of_s).where(Pump.patient_id == w.b))
    # the onset is the pump's own (SR-32), not the time of the reading that found it
    assert read_at > stalled_at
    assert [(r.code, r.onset_s) for r in rows] == [("MOTOR_STALL", stalled_at)]
    w.clinic.care.inject_fault(w.a, Fault("stall"), T0)
    with w.db.reads() as db:
        rows = db.scalars(select(AlarmRow).where(AlarmRow.patient_id == w.a)).all()
        assert [(r.code, r.cleared_s) for r in rows] == [("MOTOR_STALL", None)]
    w.clinic.care.inject_fault(w.a, Fault("stall_cleared"), T0)
    with w.db.reads() as db:
        rows = db.scalars(select(AlarmRow).where(AlarmRow.patient_id == w.a)).all()
        assert [r.code for r in rows] == ["MOTOR_STALL"] and rows[0].cleared_s is not None


def test_a_silent_pump_is_a_503_and_nothing_is_saved(telemetry_world) -> None:
    w = telemetry_world
    w.procs["SN-A"].kill()
    c = w.client("nurse")
    plan = {"add_ml": 10.0, "drugs": [{"name": "morphine", "concentration": "10 mg/mL"}],
            "lot": "L2"}  # fmt: skip
    r = c.post(f"/api/patients/{w.a}/refills/plan", json=plan)
    assert r.status_code == 503, r.text
    assert "no answer from pump SN-A" in r.text
    w.procs["SN-A"].start()
    r = c.post(f"/api/patients/{w.a}/refills/plan", json=plan)
    assert r.status_code == 200, r.text
