"""Issue 25: refill appointments on the in-memory clinic. Baclofen 2000 mcg/mL at
400 mcg/day runs 0.2 mL/day; 19 mL to the 4 mL alarm is 75 d, booked 3 d earlier:
due T0 + 72 d, which is 2026-12-02 (T0 = 2026-09-21 14:13 UTC). Policy [booking]:
a window of 15 to 240 minutes, at most 200 days ahead."""

from __future__ import annotations

import pytest

from tests.services.world import ADMIN, DAY, DR, RN, T0, Clinicians, baclofen
from thecal.core.errors import Conflict, Forbidden, InputError, NotFound
from thecal.core.pump.program import DrugConcentration
from thecal.services.clinic import Principal
from thecal.services.clinic.transactions import RefillInput

PH = Principal(3, "ph.c", "ph.c", "pharmacist", None, "")


@pytest.fixture
def c() -> Clinicians:
    return Clinicians()


def paths(exc) -> list[str]:
    return sorted(p.path for p in exc.value.problems)


def test_a_nurse_books_a_refill_and_everyone_clinical_sees_it(c):
    pid = c.patient("B1", baclofen())
    aid = c.clinic.booking.book_refill(RN, pid, T0 + 30 * DAY, 30, "rn.b", "bring the kit", T0)
    [a] = c.clinic.booking.appointments(PH, T0, T0 + 60 * DAY)
    assert (a.id, a.patient_name, a.start_s, a.end_s, a.clinician, a.status) == (
        aid,
        "B1",
        T0 + 30 * DAY,
        T0 + 30 * DAY + 1800,
        "rn.b",
        "booked",
    )
    assert c.table("audit")[-1][2] == "appointment.book"
    with pytest.raises(Forbidden):
        c.clinic.booking.book_refill(PH, pid, T0 + 31 * DAY, 30, "rn.b", "", T0)


def test_a_refill_cannot_be_booked_after_it_is_due(c):
    pid = c.patient("B1", baclofen())
    with pytest.raises(InputError) as late:
        c.clinic.booking.book_refill(RN, pid, T0 + 73 * DAY, 30, "rn.b", "", T0)
    assert paths(late) == ["start"]
    assert "2026-12-02" in late.value.problems[0].message
    c.clinic.booking.book_refill(
        RN, pid, T0 + 72 * DAY - 3600, 30, "rn.b", "", T0
    )  # the day before


def test_every_problem_of_a_booking_is_named_at_once(c):
    pid = c.patient("B1", baclofen())
    with pytest.raises(InputError) as bad:
        c.clinic.booking.book_refill(
            RN, pid, T0 - 60, 10, "ph.c", "", T0
        )  # past, short, a pharmacist
    assert paths(bad) == ["clinician", "minutes", "start"]
    with pytest.raises(InputError) as far:
        c.clinic.booking.book_refill(RN, pid, T0 + 201 * DAY, 241, "nobody", "", T0)
    assert paths(far) == ["clinician", "minutes", "start"]
    assert c.clinic.booking.appointments(DR, T0 - DAY, T0 + 300 * DAY) == []


def test_one_open_booking_per_patient_and_a_cancel_needs_a_reason(c):
    pid = c.patient("B1", baclofen())
    first = c.clinic.booking.book_refill(RN, pid, T0 + 30 * DAY, 30, "rn.b", "", T0)
    with pytest.raises(Conflict):
        c.clinic.booking.book_refill(DR, pid, T0 + 20 * DAY, 30, "dr.a", "", T0)
    with pytest.raises(InputError):
        c.clinic.booking.cancel_appointment(RN, first, " ", T0)
    c.clinic.booking.cancel_appointment(RN, first, "patient on holiday", T0)
    with pytest.raises(Conflict):
        c.clinic.booking.cancel_appointment(RN, first, "again", T0)
    c.clinic.booking.book_refill(DR, pid, T0 + 20 * DAY, 30, "dr.a", "", T0)
    statuses = [a.status for a in c.clinic.booking.appointments(DR, T0, T0 + 60 * DAY)]
    assert statuses == ["booked", "cancelled"]  # day 20, then day 30


def test_a_clinician_is_not_booked_for_two_refills_at_once(c):
    """rn.b has B1 from day 30 +0 to +30 min. B2 from +20 min overlaps it by 10 min
    (refused, naming B1); B2 from +30 min starts as B1 ends (booked); a cancelled
    booking frees its window; another clinician may take the same time."""
    b1, b2, b3 = (c.patient(name, baclofen()) for name in ("B1", "B2", "B3"))
    start = T0 + 30 * DAY
    first = c.clinic.booking.book_refill(RN, b1, start, 30, "rn.b", "", T0)
    with pytest.raises(InputError) as clash:
        c.clinic.booking.book_refill(RN, b2, start + 20 * 60, 30, "rn.b", "", T0)
    assert paths(clash) == ["start"]
    assert "rn.b already has a refill in this window, with B1" in clash.value.problems[0].message
    with pytest.raises(InputError):  # one that starts before and runs into it
        c.clinic.booking.book_refill(RN, b2, start - 40 * 60, 45, "rn.b", "", T0)
    c.clinic.booking.book_refill(DR, b2, start, 30, "dr.a", "", T0)  # another clinician: fine
    c.clinic.booking.book_refill(RN, b3, start + 30 * 60, 30, "rn.b", "", T0)  # back to back
    c.clinic.booking.cancel_appointment(RN, first, "patient unwell", T0)
    b4 = c.patient("B4", baclofen())
    c.clinic.booking.book_refill(RN, b4, start + 10 * 60, 15, "rn.b", "", T0)  # B1's window freed
    booked = [(a.patient_name, a.clinician) for a in c.clinic.booking.appointments(
            DR, T0, T0 + 60 * DAY)
            if a.status == "booked"]  # fmt: skip
    assert sorted(booked) == [("B2", "dr.a"), ("B3", "rn.b"), ("B4", "rn.b")]


def test_recording_the_refill_completes_the_booking(c):
    pid = c.patient("B1", baclofen())
    c.clinic.booking.book_refill(RN, pid, T0 + 30 * DAY, 30, "rn.b", "", T0)
    drugs = (DrugConcentration("baclofen", 2000.0),)
    c.refill(RN, pid, RefillInput(16.6, drugs, None, None, "LOT1"), T0 + 30 * DAY + 600)
    [a] = c.clinic.booking.appointments(DR, T0, T0 + 60 * DAY)
    assert a.status == "done"


def test_a_clinicians_feed_link_shows_their_own_and_a_new_link_ends_the_old(c):
    pid = c.patient("B1", baclofen())
    other = c.patient("B2", baclofen())
    c.clinic.booking.book_refill(RN, pid, T0 + 30 * DAY, 30, "rn.b", "", T0)
    c.clinic.booking.book_refill(RN, other, T0 + 31 * DAY, 30, "dr.a", "", T0)
    token = c.clinic.booking.new_feed_link(RN, T0)
    user, mine = c.clinic.booking.feed(token, T0, T0 + 60 * DAY)
    assert user.username == "rn.b" and [a.patient_id for a in mine] == [pid]
    with pytest.raises(NotFound):
        c.clinic.booking.feed("not-a-link", T0, T0 + 60 * DAY)
    newer = c.clinic.booking.new_feed_link(RN, T0)
    with pytest.raises(NotFound):
        c.clinic.booking.feed(token, T0, T0 + 60 * DAY)
    assert c.clinic.booking.feed(newer, T0, T0 + 60 * DAY)[0].username == "rn.b"
    with pytest.raises(Forbidden):
        c.clinic.booking.new_feed_link(ADMIN, T0)


def test_a_patient_reads_only_their_own_booking(c):
    pid = c.patient("B1", baclofen())
    other = c.patient("B2", baclofen())
    c.clinic.booking.book_refill(RN, pid, T0 + 30 * DAY, 30, "rn.b", "", T0)
    me = Principal(99, "pt", "Pat", "patient", pid, "")
    assert c.clinic.booking.booked_refill(me, pid).start_s == T0 + 30 * DAY
    with pytest.raises(Forbidden):
        c.clinic.booking.booked_refill(me, other)
