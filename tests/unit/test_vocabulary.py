"""The typed words (issue 27): the permission names mypy checks are exactly the
table's, and the enums are still the plain words stored in the database."""

from __future__ import annotations

from typing import get_args

from thecal.services.clinic.permissions import PERMISSIONS, ROLES, Permission, Role
from thecal.services.vocabulary import AppointmentStatus, SessionStatus


def test_every_permission_a_use_case_may_name_is_in_the_table_and_no_other() -> None:
    assert set(get_args(Permission)) == set(PERMISSIONS)
    assert len(get_args(Permission)) == len(PERMISSIONS)


def test_roles_and_statuses_are_the_stored_words() -> None:
    assert [str(r) for r in ROLES] == ["admin", "physician", "nurse", "pharmacist", "patient"]
    assert Role("nurse") is Role.NURSE
    assert [s.value for s in SessionStatus] == ["open", "committed", "incomplete", "uncertain"]
    assert [s.value for s in AppointmentStatus] == ["booked", "done", "cancelled"]
    # a StrEnum is its word wherever a string was compared before
    assert SessionStatus.COMMITTED == "committed" and f"{Role.PHARMACIST}" == "pharmacist"


def test_a_stored_session_record_has_exactly_the_typed_keys() -> None:
    """SessionRecord is what the use cases answer and store: every key a committed
    program's record carries is declared, and every required key is there."""
    from tests.services.world import DAY, DR, T0, Clinicians, baclofen
    from thecal.services.clinic.gate import Signoff
    from thecal.services.vocabulary import SessionRecord

    c = Clinicians()
    pid = c.patient("B1", baclofen(400.0))
    review = c.clinic.therapy.check_program(DR, pid, baclofen(420.0), Signoff(), T0 + 2 * DAY)
    record = c.clinic.therapy.commit_program(DR, pid, baclofen(420.0), "titration",
                                             c.signed(review), T0 + 2 * DAY,
                                             review.therapy_version)  # fmt: skip
    assert set(record) <= set(SessionRecord.__annotations__)
    assert SessionRecord.__required_keys__ <= set(record)
    assert record["status"] == "committed" and record["session_id"] >= 1
