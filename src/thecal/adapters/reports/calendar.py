"""The worklist's dated items as an iCalendar file (RFC 5545): one all-day event per
refill and replacement due, so the clinic can book appointments in the calendar it
already uses (issue 25). The event's UID is stable for a patient and a kind, so a
calendar that imports the file again moves the appointment instead of adding one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

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



def patient_calendar(
    booked: AppointmentFacts | None, reminders_h: tuple[float, ...], now_s: float
) -> bytes:
    """The patient's own booked refill (RFC 5545) with a reminder at each of
    `reminders_h` hours before: thecal sends no messages, so the patient's calendar
    application reminds them. No appointment booked: an empty calendar, which removes
    a stale one when the file is imported again (same UID as the clinic's feed)."""
    cal = Calendar()
    cal.add("prodid", "-//thecal//my refill appointment//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "My pump refill")
    if booked is not None:
        event = Event()
        event.add("uid", f"appointment-{booked.id}@thecal")
        event.add("dtstamp", datetime.fromtimestamp(now_s, UTC))
        event.add("dtstart", datetime.fromtimestamp(booked.start_s, UTC))
        event.add("dtend", datetime.fromtimestamp(booked.end_s, UTC))
        event.add("status", "CONFIRMED")
        event.add("summary", "Pump refill at the clinic")
        event.add("description", "Your pump is refilled at this appointment. If you cannot "
                                 "come, call the clinic: a pump must not run empty.")  # fmt: skip
        for hours in sorted(reminders_h, reverse=True):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", timedelta(hours=-hours))
            alarm.add("description", f"Pump refill at the clinic in {hours:g} hours")
            event.add_component(alarm)
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
