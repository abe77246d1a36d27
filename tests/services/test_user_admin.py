"""Issue 25: the clinic's accounts administered through one use case (the Users
screen, the API, `thecal users add` and the demo seed all call it), and a patient's
facts corrected with an audit of before and after. Each rule is written out here
from the issue: policy [login] password_min_chars = 10; an admin never changes their
own account; the last active admin stays one; a patient login stays a patient's."""

from __future__ import annotations

import pytest

from tests.services.world import ADMIN, DR, PASSWORD, RN, T0, Clinicians
from thecal.core.errors import Conflict, Forbidden, InputError, NotFound
from thecal.services.clinic import Principal


@pytest.fixture
def c() -> Clinicians:
    return Clinicians()


def admin_of(c: Clinicians, name: str = "ad.min") -> Principal:
    uid = c.clinic.user_admin.add_user(ADMIN, name, "An Admin", PASSWORD, "admin", None, T0)
    return Principal(uid, name, "An Admin", "admin", None, "")


def uid_of(c: Clinicians, username: str) -> int:
    return next(u.user_id for u in c.clinic.user_admin.users(ADMIN) if u.username == username)


def paths(exc: pytest.ExceptionInfo) -> list[str]:
    return [p.path for p in exc.value.problems]


def last_audit(c: Clinicians) -> tuple:
    return c.table("audit")[-1]


def test_password_needs_ten_characters_nine_is_refused(c):
    with pytest.raises(InputError) as short:
        c.clinic.user_admin.add_user(ADMIN, "rn.new", "New", "123456789", "nurse", None, T0)
    assert paths(short) == ["password"]
    uid = c.clinic.user_admin.add_user(ADMIN, "rn.new", "New", "1234567890", "nurse", None, T0)
    assert c.clinic.accounts.login("rn.new", "1234567890", T0)[0].user_id == uid


def test_every_account_problem_is_named_at_once(c):
    with pytest.raises(InputError) as bad:
        c.clinic.user_admin.add_user(ADMIN, " pad ", "X", "short", "surgeon", 7, T0)
    assert sorted(paths(bad)) == ["password", "patient_id", "role", "username"]


def test_a_patient_login_names_an_existing_patient_and_staff_names_none(c):
    with pytest.raises(InputError) as none:
        c.clinic.user_admin.add_user(ADMIN, "pt", "Pat", PASSWORD, "patient", None, T0)
    assert paths(none) == ["patient_id"]
    with pytest.raises(NotFound):
        c.clinic.user_admin.add_user(ADMIN, "pt", "Pat", PASSWORD, "patient", 999, T0)
    with pytest.raises(InputError) as staff:
        c.clinic.user_admin.add_user(ADMIN, "rn.x", "X", PASSWORD, "nurse", 1, T0)
    assert paths(staff) == ["patient_id"]


def test_a_taken_username_is_a_conflict_and_only_an_admin_adds(c):
    with pytest.raises(Conflict):
        c.clinic.user_admin.add_user(ADMIN, "rn.b", "Again", PASSWORD, "nurse", None, T0)
    with pytest.raises(Forbidden):
        c.clinic.user_admin.add_user(DR, "rn.y", "Y", PASSWORD, "nurse", None, T0)
    with pytest.raises(Forbidden):
        c.clinic.user_admin.users(RN)


def test_deactivating_ends_every_login_and_refuses_the_next(c):
    admin = admin_of(c)
    rn = uid_of(c, "rn.b")
    c.clinic.accounts.login("rn.b", PASSWORD, T0)
    c.clinic.accounts.login("rn.b", PASSWORD, T0)
    assert sum(1 for uid, _ in c.store.tables["logins"].values() if uid == rn) == 2
    with pytest.raises(InputError) as no_reason:
        c.clinic.user_admin.change_user(admin, rn, " ", T0, active=False)
    assert paths(no_reason) == ["reason"]
    c.clinic.user_admin.change_user(admin, rn, "left the clinic", T0, active=False)
    assert not any(uid == rn for uid, _ in c.store.tables["logins"].values())
    assert last_audit(c)[1:6] == ("ad.min", "user.deactivate", "user", str(rn), "left the clinic")
    assert c.clinic.accounts.login("rn.b", PASSWORD, T0) is None
    c.clinic.user_admin.change_user(admin, rn, "back from leave", T0, active=True)
    assert c.clinic.accounts.login("rn.b", PASSWORD, T0)[0].user_id == rn
    assert last_audit(c)[2] == "user.activate"


def test_an_admin_cannot_change_their_own_account(c):
    admin = admin_of(c)
    for change in ({"active": False}, {"role": "nurse"}):
        with pytest.raises(InputError) as own:
            c.clinic.user_admin.change_user(admin, admin.user_id, "tidy up", T0, **change)
        assert "your own" in own.value.problems[0].message


def test_the_last_active_admin_stays_an_admin(c):
    only = admin_of(c, "only.admin")
    acting = Principal(999, "setup", "Setup", "admin", None, "")  # e.g. `thecal users add`
    with pytest.raises(InputError) as last:
        c.clinic.user_admin.change_user(acting, only.user_id, "demote", T0, role="physician")
    assert "last active admin" in last.value.problems[0].message
    second = admin_of(c, "second.admin")  # with a second one, the first may step down
    c.clinic.user_admin.change_user(second, only.user_id, "now a physician", T0, role="physician")
    assert [u.role for u in c.clinic.user_admin.users(ADMIN) if u.user_id == only.user_id] == [
        "physician"
    ]
    assert last_audit(c)[6] == {
        "username": "only.admin",
        "role": "physician",
        "was": "admin",
        "active": True,
    }


def test_a_patient_login_stays_a_patient_login(c):
    admin = admin_of(c)
    pid = c.clinic.care.add_patient(
        DR,
        {"mrn": "P1", "name": "P", "birth_year": 1960, "indication": "cancer", "weight_kg": 60.0,
         "opioid_naive": False},
        "new",
        T0,
    )
    pt = c.clinic.user_admin.add_user(admin, "pt.1", "P", PASSWORD, "patient", pid, T0)
    with pytest.raises(InputError) as up:
        c.clinic.user_admin.change_user(admin, pt, "promote", T0, role="nurse")
    assert paths(up) == ["role"]
    with pytest.raises(InputError) as down:
        c.clinic.user_admin.change_user(admin, uid_of(c, "rn.b"), "wrong", T0, role="patient")
    assert paths(down) == ["role"]


def test_a_reset_password_replaces_the_old_and_never_reaches_the_audit(c):
    admin = admin_of(c)
    rn = uid_of(c, "rn.b")
    c.clinic.accounts.login("rn.b", PASSWORD, T0)
    with pytest.raises(InputError) as short:
        c.clinic.user_admin.reset_password(admin, rn, "tooshort", "forgot it", T0)
    assert paths(short) == ["password"]
    c.clinic.user_admin.reset_password(admin, rn, "temporary-42", "forgot it", T0)
    assert not any(uid == rn for uid, _ in c.store.tables["logins"].values())
    assert c.clinic.accounts.login("rn.b", PASSWORD, T0) is None
    assert c.clinic.accounts.login("rn.b", "temporary-42", T0)[0].user_id == rn
    assert "temporary-42" not in repr(c.table("audit"))
    assert [a[2] for a in c.table("audit")].count("user.password") == 1


def test_the_first_admin_only_while_there_is_none(c):
    uid = c.clinic.user_admin.first_admin("first", "First Admin", PASSWORD, T0)
    assert [u.role for u in c.clinic.user_admin.users(ADMIN) if u.user_id == uid] == ["admin"]
    with pytest.raises(Conflict) as again:
        c.clinic.user_admin.first_admin("second", "Second", PASSWORD, T0)
    assert "1 admin account" in str(again.value)


def test_editing_a_patient_audits_before_and_after_and_keeps_the_mrn(c):
    pid = c.clinic.care.add_patient(
        DR,
        {"mrn": "E1", "name": "Eve", "birth_year": 1960, "indication": "cancer", "weight_kg": 60.0,
         "opioid_naive": False},
        "new",
        T0,
    )
    c.clinic.care.edit_patient(RN, pid, {"weight_kg": 54.5, "name": "Eve"}, "weighed today", T0)
    assert c.store.tables["patients"][pid]["weight_kg"] == 54.5
    assert last_audit(c)[2] == "patient.edit"
    assert last_audit(c)[6] == {"before": {"weight_kg": 60.0}, "after": {"weight_kg": 54.5}}
    with pytest.raises(InputError) as same:
        c.clinic.care.edit_patient(RN, pid, {"weight_kg": 54.5}, "again", T0)
    assert paths(same) == ["patient"]
    with pytest.raises(InputError) as mrn:
        c.clinic.care.edit_patient(RN, pid, {"mrn": "E2"}, "typo", T0)
    assert paths(mrn) == ["mrn"]
    pharmacist = Principal(3, "ph.c", "ph.c", "pharmacist", None, "")
    with pytest.raises(Forbidden):
        c.clinic.care.edit_patient(pharmacist, pid, {"weight_kg": 50.0}, "x", T0)
