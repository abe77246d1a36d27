"""Users, passwords and login sessions.

Passwords: argon2id (argon2-cffi defaults). Login sessions live in the database, so
logging out or disabling a user takes effect at once; the browser holds only a
random token (HttpOnly, SameSite=Strict cookie) whose SHA-256 is stored. Each
session has its own CSRF token, required on every state-changing request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import LoginSession, ReadModelVersion, User
from thecal.data import policy
from thecal.services.clinic.ports import Principal

__all__ = [
    "Principal",
    "authenticate",
    "close_session",
    "close_user_sessions",
    "create_user",
    "open_session",
    "request_snapshot",
]

SESSION_TTL_S = 8 * 3600.0  # one clinic shift
_hasher = PasswordHasher()
# argon2 takes 64 MiB per hash: at most this many at once, the rest wait their turn, so
# many concurrent logins queue instead of filling memory (policy [login], issue 23)
_HASHING = threading.BoundedSemaphore(policy().login.concurrent_hashes)


def hash_password(password: str) -> str:
    with _HASHING:
        return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    with _HASHING:
        if user is None:
            _hasher.hash(password)  # same cost whether or not the user exists
            return False
        try:
            return _hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_by_name(db: Session, username: str) -> User | None:
    return db.scalars(select(User).where(User.username == username)).first()


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The user, if the password is theirs and the account is active (a deactivated
    account is refused with the same answer as a wrong password, at the same cost)."""
    user = user_by_name(db, username)
    return user if check_password(user, password) and user is not None and user.active else None


def open_session(db: Session, user_id: int, now_s: float) -> tuple[str, str]:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.execute(delete(LoginSession).where(LoginSession.expires_s < now_s))
    db.add(
        LoginSession(
            token_sha256=_digest(token), user_id=user_id, csrf=csrf, expires_s=now_s + SESSION_TTL_S
        )
    )
    return token, csrf


def request_snapshot(
    db: Connection, token: str | None, now_s: float
) -> tuple[Principal | None, int]:
    """Who holds `token`, and the version of the clinic's data (`read_model_version`),
    in one statement: the two things every request needs before it may be served
    from a kept read model (adapters/db/worklist_pages.py). One round trip instead
    of three; the version is 0 when nobody is logged in, as nothing may be served."""
    if not token:
        return None, 0
    version = select(ReadModelVersion.n).where(ReadModelVersion.id == 1).scalar_subquery()
    columns = (User.id, User.username, User.full_name, User.role, User.patient_id,
               LoginSession.csrf, LoginSession.expires_s, func.coalesce(version, 0))  # fmt: skip
    row = db.execute(
        select(*columns)
        .join(User, (User.id == LoginSession.user_id) & User.active)
        .where(LoginSession.token_sha256 == _digest(token))
    ).first()
    if row is None or row[6] < now_s:
        return None, 0
    return Principal(row[0], row[1], row[2], row[3], row[4], row[5]), int(row[7])


def close_session(db: Session, token: str) -> None:
    db.execute(delete(LoginSession).where(LoginSession.token_sha256 == _digest(token)))


def csrf_ok(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected, given)


def create_user(
    db: Session,
    username: str,
    full_name: str,
    password: str,
    role: str,
    patient_id: int | None = None,
) -> User:
    """Stores an account the use case has checked (services/clinic/users.py)."""
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                role=role, patient_id=patient_id, active=True)  # fmt: skip
    db.add(user)
    db.flush()
    return user


def close_user_sessions(db: Session, user_id: int) -> None:
    db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
