"""The clinic's accounts, administered: create, change a role, deactivate and
reactivate, reset a password - the same use cases for the Users screen, the REST API,
the command line and the demo seed (issue 25).

Why these rules: an admin who demotes or deactivates themself, or the last active
admin, leaves a clinic nobody can administer (a fresh clinic gets its first admin
only from `thecal users add`); a patient login belongs to one patient's record, so it
never becomes a staff account and a staff account never becomes one; deactivating an
account or resetting its password ends every open login of it at once. Every change
needs a reason and is audited; a password never reaches the audit trail.
"""

from __future__ import annotations

from thecal.core.errors import Conflict, InputError, Problem
from thecal.services.clinic.base import ClinicBase, need_reason
from thecal.services.clinic.permissions import ROLES, STAFF, authorize
from thecal.services.clinic.ports import Principal, UserFacts

FIRST_ADMIN = Principal(0, "command-line", "thecal users add", "admin", None, "")


def account_problems(
    username: str, password: str, role: str, patient_id: int | None, min_chars: int
) -> list[Problem]:
    """What is wrong with a new account, every field at once."""
    problems = []
    if not username.strip() or len(username) > 60 or username != username.strip():
        problems.append(Problem("username", "1 to 60 characters, no spaces at either end"))
    if role not in ROLES:
        problems.append(Problem("role", f"one of {', '.join(ROLES)}"))
    if role == "patient" and patient_id is None:
        problems.append(Problem("patient_id", "a patient login belongs to one patient"))
    if role != "patient" and patient_id is not None:
        problems.append(Problem("patient_id", "only a patient login names a patient"))
    problems += password_problems(password, min_chars)
    return problems


def password_problems(password: str, min_chars: int) -> list[Problem]:
    if len(password) < min_chars or len(password) > 200:
        return [Problem("password", f"{min_chars} to 200 characters")]
    return []


def change_problems(who: Principal, user: UserFacts, users: list[UserFacts],
                    role: str | None, active: bool | None) -> list[Problem]:  # fmt: skip
    """Why a role change or a deactivation must not happen (empty: it may)."""
    field = "role" if role is not None else "active"
    if role is not None:
        if role not in ROLES:
            return [Problem("role", f"one of {', '.join(ROLES)}")]
        if (role == "patient") != (user.role == "patient"):
            return [Problem("role", "a patient login stays a patient login, and a staff "
                                    "account never becomes one: create a new account")]  # fmt: skip
    if user.user_id == who.user_id:
        return [Problem(field, "you cannot change your own role or account: ask another admin")]
    leaves_admin = user.role == "admin" and (active is False or role not in (None, "admin"))
    others = [u for u in users if u.role == "admin" and u.active and u.user_id != user.user_id]
    if leaves_admin and user.active and not others:
        return [Problem(field, "this is the last active admin: make another admin first")]
    return []


class UserAdmin(ClinicBase):
    def _min_chars(self) -> int:
        return self.policy.login.password_min_chars

    def users(self, who: Principal) -> list[UserFacts]:
        authorize(who.role, "users.read")
        with self.uow() as uow:
            return uow.users.all()

    def add_user(self, who: Principal, username: str, full_name: str, password: str,
                 role: str, patient_id: int | None, now_s: float) -> int:  # fmt: skip
        authorize(who.role, "users.write")
        problems = account_problems(username, password, role, patient_id, self._min_chars())
        if problems:
            raise InputError("account refused", problems)
        with self.uow() as uow:
            if role == "patient" and patient_id is not None:
                uow.patients.get(patient_id)  # NotFound: a login for no one
            user_id = uow.users.add(username, full_name, password, role, patient_id)
            uow.audit.append(now_s, who.username, "user.create", "user", user_id, "new user",
                             {"username": username, "role": role})  # fmt: skip
            uow.commit()
            return user_id

    def first_admin(self, username: str, full_name: str, password: str, now_s: float) -> int:
        """The first account of a fresh clinic (`thecal users add --role admin`): refused
        once any admin exists, who then creates every other account."""
        with self.uow() as uow:
            admins = [u for u in uow.users.all() if u.role == "admin"]
        if admins:
            raise Conflict(f"this clinic has {len(admins)} admin account(s): sign in as one "
                           "and create the account on the Users screen")  # fmt: skip
        return self.add_user(FIRST_ADMIN, username, full_name, password, "admin", None, now_s)

    def change_user(self, who: Principal, user_id: int, reason: str, now_s: float, *,
                    role: str | None = None, active: bool | None = None) -> None:  # fmt: skip
        """A new role, or the account deactivated (its logins end at once) or reactivated."""
        authorize(who.role, "users.write")
        need_reason(reason)
        if (role is None) == (active is None):
            raise InputError("nothing to change", [Problem("change", "a role or active")])
        with self.uow() as uow:
            user = uow.users.get(user_id)
            problems = change_problems(who, user, uow.users.all(), role, active)
            if problems:
                raise InputError("account not changed", problems)
            uow.users.update(user_id, role=role, active=active)
            if active is False or role is not None:
                uow.users.close_logins(user_id)  # the next request is made with the new role
            action = ("user.role" if role is not None
                      else "user.activate" if active else "user.deactivate")  # fmt: skip
            uow.audit.append(now_s, who.username, action, "user", user_id, reason,
                             {"username": user.username, "role": role or user.role,
                              "was": user.role, "active": user.active if active is None
                              else active})  # fmt: skip
            uow.commit()

    def reset_password(
        self, who: Principal, user_id: int, password: str, reason: str, now_s: float
    ) -> None:
        """A temporary password the admin hands over; every open login of it ends."""
        authorize(who.role, "users.write")
        need_reason(reason)
        problems = password_problems(password, self._min_chars())
        if problems:
            raise InputError("password not reset", problems)
        with self.uow() as uow:
            user = uow.users.get(user_id)
            uow.users.update(user_id, password=password)
            uow.users.close_logins(user_id)
            uow.audit.append(now_s, who.username, "user.password", "user", user_id, reason,
                             {"username": user.username})  # fmt: skip
            uow.commit()


__all__ = ["FIRST_ADMIN", "STAFF", "UserAdmin", "account_problems", "change_problems"]
