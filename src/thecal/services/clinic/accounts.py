"""Logging in and out, and the clinic's users: the same use case for the browser and
the REST API, so neither keeps a copy of the other's rules."""

from __future__ import annotations

from thecal.services.clinic.base import ClinicBase
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import Principal


class Accounts(ClinicBase):
    def login(self, username: str, password: str, now_s: float) -> tuple[Principal, str] | None:
        """The user and a new login token (the principal carries its CSRF token), or
        None for a wrong username or password (one answer for both)."""
        with self.uow() as uow:
            user = uow.users.authenticate(username, password)
            if user is None:
                return None
            token, csrf = uow.users.open_login(user.user_id, now_s)
            uow.commit()
        return Principal(user.user_id, user.username, user.full_name, user.role,
                         user.patient_id, csrf), token  # fmt: skip

    def logout(self, token: str) -> None:
        with self.uow() as uow:
            uow.users.close_login(token)
            uow.commit()

    def add_user(
        self,
        who: Principal,
        username: str,
        full_name: str,
        password: str,
        role: str,
        patient_id: int | None,
        now_s: float,
    ) -> int:
        authorize(who.role, "users.write")
        with self.uow() as uow:
            user_id = uow.users.add(username, full_name, password, role, patient_id)
            uow.audit.append(
                now_s, who.username, "user.create", "user", user_id, "new user",
                {"username": username, "role": role},
            )  # fmt: skip
            uow.commit()
            return user_id
