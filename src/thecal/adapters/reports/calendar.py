"""The worklist's dated items as an iCalendar file (RFC 5545): one all-day event per
refill and replacement due, so the clinic can book appointments in the calendar it
already uses (issue 25). The event's UID is stable for a patient and a kind, so a
calendar that imports the file again moves the appointment instead of adding one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from thecal.services.clinic.ports import AppointmentFacts
from thecal.services.clinic.worklist import WorkItem
from thecal.services.vocabulary import AppointmentStatus

KINDS = {"refill": "Refill", "replacement": "Pump replacement"}


def worklist_calendar(items: list[WorkItem], now_s: float) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//thecal//refill calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "thecal: refills and replacements")
    stamp = datetime.fromtimestamp(now_s, UTC)
    for item in items:
        if item.kind not in KINDS or item.due_s is None:
            continue
        day = datetime.fromtimestamp(max(item.due_s, now_s), UTC).date()
        event = Event()
        event.add("uid", f"{item.kind}-{item.patient_id}@thecal")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        overdue = " (overdue)" if item.due_s < now_s else ""
        event.add("summary", f"{KINDS[item.kind]}{overdue}: {item.name} ({item.mrn})")
        event.add("description", f"{item.urgency}: {item.detail}")
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


STATUS = {
    AppointmentStatus.BOOKED: "CONFIRMED",
    AppointmentStatus.DONE: "CONFIRMED",
    AppointmentStatus.CANCELLED: "CANCELLED",
}


def appointments_calendar(clinician: str, found: list[AppointmentFacts], now_s: float) -> bytes:
    """One clinician's refill appointments (RFC 5545), each with its time window in UTC
    (a calendar application shows it in the reader's own zone); a cancelled one stays
    as CANCELLED, so a subscribed calendar removes it instead of keeping a stale copy."""
    cal = Calendar()
    cal.add("prodid", "-//thecal//refill appointments//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"thecal: refills for {clinician}")
    stamp = datetime.fromtimestamp(now_s, UTC)
    for a in found:
        event = Event()
        event.add("uid", f"appointment-{a.id}@thecal")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.fromtimestamp(a.start_s, UTC))
        event.add("dtend", datetime.fromtimestamp(a.end_s, UTC))
        event.add("status", STATUS.get(a.status, "TENTATIVE"))
        done = "" if a.status == AppointmentStatus.BOOKED else f" ({a.status})"
        event.add("summary", f"Pump refill: {a.patient_name}{done}")
        event.add("description", a.note or "refill appointment booked in thecal")
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical

