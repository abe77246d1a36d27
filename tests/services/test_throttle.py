"""Issue 23: wrong passwords are throttled per account, per address and per second
person, every failure is audited, and an admin sees and lifts a lock. Policy [login]:
5 failures are free (20 for an address, which a clinic's staff may share); the next
locks for 30 s, the one after for 60 s, doubling to 1 h."""

from __future__ import annotations

import pytest

from tests.services.world import ADMIN, DAY, DR, PASSWORD, T0, Clinicians, baclofen
from thecal.core.errors import Forbidden, InputError, TooManyAttempts
from thecal.services.clinic.gate import SecondPerson, Signoff


@pytest.fixture
def c() -> Clinicians:
    return Clinicians()


def audit_actions(c: Clinicians) -> list[str]:
    return [a[2] for a in c.table("audit")]


def test_five_wrong_passwords_are_free_then_locks_double(c):
    for _ in range(5):
        assert c.clinic.accounts.login("rn.b", "wrong-wrong", c.wall_s, "10.0.0.1") is None
    assert c.clinic.accounts.locks(ADMIN) == []
    assert c.clinic.accounts.login("rn.b", "wrong-wrong", c.wall_s, "10.0.0.1") is None  # the 6th
    (account,) = c.clinic.accounts.locks(ADMIN)  # the address has 14 more free failures
    assert (account.key, account.failures, account.locked_until_s) == ("account:rn.b", 6, T0 + 30.0)
    user, _ = c.clinic.accounts.login("dr.a", PASSWORD, c.wall_s, "10.0.0.1")  # a colleague there
    assert user.username == "dr.a"
    c.wall_s += 29.0  # still locked: the right password is not even tried
    with pytest.raises(TooManyAttempts) as locked:
        c.clinic.accounts.login("rn.b", PASSWORD, c.wall_s, "10.0.0.1")
    assert locked.value.retry_after_s == pytest.approx(1.0)
    c.wall_s += 1.0
    assert c.clinic.accounts.login("rn.b", "wrong-wrong", c.wall_s, "10.0.0.1") is None  # the 7th
    assert c.store.tables["throttle"]["account:rn.b"].locked_until_s == c.wall_s + 60.0
    c.wall_s += 60.0
    user, _ = c.clinic.accounts.login("rn.b", PASSWORD, c.wall_s, "10.0.0.1")
    assert user.username == "rn.b"
    assert "account:rn.b" not in c.store.tables["throttle"]  # a right password: count again
    assert audit_actions(c).count("login.failed") == 7
    assert audit_actions(c).count("login.locked") == 1


def test_one_address_guessing_many_accounts_is_locked_too(c):
    for n in range(21):  # 20 free for an address, then locked
        c.clinic.accounts.login(f"nobody{n}", "guess-guess", c.wall_s, "10.9.9.9")
    with pytest.raises(TooManyAttempts):
        c.clinic.accounts.login("dr.a", PASSWORD, c.wall_s, "10.9.9.9")  # from that address
    user, _ = c.clinic.accounts.login("dr.a", PASSWORD, c.wall_s, "10.0.0.2")  # from another
    assert user.username == "dr.a"


def test_an_admin_sees_and_lifts_a_lock_with_a_reason(c):
    for _ in range(6):
        c.clinic.accounts.login("rn.b", "wrong-wrong", c.wall_s)
    with pytest.raises(Forbidden):
        c.clinic.accounts.lift_lock(DR, "account:rn.b", "x", c.wall_s)
    with pytest.raises(InputError):
        c.clinic.accounts.lift_lock(ADMIN, "account:rn.b", " ", c.wall_s)
    c.clinic.accounts.lift_lock(ADMIN, "account:rn.b", "nurse called, identity checked", c.wall_s)
    assert c.clinic.accounts.locks(ADMIN) == []
    assert c.clinic.accounts.login("rn.b", PASSWORD, c.wall_s) is not None
    assert audit_actions(c)[-1] == "lock.lift"


def test_the_second_persons_password_cannot_be_guessed_without_limit(c):
    pid = c.patient("B1", baclofen())
    review = c.clinic.therapy.check_program(DR, pid, baclofen(500.0), Signoff(), T0 + DAY)
    acks = {"TITRATION_HIGH_DOSE": "night spasms"}

    def commit(password: str):
        sign = Signoff(acks, SecondPerson("ph.c", password), review.digest)
        return c.clinic.therapy.commit_program(DR, pid, baclofen(500.0), "x", sign, T0 + DAY,
                                       review.therapy_version)  # fmt: skip

    for _ in range(6):
        with pytest.raises(InputError):
            commit("guess-guess")
    with pytest.raises(TooManyAttempts):
        commit(PASSWORD)  # locked: the right password is refused too, for 30 s
    assert audit_actions(c).count("verification.failed") == 6
    c.wall_s += 30.0
    assert commit(PASSWORD)["verified_by"] == "ph.c"


def test_audit_rows_carry_the_clinics_time_and_locks_run_on_the_wall_clock(c):
    """The web passed the wall time to login and lock lifts, so under the demo's x60
    clinic clock their audit rows read hours apart from the rows around them. The
    clinic's time (ten days on here) stamps the rows; the lock still runs on the wall
    clock (locked until wall + 30 s, not clinic + 30 s)."""
    clinic_s = T0 + 10 * DAY
    for _ in range(6):
        assert c.clinic.accounts.login("rn.b", "wrong-wrong", clinic_s) is None
    failed = [a for a in c.table("audit") if a[2] == "login.failed"]
    assert [a[0] for a in failed] == [clinic_s] * 6
    assert c.store.tables["throttle"]["account:rn.b"].locked_until_s == c.wall_s + 30.0
    c.clinic.accounts.lift_lock(ADMIN, "account:rn.b", "identity checked", clinic_s)
    assert c.table("audit")[-1][0] == clinic_s and c.table("audit")[-1][2] == "lock.lift"
