"""What every request meets before a route reads it, and every answer carries
(issue 23): a body of bounded size and nesting, ids within the database's integer
range, text without control characters, and the security headers - the browser may
run only the clinic's own scripts, never frame it, never guess a type, and never keep
a page of patient data in a cache. The limits are policy data (policy.toml [input])."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from thecal.data import policy

_LIMITS = policy()
MAX_ID = _LIMITS.input.max_id
MAX_BODY_BYTES = _LIMITS.input.max_body_bytes
MAX_JSON_DEPTH = _LIMITS.input.max_json_depth

Id = Annotated[int, Path(ge=1, le=MAX_ID, description=f"1 to {MAX_ID}")]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# Swagger UI and ReDoc (vendored, no patient data) start from an inline script
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


def control_characters(value: Any, path: str = "") -> list[str]:
    """Every text in `value` (nested too) holding a control character other than a tab
    or a line break, by its path: such text is refused, never stored (issue 23)."""
    if isinstance(value, str):
        bad = any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in value)
        return [path or "body"] if bad else []
    if isinstance(value, dict):
        return [
            p for k, v in value.items() for p in control_characters(v, f"{path}.{k}".strip("."))
        ]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in control_characters(v, f"{path}[{i}]")]
    return []


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether brackets nest deeper than `limit`, outside strings: one linear pass, so a
    100,000-deep document costs microseconds, never a recursion."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class RequestGuard:
    """ASGI middleware: refuses an oversized or too deeply nested body with 413 or 422
    before any route parses it, and adds the security headers to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        bad = query_control_characters(scope.get("query_string", b""))
        if bad:
            message = f"control characters are not accepted in: {', '.join(bad)}"
            await _answer(send, 422, message, bad[0])
            return
        body, refused = await self._read(scope, receive)
        if refused is not None:
            await _answer(send, *refused)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                docs = path in ("/docs", "/redoc")
                headers += HEADERS + [
                    (b"content-security-policy", (DOCS_CSP if docs else CSP).encode())
                ]
                if not path.startswith(("/static", "/favicon")):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, replay, with_headers)

    async def _read(self, scope: Scope, receive: Receive) -> tuple[bytes, tuple[int, str] | None]:
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return b"", (413, f"the request body is over {MAX_BODY_BYTES} bytes")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return b"", (413, f"the request body is over {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        kind = dict(scope.get("headers", [])).get(b"content-type", b"")
        if b"json" in kind and json_depth_exceeds(body, MAX_JSON_DEPTH):
            return body, (422, f"the JSON nests deeper than {MAX_JSON_DEPTH} levels")
        return body, None


def query_control_characters(query_string: bytes) -> list[str]:
    """`query.NAME` for every query parameter holding a control character (a NUL in a
    search box would reach the database, which refuses it with a server error)."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, errors="replace")
    return [f"query.{name}" for name, value in pairs if control_characters(value)]


async def _answer(
    send: Callable[[Message], Awaitable[None]], status: int, message: str, where: str = "body"
) -> None:
    payload = json.dumps({"error": "InputError", "message": message,
                          "problems": [{"path": where, "message": message}]}).encode()  # fmt: skip
    headers = [
        (b"content-type", b"application/json"),
        *HEADERS,
        (b"content-security-policy", CSP.encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
