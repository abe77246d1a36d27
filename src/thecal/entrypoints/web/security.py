"""Authentication, CSRF and role checks as FastAPI dependencies.

The session token travels only in an HttpOnly, SameSite=Strict cookie. Every request
that changes something must also carry the session's CSRF token: the
`X-CSRF-Token` header (API and HTMX) or a `csrf` form field (plain forms).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import anyio.to_thread
from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from thecal.adapters.db import auth as auth_db
from thecal.adapters.db.auth import Principal, csrf_ok, request_snapshot
from thecal.core.errors import Forbidden, ThecalError
from thecal.entrypoints.web.permissions import Permission, allowed
from thecal.entrypoints.web.seam import clinic_of

COOKIE = "thecal_session"
SAFE = ("GET", "HEAD", "OPTIONS")


class NotAuthenticated(ThecalError):
    """No valid login session."""


class CsrfError(ThecalError):
    """A state-changing request without the session's CSRF token."""


def current(request: Request) -> Principal | None:
    """The logged-in principal; the data version read with it is left in
    `request.state.data_version` for the read models kept per version."""
    token = request.cookies.get(COOKIE)
    with request.app.state.db.statement_reads.connect() as connection:
        who, request.state.data_version = request_snapshot(connection, token, time.time())
    return who


async def _csrf_token(request: Request) -> str | None:
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        given = value if isinstance(value, str) else None
    return given


def requires(permission: Permission) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    async def dependency(request: Request) -> Principal:
        # the session lookup is a blocking database query: off the event loop, so one
        # request's lookup never stalls every other request the worker is serving
        who = await run_in_threadpool(current, request)
        if who is None:
            raise NotAuthenticated("log in first")
        if request.method not in SAFE and not csrf_ok(who.csrf, await _csrf_token(request)):
            raise CsrfError("the CSRF token is missing or wrong: reload the page")
        if not allowed(permission, who.role):
            raise Forbidden(f"the {who.role} role may not do this ({permission})")
        request.state.permission = permission
        return who

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


def set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        max_age=int(auth_db.SESSION_TTL_S),
        path="/",
    )


async def sign_in(request: Request, username: str, password: str) -> tuple[Principal, str] | None:
    """The login use case off the event loop, at most `[login] concurrent_hashes` at a
    time: a flood of logins waits here, on the loop, instead of taking every worker
    thread while the password hashes queue, so a colleague's page is still answered
    (bench/logins.py; issue 23)."""
    limiter = getattr(request.app.state, "login_limiter", None)
    if limiter is None:  # made on first use: a limiter belongs to the running loop
        hashes = clinic_of(request).policy.login.concurrent_hashes
        limiter = request.app.state.login_limiter = anyio.CapacityLimiter(hashes)
    address = request.client.host if request.client else ""
    clinic, clinic_s = clinic_of(request), float(request.app.state.clock.now())
    result: tuple[Principal, str] | None = await anyio.to_thread.run_sync(
        lambda: clinic.accounts.login(username, password, clinic_s, address), limiter=limiter
    )
    return result

