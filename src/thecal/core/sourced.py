"""Limits are data with their source: this unwraps `{value, source}` tables.

A value without a source is refused, so a number can never enter the drug library
or the pump catalogue without someone saying where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from thecal.core.errors import CatalogueError

NONE_MARKER = "none"


# what kind of source a limit rests on, and how strongly it binds (docs/safety-rules.md,
# "Severity policy"): hard only where a label or a device manual states it
SOURCE_KINDS = ("label", "manual", "consensus", "study", "clinic_policy", "illustrative")
HARD_KINDS = ("label", "manual")


class Severity(StrEnum):
    """How strongly a limit binds and what a finding costs: hard is refused with no
    override, soft needs an acknowledgement with a reason, info is only shown."""

    HARD = "hard"
    SOFT = "soft"
    INFO = "info"


STRENGTHS = (Severity.HARD, Severity.SOFT)  # what a limit may be (info is no limit)


def unwrap(
    table: Mapping[str, Any],
    where: str,
    keys: tuple[str, ...] = (),
    meta: dict[str, tuple[str, Severity]] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Split `{field: {value, source}}` into values and sources; `keys` are plain fields.
    A limit may also say `kind` and `strength`; they go into `meta` when given."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for field, entry in table.items():
        if field in keys:
            values[field] = entry
            continue
        extra = {"kind", "strength"} if meta is not None else set()
        if (
            not isinstance(entry, Mapping)
            or not {"value", "source"} <= set(entry) <= {"value", "source"} | extra
        ):
            raise CatalogueError(f'{where}.{field}: expected {{value = ..., source = "..."}}')
        if "kind" in entry or "strength" in entry:
            assert meta is not None
            meta[field] = _meta(entry, f"{where}.{field}")
        source = entry["source"]
        if not isinstance(source, str) or not source.strip():
            raise CatalogueError(f"{where}.{field}: the source is empty; every value needs one")
        value = entry["value"]
        values[field] = None if value == NONE_MARKER else value
        sources[field] = source
    return values, sources


def _meta(entry: Mapping[str, Any], where: str) -> tuple[str, Severity]:
    kind, strength = entry.get("kind"), entry.get("strength")
    if kind not in SOURCE_KINDS:
        raise CatalogueError(f"{where}.kind: '{kind}', one of {', '.join(SOURCE_KINDS)}")
    if strength not in STRENGTHS:
        raise CatalogueError(f"{where}.strength: '{strength}', one of {', '.join(STRENGTHS)}")
    if strength == Severity.HARD and kind not in HARD_KINDS:
        raise CatalogueError(
            f"{where}: a hard limit needs a label or a device manual as its source, not "
            f"'{kind}' (a consensus or clinic figure is soft)"
        )
    return str(kind), Severity(strength)


def require_fields(values: Mapping[str, Any], required: tuple[str, ...], where: str) -> None:
    missing = [name for name in required if name not in values]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
