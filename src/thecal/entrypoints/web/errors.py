"""Every error is an answer, never a stack trace: JSON with field paths for the API,
a page for the browser. The status says whose fault it was."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from thecal.adapters.pump.state_blob import CorruptPumpState
from thecal.core.errors import (
    Conflict,
    Forbidden,
    InputError,
    InvalidTransition,
    LinkError,
    NotFound,
    Problem,
    Refused,
    ThecalError,
    TooManyAttempts,
)
from thecal.entrypoints.web.security import CsrfError, NotAuthenticated

STATUS: list[tuple[type[Exception], int]] = [
    (NotAuthenticated, 401),
    (CsrfError, 403),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooManyAttempts, 429),
    (InvalidTransition, 409),
    (Refused, 422),
    (InputError, 422),
    (LinkError, 503),
    (CorruptPumpState, 503),
    (ThecalError, 400),
]


class ProblemBody(BaseModel):
    path: str
    message: str


class ErrorBody(BaseModel):
    """Every API error: which kind, a sentence for a person, and the fields at fault."""

    error: str
    message: str
    problems: list[ProblemBody] | None = None
    findings: list[dict[str, Any]] | None = None


def _said(why: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": why}


# what an API operation can answer besides its success, declared in the OpenAPI document
# (schemathesis checks every answer against it: tests/clinic/test_api_fuzz.py)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _said("A request the clinic cannot act on"),
    401: _said("Not signed in"),
    403: _said("The role does not allow this, or the CSRF token is missing"),
    404: _said("No such record visible to this user"),
    409: _said("Changed by someone else since it was read, or not allowed in this state"),
    413: _said("Request body over the size limit"),
    422: _said("A field is invalid: each problem names it and what is accepted"),
    429: _said("Too many failed sign-ins: try again after Retry-After seconds"),
    503: _said("The pump did not answer (nothing was saved)"),
}


# the router's own answers, in words a clinician who typed or kept an address reads
# (a page said "404: Not Found" or "405: Method Not Allowed")
_ROUTING_WORDS = {
    (404, "Not Found"): "there is no page at this address",
    (405, "Method Not Allowed"): "this address takes a form sent from its screen; it is "
    "not a page to open: go back to the screen and send it from there",
}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _program_problems(request: Request, exc: RequestValidationError) -> list[Problem]:
    """The body's program documents as their reader finds them (the body model's
    `program_problems`), so a request with bad fields and a bad program hears of
    both at once; the route would have read the program only after the fields."""
    route = request.scope.get("route")
    field = getattr(route, "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    read = getattr(model, "program_problems", None)
    if read is None:
        return []
    reported = {str(e["loc"][1]) for e in exc.errors() if tuple(e["loc"][:1]) == ("body",)
                and len(e["loc"]) > 1}  # fmt: skip
    problems: list[Problem] = read(exc.body, reported)
    return problems


def body(exc: Exception) -> dict[str, Any]:
    out: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, InputError):
        out["problems"] = [p.as_dict() for p in exc.problems]
    if isinstance(exc, Refused):
        out["findings"] = [f.as_dict() for f in exc.findings]  # type: ignore[attr-defined]
    return out


def install(app: FastAPI, render_error: Any) -> None:
    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith(("/api", "/fhir"))

    async def thecal_error(request: Request, exc: Exception) -> Response:
        status = next(code for cls, code in STATUS if isinstance(exc, cls))
        headers = {}
        if isinstance(exc, TooManyAttempts):
            headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after_s)))
        if wants_html(request):
            if status == 401:
                return RedirectResponse("/login", status_code=303)
            answer = render_error(request, status, body(exc))
            answer.headers.update(headers)
            return answer
        return JSONResponse(body(exc), status_code=status, headers=headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [{"path": _path(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
        problems += [p.as_dict() for p in _program_problems(request, exc)]
        out = {"error": "InputError", "message": "invalid request", "problems": problems}
        if wants_html(request):
            return render_error(request, 422, out)
        return JSONResponse(out, status_code=422)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        out = {"error": "HTTPError", "message": str(exc.detail)}
        if wants_html(request):
            said = _ROUTING_WORDS.get((exc.status_code, str(exc.detail)), out["message"])
            return render_error(request, exc.status_code, {**out, "message": said})
        return JSONResponse(out, status_code=exc.status_code)

    app.add_exception_handler(ThecalError, thecal_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
