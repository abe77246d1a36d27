"""Reading one JSON object field by field, collecting every problem with its path.

A scenario is refused whole with every reason, so readers here never stop at the
first problem: they record it and return None, and the caller carries on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from thecal.core.errors import Problem, UnitError
from thecal.core.units import Kind, clock_offset_s, parse, volume_ml

T = TypeVar("T")


class Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def guard(self, path: str, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except UnitError as exc:
            self.problems.extend(exc.problems)
            return None

    def obj(
        self, value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.add(path or "(top)", "expected a JSON object")
            return None
        prefix = f"{path}." if path else ""
        for key in value:
            if key not in allowed:
                self.add(f"{prefix}{key}", f"unknown key; accepted here: {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.add(f"{prefix}{key}", "is required")
        return value

    def quantity(self, value: Any, kind: Kind, path: str) -> float | None:
        return self.guard(path, lambda: parse(value, kind, path))

    def volume(self, value: Any, path: str) -> float | None:
        return self.guard(path, lambda: volume_ml(value, path))

    def clock(self, value: Any, path: str, allow_seconds: bool = False) -> float | None:
        return self.guard(path, lambda: clock_offset_s(value, path, allow_seconds))

    def number(
        self, value: Any, path: str, minimum: float | None = None, integer: bool = False
    ) -> float | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and integer and not float(value).is_integer():
            ok = False
        if not ok:
            self.add(path, f"{value!r}: expected a plain {'whole ' if integer else ''}number")
            return None
        if minimum is not None and value < minimum:
            self.add(path, f"{value!r} is below the minimum of {minimum:g}")
            return None
        return float(value)

    def text(self, value: Any, path: str, choices: tuple[str, ...] | None = None) -> str | None:
        if not isinstance(value, str) or not value:
            self.add(path, f"{value!r}: expected text")
            return None
        if choices is not None and value not in choices:
            self.add(path, f"'{value}' is not accepted; expected one of: {', '.join(choices)}")
            return None
        return value

    def items(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.add(path, "expected a JSON array")
            return []
        return value

    def prefixed(self, prefix: str, problems: list[Problem]) -> None:
        for p in problems:
            self.add(f"{prefix}.{p.path}" if prefix else p.path, p.message)
