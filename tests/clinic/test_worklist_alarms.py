"""Issue 26: the worklist takes its alarms from the alarm system's priorities
(alarms.toml), not from a list of four codes: a failed self-test stops delivery with
a HIGH alarm and was missing from the list. HIGH ranks critical, MEDIUM urgent; a low
reservoir and an elective replacement stay the refill and replacement they call for."""

from __future__ import annotations

from tests.clinic.conftest import DAY, T0
from thecal.core.pump.commands import Fault
from thecal.services.clinic.worklist import CRITICAL, OVERDUE, alarm_rank, worklist_alarm_codes


def test_the_codes_and_ranks_follow_the_priorities():
    priorities = {
        "EMPTY_RESERVOIR": ("high", "high"),
        "LOW_RESERVOIR": ("low", "medium"),
        "SUSPENSION_PROLONGED": ("medium", "high"),
        "SELF_TEST_FAILURE": ("high", "high"),
        "MOTOR_STALL_RECOVERED": ("information", "information"),
        "ELECTIVE_REPLACEMENT": ("low", "medium"),
    }
    assert worklist_alarm_codes(priorities) == (
        "EMPTY_RESERVOIR",
        "SELF_TEST_FAILURE",
        "SUSPENSION_PROLONGED",
    )
    assert (alarm_rank("high"), alarm_rank("medium"), alarm_rank("low")) == (
        CRITICAL,
        OVERDUE,
        None,
    )


def test_a_failed_self_test_is_on_the_worklist_as_critical(world):
    """A corrupted program memory (program_crc) fails the hourly self-test: the pump
    stops delivering with SELF_TEST_FAILURE, HIGH priority."""
    c = world.client("nurse")
    world.clinic.care.inject_fault(world.a, Fault("program_crc"), T0 + DAY)
    world.clinic.care.sync(world.a, T0 + DAY + 2 * 3600.0)
    world.clock.t = T0 + DAY + 2 * 3600.0
    alarms = [w for w in c.get("/api/worklist").json() if w["kind"] == "alarm"]
    assert [(w["patient_id"], w["urgency"]) for w in alarms] == [(world.a, "critical")]
    assert alarms[0]["detail"].startswith("self-test failed")
    assert alarms[0]["detail"].endswith("; high priority")
    page = c.get("/worklist").text
    assert "self-test failed: nothing is delivered" in page


def test_a_telemetry_pumps_silence_and_acknowledgement_are_kept_on_the_alarm_row(world):
    """The interrogation's silence and acknowledgement (tests/telemetry) land on the
    alarm row the way an in-process pump's log does: silenced until 1400 s,
    acknowledged at the pump at 1250 s (read at 1300 s), then cleared at 1500 s."""
    from sqlalchemy import select

    from thecal.adapters.db import pumps
    from thecal.adapters.db.models import AlarmRow
    from thecal.services.ports import Interrogation

    def reading(at_s, alarms, silences, acknowledged=()):
        return Interrogation(
            at_s,
            "peristaltic-20",
            None,
            None,
            10.0,
            "stopped",
            alarms,
            False,
            0.9,
            None,
            0.0,
            alarm_onsets=(("MOTOR_STALL", 1000.0),),
            alarm_priorities=(("MOTOR_STALL", "high"),),
            alarm_silences=silences,
            alarm_acknowledged=acknowledged,
        )

    with world.db.unit_of_work() as uow:
        pumps._reconcile_alarms(
            uow.db, world.a, reading(1200.0, ("MOTOR_STALL",), (("MOTOR_STALL", 1400.0),))
        )
        uow.db.commit()
    with world.db.reads() as db:
        row = db.scalars(select(AlarmRow).where(AlarmRow.patient_id == world.a)).one()
        assert (row.onset_s, row.priority, row.silenced_until_s) == (1000.0, "high", 1400.0)
        assert row.pump_acknowledged_s is None
    stall = ("MOTOR_STALL",)
    for later in (reading(1300.0, stall, (), (("MOTOR_STALL", 1250.0),)), reading(1500.0, (), ())):
        with world.db.unit_of_work() as uow:
            pumps._reconcile_alarms(uow.db, world.a, later)
            uow.db.commit()
    with world.db.reads() as db:
        row = db.scalars(select(AlarmRow).where(AlarmRow.patient_id == world.a)).one()
        assert (row.pump_acknowledged_s, row.cleared_s) == (1250.0, 1500.0)


def test_the_worklist_names_every_withdrawal_risk_drug_it_ranks_higher(sqlite_world):
    """drugs.toml marks the four opioids, clonidine and baclofen withdrawal_risk (not
    ziconotide or bupivacaine): the page said "(baclofen)" while morphine pumps
    carried the tag too."""
    page = sqlite_world.client("nurse").get("/worklist").text
    assert ("withdrawal-risk drugs (baclofen, clonidine, fentanyl, hydromorphone, morphine, "
            "sufentanil) one level higher") in page  # fmt: skip
