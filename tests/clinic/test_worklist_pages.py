"""A worklist page read on its own is exactly that slice of the whole worklist."""

from __future__ import annotations

from sqlalchemy import select

from tests.clinic.conftest import DAY, T0, baclofen, morphine
from thecal.adapters.db import queries
from thecal.adapters.db.models import RefillRow
from thecal.adapters.db.worklist_rows import SqlWorklistRows
from thecal.core.pump.commands import Fault
from thecal.core.pump.program import DrugConcentration, Program, Step
from thecal.services.clinic.transactions import RefillInput


def ziconotide(mcg_per_day: float) -> Program:
    """No withdrawal risk (drugs.toml): its refills rank one level lower."""
    return Program(
        (DrugConcentration("ziconotide", 25.0),), (Step(0.0, dose_mcg_per_s=mcg_per_day / DAY),)
    )


def test_every_page_is_the_slice_of_the_whole_list(sqlite_world) -> None:
    w = sqlite_world
    for i in range(14):  # with and without withdrawal risk; implants a few days apart
        program = (baclofen(), morphine(2000.0 + 150 * i), ziconotide(2.0 + 0.1 * i))[i % 3]
        w.implanted_patient(f"M{i}", program, 19.0 - i, T0 + i * 0.7 * DAY)
    now = T0 + 40 * DAY
    for pid in range(1, 17):  # the pumps run to `now`: the small fills empty (alarms)
        w.clinic.care.sync(pid, now)
    with w.db.reads() as db:
        whole = queries.worklist(db, now, w.clinic.policy)
        kinds = {item.kind for item in whole}
        assert {"refill", "alarm"} <= kinds and len(whole) >= 12
        risks = {item.withdrawal_risk for item in whole if item.kind == "refill"}
        assert risks == {True, False}
        for limit in (1, 3, 5):
            for offset in range(0, len(whole) + 2, limit):
                page = queries.worklist_page(db, now, w.clinic.policy, offset, limit)
                assert page.items == whole[offset : offset + limit], (offset, limit)
                assert page.total == len(whole)


def test_a_later_withdrawal_risk_refill_outranks_an_earlier_one_on_every_page(
    sqlite_world,
) -> None:
    """Five overdue pumps without withdrawal risk, due first, and five with it, due
    later: the later ones rank critical and come first, on page 1 as in the whole."""
    from thecal.adapters.db.models import Pump

    w = sqlite_world
    for i in range(10):
        w.implanted_patient(f"R{i}", morphine(), 19.0, T0)
    with w.db.reads() as db, db.begin():  # the test arranges due dates by hand
        for row in db.query(Pump).all():
            row.refill_due_s, row.withdrawal_risk = T0 + 30 * DAY, False  # not overdue yet
        rows = db.query(Pump).order_by(Pump.patient_id).all()[2:]
        for i, row in enumerate(rows):
            late = i >= 5  # due later, but a withdrawal risk
            row.refill_due_s = T0 + (1 + i) * DAY
            row.withdrawal_risk = late
    now = T0 + 11 * DAY
    with w.db.reads() as db:
        page = queries.worklist_page(db, now, w.clinic.policy, 0, 3)
        assert [(i.rank, i.due_s) for i in page.items] == [
            (0, T0 + 6 * DAY), (0, T0 + 7 * DAY), (0, T0 + 8 * DAY)
        ]  # fmt: skip
        assert page.total == 12


def test_the_refill_calendar_has_one_event_per_dated_item(sqlite_world):
    """At day 30, patient A (morphine 0.3 mL/day + 3 x 0.01 mL boluses = 0.33 mL/day,
    19 mL, low alarm 3 mL) is due at (19 - 3) / 0.33 - 3 = 45.48 d: inside the 21-day
    horizon. Patient B (baclofen 0.2 mL/day, low alarm 4 mL) is due at 75 - 3 = 72 d:
    outside it. One event, on A's due date, with a stable UID."""
    from datetime import UTC, datetime

    from icalendar import Calendar

    w = sqlite_world
    w.clock.t = T0 + 30 * DAY
    c = w.client("nurse")
    assert 'href="/api/worklist.ics"' in c.get("/worklist").text
    r = c.get("/api/worklist.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(r.content).walk("VEVENT")
    due = T0 + ((19 - 3) / 0.33 - 3) * DAY
    assert [(str(e["uid"]), e["dtstart"].dt) for e in events] == [
        (f"refill-{w.a}@thecal", datetime.fromtimestamp(due, UTC).date())
    ]
    assert str(events[0]["summary"]).startswith("Refill: ")
    assert w.client("patient").get("/api/worklist.ics").status_code == 403


def test_the_discrepancy_rows_leave_out_first_fills(world) -> None:
    """Every implant writes a first-fill refill row, never with a check to acknowledge
    (services/clinic/first_fill.py); the worklist read them all at each recompute (at
    10,000 patients its page took 300 ms instead of 33). Only refills that can hold a
    check are read: Ann's and Bo's first fills are not, a refill with a discrepancy is."""
    w = world
    with w.db.reads() as db:
        classes = sorted(db.scalars(select(RefillRow.classification)))
        assert classes == ["first fill", "first fill"]  # Ann's and Bo's implants
        assert SqlWorklistRows(db).refills_with_checks(T0 - DAY) == []
    # Bo's pump over-delivers by half: 3 mL less comes out at his refill than expected
    # (test_api.py's hand-worked case: 7.6 mL withdrawn, 10.6 expected)
    w.clinic.care.inject_fault(w.b, Fault("bias", 0.5), T0 + 1)
    baclofen_fluid = (DrugConcentration("baclofen", 2000.0),)
    w.refill(w.b, RefillInput(10.0, baclofen_fluid, None, None, "L1"), T0 + 30 * DAY)
    with w.db.reads() as db:
        [row] = SqlWorklistRows(db).refills_with_checks(T0 - DAY)
    assert row.patient_id == w.b and row.open_checks == ("REFILL_DISCREPANCY",)
