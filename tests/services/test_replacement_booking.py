"""No refill is booked after the pump must be replaced (refill_due's elective
replacement date), on both routes that book: the worklist's outlook and the refill
plan. The clinic passed no replacement date to either, so a pump near the end of its
battery was booked for a refill it would not live to (issue 26).

By hand: peristaltic-20 (pumps.toml) drains 6 uA x 24 h = 144 uAh a day plus 0.0617
uAh per 0.5 uL stroke; baclofen 400 mcg/day at 2000 mcg/mL is 0.2 mL/day, 400 strokes,
24.68 uAh: 168.68 uAh/day. ERI comes 90 days before the end."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.services.world import DAY, DR, T0, Clinicians, baclofen
from thecal.core.pump.program import DrugConcentration
from thecal.services.clinic.gate import Signoff
from thecal.services.clinic.transactions import RefillInput

DRAIN = 144.0 + 400 * 0.0617
FLUID = (DrugConcentration("baclofen", 2000.0),)


def _with_charge(c: Clinicians, pid: int, uah: float, eri: bool = False) -> None:
    record = c.store.tables["pumps"][pid]
    c.store.tables["pumps"][pid] = replace(
        record, state=record.state.changed(charge_uah=uah, eri=eri)
    )


def test_the_refill_is_booked_by_the_elective_replacement_date():
    """110 days of charge: ERI projected in 110 - 90 = 20 days. The refill of 19 mL (the
    reservoir is emptied first) would otherwise be booked at the 4 mL alarm, (19 - 4) /
    0.2 = 75 days less the 3-day margin, and baclofen keeps 180 days."""
    c = Clinicians()
    pid = c.patient("B1", baclofen())
    _with_charge(c, pid, 110 * DRAIN)
    session, _ = c.clinic.therapy.plan_refill(
        DR, pid, RefillInput(19.0, FLUID, None, None, "LOT1"), Signoff(), T0
    )
    assert session.plan is not None
    assert session.plan.next_refill_reason == "elective replacement date"
    assert (session.plan.next_refill_s - T0) / DAY == pytest.approx(20.0, abs=1e-6)
    # the worklist books by the same date: an hour later the battery has lost an hour's
    # drain (DRAIN / 24), so the projected date has not moved
    c.clinic.care.sync(pid, T0 + 3600.0)
    outlook = c.store.tables["pumps"][pid].outlook
    assert outlook.refill_due_reason == "elective replacement date"
    assert (outlook.refill_due_s - T0) / DAY == pytest.approx(20.0, abs=1e-3)


def test_at_eri_the_refill_is_booked_before_the_end_of_service():
    """At ERI with 30 days of charge left: the pump stops in 30 days, so no refill is
    booked after that (and the worklist says why), not at 72 days as above."""
    c = Clinicians()
    pid = c.patient("B1", baclofen())
    _with_charge(c, pid, 30 * DRAIN, eri=True)
    session, _ = c.clinic.therapy.plan_refill(
        DR, pid, RefillInput(19.0, FLUID, None, None, "LOT1"), Signoff(), T0
    )
    assert session.plan is not None
    why = "end of service: the pump must be replaced before it"
    assert session.plan.next_refill_reason == why
    assert (session.plan.next_refill_s - T0) / DAY == pytest.approx(30.0, abs=1e-6)
    c.clinic.care.sync(pid, T0 + 3600.0)
    outlook = c.store.tables["pumps"][pid].outlook
    assert outlook.refill_due_reason == why
    assert (outlook.refill_due_s - T0) / DAY == pytest.approx(30.0, abs=1e-3)
