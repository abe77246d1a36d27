"""Issue 25: refill appointments on a real database (SQLite and PostgreSQL), from the
browser's forms and the API, on the calendar, the worklist and a subscribed feed.
T0 is 2026-09-21 14:13 UTC; Ann's refill is due in about 45 days (early November), so
1 October is in time and 20 December is not. Expected instants are worked out with
datetime from the clinic's zone, not read back from thecal."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from tests.clinic.conftest import DAY, T0, World
from thecal.adapters.db.models import AlarmRow, AppointmentRow
from thecal.entrypoints.web import create_app

OCT_1_0930_UTC = datetime(2026, 10, 1, 9, 30, tzinfo=UTC).timestamp()


def booked(world) -> list[AppointmentRow]:
    with world.db.reads() as db:
        return list(db.scalars(select(AppointmentRow).order_by(AppointmentRow.id)))


def book(c, pid: int, day: str, at: str, minutes: str = "30", clinician: str = "nurse"):
    return c.post(
        f"/patients/{pid}/appointment",
        follow_redirects=False,
        data={
            "csrf": c.headers["X-CSRF-Token"],
            "date": day,
            "time": at,
            "minutes": minutes,
            "clinician": clinician,
            "note": "bring kit",
        },
    )


def test_a_nurse_books_from_the_form_and_the_week_shows_it(world):
    c = world.client("nurse")
    r = book(c, world.a, "2026-10-01", "09:30")
    assert r.status_code == 303 and r.headers["location"] == "/calendar?week=2026-10-01"
    [a] = booked(world)
    assert (a.start_s, a.end_s, a.clinician, a.status) == (
        OCT_1_0930_UTC,
        OCT_1_0930_UTC + 1800,
        "nurse",
        "booked",
    )
    week = c.get("/calendar?week=2026-10-01").text
    assert "week of 2026-09-28" in week  # the Monday
    thursday = week.split('aria-label="Thursday 2026-10-01"')[1].split("</section>")[0]
    assert "09:30-10:00" in thursday and "Ann Able" in thursday
    page = c.get(f"/patients/{world.a}/appointment").text
    assert "2026-10-01 09:30" in page and "Cancel this appointment" in page


def test_the_api_lists_the_weeks_appointments_with_their_declared_fields(world):
    """GET /api/appointments answers the appointments as /openapi.json declares them
    (it answered each object's __dict__, undeclared)."""
    c = world.client("nurse")
    book(c, world.a, "2026-10-01", "09:30")
    week = {"from_s": OCT_1_0930_UTC - 3 * DAY, "to_s": OCT_1_0930_UTC + 4 * DAY}
    [a] = c.get("/api/appointments", params=week).json()
    assert {k: a[k] for k in ("patient_id", "kind", "start_s", "end_s", "clinician",
                              "booked_by", "status", "note", "patient_name")} == {
        "patient_id": world.a, "kind": "refill", "start_s": OCT_1_0930_UTC,
        "end_s": OCT_1_0930_UTC + 1800, "clinician": "nurse", "booked_by": "nurse",
        "status": "booked", "note": "bring kit", "patient_name": "Ann Able",
    }  # fmt: skip
    declared = c.get("/openapi.json").json()["components"]["schemas"]["AppointmentFacts"]
    assert set(declared["properties"]) == set(a)
    later = {"from_s": OCT_1_0930_UTC + DAY, "to_s": OCT_1_0930_UTC + 4 * DAY}
    assert c.get("/api/appointments", params=later).json() == []


def test_a_bad_booking_names_each_field_and_a_late_one_names_the_due_date(world):
    c = world.client("nurse")
    r = book(c, world.a, "2026-13-01", "25:00", minutes="abc")
    assert r.status_code == 422
    for field in ("date", "time", "minutes"):
        assert re.search(rf'id="f-{field}-error">[^<]+<', r.text), field
    late = book(c, world.a, "2026-12-20", "09:30")
    assert late.status_code == 422
    assert "after the refill is due" in re.search(r'id="f-date-error">([^<]+)<', late.text)[1]
    assert 'value="2026-12-20"' in late.text  # kept as typed
    pharmacist = book(c, world.a, "2026-10-01", "09:30", clinician="pharmacist")
    assert pharmacist.status_code == 422 and "physician or nurse" in pharmacist.text
    assert booked(world) == []


def test_a_missed_appointment_is_on_the_worklist_until_cancelled(world):
    c = world.client("nurse")
    assert book(c, world.a, "2026-09-22", "09:00").status_code == 303
    world.clock.t = T0 + 2 * DAY
    items = [w for w in c.get("/api/worklist").json() if w["kind"] == "appointment"]
    assert [(w["patient_id"], w["urgency"]) for w in items] == [(world.a, "urgent")]
    assert "2026-09-22" in items[0]["detail"]
    page = c.get("/worklist").text
    assert "Missed refill appointments" in page and "Rebook" in page
    [a] = booked(world)
    r = c.post(f"/api/appointments/{a.id}/cancel", json={"reason": "patient unwell"})
    assert r.status_code == 200
    assert [w for w in c.get("/api/worklist").json() if w["kind"] == "appointment"] == []


def test_the_feed_link_serves_the_clinicians_appointments_without_a_login(world):
    nurse = world.client("nurse")
    book(nurse, world.a, "2026-10-01", "09:30")
    r = nurse.post("/calendar/link", data={"csrf": nurse.headers["X-CSRF-Token"]})
    link = re.search(r'<code id="feed-link">([^<]+)</code>', r.text)[1]
    path = link.split("://", 1)[1].split("/", 1)[1]
    feed = world.client().get("/" + path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    body = feed.text.replace("\r\n ", "")
    assert "SUMMARY:Pump refill: Ann Able" in body
    assert "DTSTART:20261001T093000Z" in body and "DTEND:20261001T100000Z" in body
    assert world.client().get("/api/calendar/not-the-link.ics").status_code == 404
    physician = world.client("physician")
    other = physician.post("/calendar/link", data={"csrf": physician.headers["X-CSRF-Token"]})
    theirs = re.search(r'<code id="feed-link">([^<]+)</code>', other.text)[1]
    mine = world.client().get("/" + theirs.split("://", 1)[1].split("/", 1)[1]).text
    assert "BEGIN:VEVENT" not in mine  # the nurse's appointment is not the physician's


def test_the_api_books_with_an_offset_and_the_forms_read_the_clinics_zone(db_url, tmp_path):
    """09:30 on 1 October in London is 08:30 UTC (British Summer Time until 25 October);
    the API's 09:30+02:00 is 07:30 UTC."""
    w = World(db_url)
    try:
        w.app = create_app(w.db, w.clock, time_zone="Europe/London")
        c = w.client("nurse")
        assert book(c, w.a, "2026-10-01", "09:30").status_code == 303
        r = c.post(
            f"/api/patients/{w.b}/appointments",
            json={"start": "2026-10-01T09:30:00+02:00", "minutes": 45, "clinician": "physician"},
        )
        assert r.status_code == 201, r.text
        starts = [(a.patient_id, a.start_s, a.end_s - a.start_s) for a in booked(w)]
        assert starts == [
            (w.a, datetime(2026, 10, 1, 8, 30, tzinfo=UTC).timestamp(), 1800.0),
            (w.b, datetime(2026, 10, 1, 7, 30, tzinfo=UTC).timestamp(), 2700.0),
        ]
        naive = c.post(
            f"/api/patients/{w.b}/appointments",
            json={"start": "2026-10-02T09:30:00", "minutes": 30, "clinician": "nurse"},
        )
        assert naive.status_code == 422  # a time without its offset names no instant
        assert "(Europe/London)" in c.get("/calendar").text
    finally:
        w.engine.dispose()


def test_the_patient_sees_their_booked_refill_in_the_portal(world):
    """Booked at T0 (2026-09-21 14:13 UTC) for Thursday 1 October 09:30: 9.8 days ahead,
    "in 10 days"."""
    book(world.client("nurse"), world.a, "2026-10-01", "09:30")
    portal = world.client("patient").get("/portal").text
    shown = re.search(r'id="appointment">([^<]+)<', portal)[1]
    assert shown == "Thursday 2026-10-01 at 09:30, in 10 days"


def test_the_patient_takes_the_refill_into_their_calendar_with_reminders(world):
    """Issue 25 (reminders): thecal sends no messages, so the portal offers the booked
    refill as a calendar file whose alarms remind a day and two hours before (policy
    [booking] reminder_hours_before = [24, 2]); with none booked, the file is empty."""
    patient = world.client("patient")
    assert "refill-calendar" not in patient.get("/portal").text  # nothing booked yet
    empty = patient.get("/api/portal/refill.ics")
    assert empty.status_code == 200 and "BEGIN:VEVENT" not in empty.text
    book(world.client("nurse"), world.a, "2026-10-01", "09:30")
    portal = patient.get("/portal").text
    assert 'href="/api/portal/refill.ics"' in portal
    assert "it reminds you 24 hours and 2 hours before" in portal
    body = patient.get("/api/portal/refill.ics").text.replace("\r\n ", "")
    assert "DTSTART:20261001T093000Z" in body and "DTEND:20261001T100000Z" in body
    assert body.count("BEGIN:VALARM") == 2
    assert "TRIGGER:-P1D" in body and "TRIGGER:-PT2H" in body
    assert "SUMMARY:Pump refill at the clinic" in body
    # a clinician has no "own" refill: the file is the patient's
    assert world.client("nurse").get("/api/portal/refill.ics").status_code == 403


def test_booking_an_empty_pump_says_since_when_it_delivers_nothing(world):
    """Booking Robin Nakamura's refill (the demo's morphine pump empty for 50 days) read
    only "due by 2026-09-18 (overdue ...)" under a hint to book "on or before the due
    date", a date long gone. Ann: 19 mL at 0.3 mL/day runs dry after about 63 days
    (19 / 0.3 = 63.3); ten days after the alarm the page says so."""
    c = world.client("nurse")
    # a pump delivering: no alarm line, the usual hint
    fresh = c.get(f"/patients/{world.a}/appointment").text
    assert 'id="empty-pump"' not in fresh and "on or before the due date" in fresh
    world.clinic.care.sync(world.a, T0 + 70 * DAY)
    with world.db.reads() as db:
        onset = db.scalars(select(AlarmRow.onset_s).where(
            AlarmRow.patient_id == world.a, AlarmRow.code == "EMPTY_RESERVOIR")).one()  # fmt: skip
    assert T0 + 60 * DAY < onset < T0 + 64 * DAY
    world.clock.t = onset + 10 * DAY
    page = c.get(f"/patients/{world.a}/appointment").text
    day = datetime.fromtimestamp(onset, UTC).date().isoformat()
    words = " ".join(re.sub(r"<[^>]+>", " ", page.split('id="empty-pump"', 1)[1]).split())
    assert words.startswith(f'role="alert">The pump is empty: nothing is delivered since {day} '
                            "(10 days). Book the first time free today")  # fmt: skip
    assert "as soon as you can: the refill is overdue" in page
    assert "on or before the due date" not in page
