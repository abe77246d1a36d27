"""The demo clinic `make demo` serves, seeded through the use cases: every special
case the README promises is on the worklist (and the pathway and stimulator patients
are where the care pathway puts them). Eight patients: the special cases only."""

from __future__ import annotations

from sqlalchemy import select

from thecal.adapters.db import queries
from thecal.adapters.db.bootstrap import bootstrap
from thecal.adapters.db.demo import seed
from thecal.adapters.db.models import AppointmentRow, Patient, Pump

END = 1_790_000_000.0


def test_the_demo_shows_every_special_case(tmp_path):
    cdb = bootstrap(f"sqlite:///{tmp_path / 'demo.db'}")
    logins = seed(cdb, 8, END)
    assert logins["password"] == "demo-password" and len(logins["patients"]) == 6
    with cdb.reads() as db:
        page = queries.worklist_page(db, END, cdb.clinic.policy, 0, 100)
        mrn = {p.id: p.mrn for p in db.scalars(select(Patient))}
        scs = queries.scs_record(db, next(i for i, m in mrn.items() if m == "100007"))
    kinds = {(mrn[i.patient_id], i.kind) for i in page.items}
    assert ("100000", "replacement") in kinds  # implanted 2440 days ago: ERI
    assert ("100001", "refill") in kinds  # baclofen overdue
    assert ("100004", "discrepancy") in kinds  # the pump that over-delivers
    assert ("100005", "trial") in kinds  # a baclofen screening trial
    pathway = [i for i in page.items if mrn[i.patient_id] == "100006"]
    assert [(i.kind, i.urgency) for i in pathway] == [("pathway", "due soon")]
    assert "axial back pain: pump trial first" in pathway[0].detail
    # the stimulator patient: trial (mean 3.4 against 7: 51 % relief), then the implant
    assert [(d["kind"], d["outcome"], d["active"]) for d in scs["devices"]] == [
        ("implant", None, True), ("trial", "success", False)
    ]
    assert not any(mrn[i.patient_id] == "100007" for i in page.items)  # has a device
    # the coming fortnight's refills are booked, each on or before its due date
    with cdb.reads() as db:
        same_patient = Pump.patient_id == AppointmentRow.patient_id
        rows = db.execute(
            select(AppointmentRow.start_s, Pump.refill_due_s).join(Pump, same_patient)
        ).all()
    assert rows and all(END < start <= due for start, due in rows)
    cdb.dispose()


def test_demo_bookings_fall_on_clinic_days():
    """END is Monday 2026-09-21 (09:00 that day is the demo's morning): 5 days on is a
    Saturday, booked on the Friday (4); 6, a Sunday, the Friday too; 12, a Saturday,
    on Friday the 2nd (11). From a Saturday morning, 1 day on is Sunday, and the Friday
    before is past: Monday (2), unless the refill is due before then (1 stays)."""
    from thecal.adapters.db.demo import _weekday

    monday = END - END % 86_400.0 + 9 * 3600.0
    assert [_weekday(monday, d, 30) for d in (1, 4, 5, 6, 7, 12)] == [1, 4, 4, 4, 7, 11]
    saturday = monday - 2 * 86_400.0
    assert _weekday(saturday, 1, 30) == 2
    assert _weekday(saturday, 1, 1) == 1


def test_the_demo_never_deletes_a_database_it_did_not_create(tmp_path):
    """Issue 27: `serve --demo --database sqlite:///x.db` used to delete x.db first."""
    from typer.testing import CliRunner

    from thecal.entrypoints.cli import app

    mine = tmp_path / "clinic.db"
    mine.write_bytes(b"a clinic's own data")
    result = CliRunner().invoke(app, ["serve", "--demo", "--database", f"sqlite:///{mine}"])
    assert result.exit_code == 2
    assert "exists" in result.output and "--database" in result.output
    assert mine.read_bytes() == b"a clinic's own data"
