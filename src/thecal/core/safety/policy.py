"""Programmer policy limits (data/policy.toml) as a typed lookup with sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thecal.core.errors import CatalogueError
from thecal.core.sourced import unwrap


@dataclass(frozen=True)
class Policy:
    values: Mapping[tuple[str, str], Any]
    sources: Mapping[tuple[str, str], str]

    def has(self, section: str, key: str) -> bool:
        return (section, key) in self.values

    def number(self, section: str, key: str) -> float:
        value = self.values.get((section, key))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CatalogueError(f"policy.toml [{section}].{key}: a number is required")
        return float(value)

    def numbers(self, section: str, key: str) -> tuple[float, ...]:
        value = self.values.get((section, key))
        if not isinstance(value, list) or not value:
            raise CatalogueError(f"policy.toml [{section}].{key}: a list of numbers is required")
        return tuple(float(v) for v in value)

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any]) -> Policy:
        values: dict[tuple[str, str], Any] = {}
        sources: dict[tuple[str, str], str] = {}
        for section, table in document.items():
            if not isinstance(table, Mapping):
                raise CatalogueError(f"policy.toml: [{section}] must be a table")
            v, s = unwrap(table, f"policy.toml [{section}]")
            for key in v:
                values[(section, key)] = v[key]
                sources[(section, key)] = s[key]
        return cls(values, sources)
