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
