"""Logging in and out: the same use case for the browser and
the REST API, so neither keeps a copy of the other's rules. Wrong passwords are
counted per account and per address; beyond a few, the key is locked for a growing
while (throttle.py), every failure is audited, and an admin can see and lift a lock."""

from __future__ import annotations

import math

from thecal.core.errors import InputError, Problem, TooManyAttempts
from thecal.services.clinic.base import ClinicBase
from thecal.services.clinic.failures import audited, count_failure
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import Principal
from thecal.services.clinic.throttle import Attempts, seconds_locked


class Accounts(ClinicBase):
    def login(
        self, username: str, password: str, now_s: float, address: str = ""
    ) -> tuple[Principal, str] | None:
        """The user and a new login token (the principal carries its CSRF token), or
        None for a wrong username or password (one answer for both). TooManyAttempts
        while the account or the address is locked: the password is not even tried.
        `now_s` is the clinic's time, which the audit rows carry as every other row
        does; locks and the login's expiry run on the wall clock, which a demo's fast
        clinic clock must not hurry (the rows read wall time among clinic times)."""
        keys = [f"account:{username}"] + ([f"address:{address}"] if address else [])
        wall_s = self.wall_clock()
        with self.uow() as uow:
            wait = max(seconds_locked(uow.throttle.get(k), wall_s) for k in keys)
        if wait > 0:
            audited(self.uow, (now_s, username, "login.locked", "user", username,
                               "refused while locked", {"address": address}))  # fmt: skip
            raise TooManyAttempts(
                f"too many wrong passwords: try again in {math.ceil(wait)} s, or ask an "
                "admin to lift the lock", wait,
            )  # fmt: skip
        with self.uow() as uow:
            user = uow.users.authenticate(username, password)
            if user is not None:
                uow.throttle.clear(f"account:{username}")
                token, csrf = uow.users.open_login(user.user_id, wall_s)
                uow.commit()
        if user is None:  # counted in a unit of work of its own (services/clinic/failures.py)
            count_failure(self.uow, keys, wall_s, self.policy,
                          (now_s, username, "login.failed", "user", username,
                           "wrong username or password", {"address": address}))  # fmt: skip
            return None
        return Principal(user.user_id, user.username, user.full_name, user.role,
                         user.patient_id, csrf), token  # fmt: skip

    def logout(self, token: str) -> None:
        with self.uow() as uow:
            uow.users.close_login(token)
            uow.commit()

    def locks(self, who: Principal) -> list[Attempts]:
        """Every account, address and second person locked now (wall-clock time)."""
        authorize(who.role, "users.read")
        with self.uow() as uow:
            return uow.throttle.locked(self.wall_clock())

    def lift_lock(self, who: Principal, key: str, reason: str, now_s: float) -> None:
        """An admin lifts a lock at once (audited): the count starts again from zero."""
        authorize(who.role, "users.write")
        if not reason.strip():
            raise InputError("a reason is required", [Problem("reason", "say why")])
        with self.uow() as uow:
            if seconds_locked(uow.throttle.get(key), self.wall_clock()) <= 0:
                raise InputError("nothing to lift", [Problem("key", f"{key} is not locked")])
            uow.throttle.clear(key)
            uow.audit.append(now_s, who.username, "lock.lift", "user", key, reason, {"key": key})
            uow.commit()
