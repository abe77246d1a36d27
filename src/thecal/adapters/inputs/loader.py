"""Reading a JSON or TOML input document, and the few field types they share."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from thecal.adapters.scenario.fields import Reader
from thecal.core.errors import InputError, Problem


def load_document(path: str | Path) -> Any:
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise InputError(
            "cannot read the input", [Problem(str(p), exc.strerror or str(exc))]
        ) from None
    try:
        return tomllib.loads(text) if p.suffix == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            "the input is not valid JSON or TOML", [Problem("(file)", str(exc))]
        ) from None


def timestamp(r: Reader, value: Any, path: str) -> float | None:
    """ISO 8601 date or date-time -> seconds since 1970 UTC (no zone = UTC)."""
    if isinstance(value, datetime | date):
        parsed: datetime | date = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            r.add(
                path, f"{value!r}: expected an ISO 8601 date or date-time, e.g. 2026-11-21T09:30Z"
            )
            return None
    else:
        r.add(path, f"{value!r}: expected an ISO 8601 date or date-time")
        return None
    if not isinstance(parsed, datetime):
        parsed = datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="minutes").replace("+00:00", "Z")


def flag(r: Reader, obj: Any, key: str, path: str, default: bool = False) -> bool:
    if key not in obj:
        return default
    if not isinstance(obj[key], bool):
        r.add(f"{path}{key}", f"{obj[key]!r}: expected true or false")
        return default
    return bool(obj[key])


def finish(r: Reader, what: str) -> None:
    if r.problems:
        raise InputError(f"invalid {what}", r.problems)
