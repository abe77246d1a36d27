"""Refill appointments (issue 25): each booked refill is an appointment with a date, a
time window and the clinician who will do it; recording the refill completes it; a
window that passes with the refill still undone goes on the worklist as missed.

Why these rules: a pump must be refilled before it reaches its alarm, so a refill
booked after its due date is refused while that date is still ahead (an overdue pump
is booked as soon as can be); one open booking per patient, so two screens never
disagree on when the patient comes; only a physician or a nurse can do a refill, so
only they can be booked for one. A clinician's calendar is published as an iCalendar
feed behind a secret link of their own, which a calendar application can subscribe
to without a password; a new link ends the old one.
"""

from __future__ import annotations

import hashlib
import secrets

from thecal.core.errors import Conflict, InputError, NotFound, Problem
from thecal.core.safety import Policy
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.clinic import words
from thecal.services.clinic.base import ClinicBase, can_see, need_reason
from thecal.services.clinic.outlook import outlook
from thecal.services.clinic.permissions import allowed, authorize
from thecal.services.clinic.ports import AppointmentFacts, Principal, UserFacts
from thecal.services.vocabulary import AppointmentStatus


def booking_problems(start_s: float, minutes: float, now_s: float, due_s: float | None,
                     clinician: UserFacts | None, policy: Policy,
                     theirs: tuple[AppointmentFacts, ...] = ()) -> list[Problem]:  # fmt: skip
    """Everything wrong with a booking, at once (empty: it may be booked). `theirs`
    are the clinician's appointments near the window: one still booked that overlaps
    it is a double booking (a clinician does one refill at a time)."""
    problems = []
    lo, hi = policy.booking.window_min_minutes, policy.booking.window_max_minutes
    if not lo <= minutes <= hi:
        problems.append(Problem("minutes", f"{lo:g} to {hi:g} minutes"))
    ahead = policy.booking.ahead_max_days
    if start_s < now_s:
        problems.append(Problem("start", "in the past: choose a time from now on"))
    elif start_s > now_s + ahead * SECONDS_PER_DAY:
        problems.append(Problem("start", f"more than {ahead:g} days ahead"))
    elif due_s is not None and now_s < due_s < start_s:
        problems.append(Problem("start", f"after the refill is due ({words.date(due_s)}): "
                                         "book on or before that day"))  # fmt: skip
    if clinician is None or not clinician.active or not allowed("refills.record", clinician.role):
        problems.append(Problem("clinician", "an active physician or nurse, who can refill"))
    end_s = start_s + minutes * 60.0
    for a in theirs:
        if a.status == AppointmentStatus.BOOKED and a.start_s < end_s and start_s < a.end_s:
            problems.append(Problem("start", f"{a.clinician} already has a refill in this "
                                    f"window, with {a.patient_name}: choose another time or "
                                    "another clinician (the calendar shows the week)"))  # fmt: skip
            break
    return problems


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Booking(ClinicBase):
    def book_refill(self, who: Principal, patient_id: int, start_s: float, minutes: float,
                    clinician: str, note: str, now_s: float) -> int:  # fmt: skip
        authorize(who.role, "appointments.write")
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            i = stored.pump.interrogate(now_s)
            due = outlook(i, stored.model, self.library, self.policy,
                          stored.last_refill_s, stored.naive_fill).refill_due_s  # fmt: skip
            staff = next((u for u in uow.users.all() if u.username == clinician), None)
            longest_s = self.policy.booking.window_max_minutes * 60.0
            near = uow.appointments.between(start_s - longest_s, start_s + minutes * 60.0,
                                            clinician)  # fmt: skip
            problems = booking_problems(start_s, minutes, now_s, due, staff, self.policy,
                                        tuple(near))  # fmt: skip
            if problems:
                raise InputError("appointment not booked", problems)
            booked = uow.appointments.open_for(patient_id)
            if booked is not None:
                raise Conflict(f"a refill is already booked for {words.date(booked.start_s)}: "
                               "cancel it first to book another time")  # fmt: skip
            a = AppointmentFacts(0, patient_id, "refill", start_s, start_s + minutes * 60.0,
                                 clinician, who.username, AppointmentStatus.BOOKED,
                                 note.strip()[:500])  # fmt: skip
            appointment_id = uow.appointments.add(a, now_s)
            self._save(uow, stored, now_s, reading=False, interrogation=i)
            what = {"appointment": appointment_id, "start_s": start_s, "minutes": minutes,
                    "clinician": clinician}  # fmt: skip
            uow.audit.append(now_s, who.username, "appointment.book", "patient", patient_id,
                             "refill booked", what)  # fmt: skip
            uow.commit()
            return appointment_id

    def cancel_appointment(self, who: Principal, appointment_id: int, reason: str,
                           now_s: float) -> None:  # fmt: skip
        authorize(who.role, "appointments.write")
        need_reason(reason)
        with self.uow() as uow:
            a = uow.appointments.get(appointment_id)
            if a.status != AppointmentStatus.BOOKED:
                raise Conflict(f"this appointment is already {a.status}")
            uow.appointments.close(appointment_id, AppointmentStatus.CANCELLED, now_s)
            uow.audit.append(now_s, who.username, "appointment.cancel", "patient", a.patient_id,
                             reason, {"appointment": appointment_id})  # fmt: skip
            uow.commit()

    def appointments(self, who: Principal, from_s: float, to_s: float,
                     clinician: str | None = None) -> list[AppointmentFacts]:  # fmt: skip
        """Booked, done and cancelled appointments starting in [from_s, to_s)."""
        authorize(who.role, "appointments.read")
        with self.uow() as uow:
            return uow.appointments.between(from_s, to_s, clinician)

    def refill_clinicians(self, who: Principal) -> list[UserFacts]:
        """Who can be booked for a refill: active physicians and nurses."""
        authorize(who.role, "appointments.read")
        with self.uow() as uow:
            return [u for u in uow.users.all()
                    if u.active and allowed("refills.record", u.role)]  # fmt: skip

    def open_appointment(self, who: Principal, patient_id: int) -> AppointmentFacts | None:
        authorize(who.role, "appointments.read")
        with self.uow() as uow:
            return uow.appointments.open_for(patient_id)

    def booked_refill(self, who: Principal, patient_id: int) -> AppointmentFacts | None:
        """The patient's next booked refill: for the clinic, and for the patient's own
        portal (a patient sees only their own)."""
        authorize(who.role, "patients.read")
        can_see(who, patient_id)
        with self.uow() as uow:
            return uow.appointments.open_for(patient_id)

    def new_feed_link(self, who: Principal, now_s: float) -> str:
        """A new secret for `who`'s calendar feed; the old link stops working."""
        authorize(who.role, "appointments.read")
        token = secrets.token_urlsafe(32)
        with self.uow() as uow:
            uow.users.set_feed(who.user_id, feed_digest(token))
            uow.audit.append(now_s, who.username, "calendar.link", "user", who.user_id,
                             "new calendar feed link", {})  # fmt: skip
            uow.commit()
        return token

    def feed(
        self, token: str, from_s: float, to_s: float
    ) -> tuple[UserFacts, list[AppointmentFacts]]:
        """The appointments of the clinician whose feed link this is (NotFound for a
        link that is wrong, replaced or of a deactivated account: one answer)."""
        with self.uow() as uow:
            user = uow.users.by_feed(feed_digest(token)) if token else None
            if user is None or not allowed("appointments.read", user.role):
                raise NotFound("no such calendar")
            return user, uow.appointments.between(from_s, to_s, user.username)
