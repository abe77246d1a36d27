"""On the real databases (SQLite and PostgreSQL): a new ziconotide pump's first refill
is booked 14 days after the implant (a naive pump's first fill, drugs-and-dosing F8)
and the flag survives the row; the worklist reads that date. Ziconotide 25 mcg/mL at
1.2 mcg/day: 19 mL would last about 395 days, so the 14 days set the date."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db.models import Pump
from thecal.core.pump.program import DrugConcentration, Program, Step


def test_a_new_ziconotide_pump_is_booked_by_the_first_fill_limit(world):
    zic = (DrugConcentration("ziconotide", 25.0),)
    program = Program(zic, (Step(0.0, dose_mcg_per_s=1.2 / DAY),), low_reservoir_alarm_ml=3.0)
    pid = world.implanted_patient("Z1", program, 19.0, T0)
    world.clinic.care.sync(pid, T0 + DAY)
    with world.db.reads() as db:
        row = db.scalars(select(Pump).where(Pump.patient_id == pid)).one()
        assert row.naive_fill is True
        assert row.refill_due_s == pytest.approx(T0 + 14 * DAY)
        assert row.refill_due_reason.startswith("ziconotide first fill of a naive pump")
