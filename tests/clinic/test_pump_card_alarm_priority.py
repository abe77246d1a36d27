"""The pump card colours each active alarm by the IEC 60601-1-8 priority it sounded
with; it used to colour every alarm as critical, a recovered stall (information) too.
Priorities by hand from data/alarms.toml: ELECTIVE_REPLACEMENT low, raised to medium
with baclofen in the reservoir (as the pump logged it); LOW_RESERVOIR low;
MOTOR_STALL_RECOVERED information; EMPTY_RESERVOIR high."""

from __future__ import annotations

import re

from sqlalchemy import insert, update

from tests.clinic.conftest import T0
from thecal.adapters.db.models import AlarmRow, Pump

CODES = "ELECTIVE_REPLACEMENT,LOW_RESERVOIR,MOTOR_STALL_RECOVERED,EMPTY_RESERVOIR"


def test_each_active_alarm_is_coloured_by_the_priority_it_sounded_with(sqlite_world):
    w = sqlite_world
    with w.engine.begin() as db:
        db.execute(update(Pump).where(Pump.patient_id == w.b).values(alarms=CODES))
        # the baclofen pump logged its ERI at the raised priority; the rest have no row,
        # or a row from before priorities were kept, and take the code's own
        db.execute(insert(AlarmRow).values(
            patient_id=w.b, code="ELECTIVE_REPLACEMENT", severity="info", onset_s=T0 - 3600,
            priority="medium"))  # fmt: skip
        db.execute(insert(AlarmRow).values(
            patient_id=w.b, code="LOW_RESERVOIR", severity="warning", onset_s=T0 - 3600))
    page = w.client("physician").get(f"/patients/{w.b}").text
    card = re.search(r'<div class="card" id="pump-card">(.*?)</div>', page, re.S)[1]
    tags = re.findall(r'<span class="tag (\w+)" title="(\w+) priority" data-priority="\w+">'
                      r"([^<]+)</span>", card)  # fmt: skip
    assert tags == [
        ("overdue", "medium", "battery at elective replacement"),
        ("soft", "low", "reservoir low"),
        ("info", "information", "motor stall recovered"),
        ("critical", "high", "pump empty: nothing is delivered"),
    ]


def test_a_cleared_alarms_row_does_not_lend_its_priority(sqlite_world):
    """An earlier ERI at another priority, since cleared, is not what sounds now."""
    w = sqlite_world
    with w.engine.begin() as db:
        db.execute(update(Pump).where(Pump.patient_id == w.a)
                   .values(alarms="ELECTIVE_REPLACEMENT"))  # fmt: skip
        db.execute(insert(AlarmRow).values(
            patient_id=w.a, code="ELECTIVE_REPLACEMENT", severity="info", onset_s=T0 - 7200,
            cleared_s=T0 - 3600, priority="medium"))  # fmt: skip
    page = w.client("physician").get(f"/patients/{w.a}").text
    card = re.search(r'<div class="card" id="pump-card">(.*?)</div>', page, re.S)[1]
    assert 'title="low priority"' in card and "medium" not in card
