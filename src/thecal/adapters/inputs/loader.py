"""Reading a JSON or TOML input document (its fields are read by `adapters/schema`)."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="minutes").replace("+00:00", "Z")
