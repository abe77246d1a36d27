"""Limits are data with their source: this unwraps `{value, source}` tables.

A value without a source is refused, so a number can never enter the drug library
or the pump catalogue without someone saying where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.core.errors import CatalogueError

NONE_MARKER = "none"


def unwrap(
    table: Mapping[str, Any], where: str, keys: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """Split `{field: {value, source}}` into values and sources; `keys` are plain fields."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for field, entry in table.items():
        if field in keys:
            values[field] = entry
            continue
        if not isinstance(entry, Mapping) or set(entry) != {"value", "source"}:
            raise CatalogueError(f'{where}.{field}: expected {{value = ..., source = "..."}}')
        source = entry["source"]
        if not isinstance(source, str) or not source.strip():
            raise CatalogueError(f"{where}.{field}: the source is empty; every value needs one")
        value = entry["value"]
        values[field] = None if value == NONE_MARKER else value
        sources[field] = source
    return values, sources


def require_fields(values: Mapping[str, Any], required: tuple[str, ...], where: str) -> None:
    missing = [name for name in required if name not in values]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
