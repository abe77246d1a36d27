"""The words the use cases store and compare, as types (issue 27).

A session's outcome, an appointment's state: each was a string typed out where it
was written and where it was read, so a misspelling compared unequal in silence.
They are StrEnums, so they are still the plain words in the database, the JSON and
the templates (`SessionStatus.COMMITTED == "committed"`), and mypy knows the set.
"""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    """How a programming or refill session ended (SR-04, SR-33): committed only when
    the pump's read-back matched what was signed."""

    OPEN = "open"
    COMMITTED = "committed"
    INCOMPLETE = "incomplete"  # ended or read back without the change confirmed
    UNCERTAIN = "uncertain"  # the link failed mid-write: what the pump holds is unknown


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    DONE = "done"  # the refill was recorded
    CANCELLED = "cancelled"
