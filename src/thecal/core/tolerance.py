"""How exactly two quantities must agree, in one place.

Quantities travel through unit conversions (mg/day -> mcg/s -> mL/day), so a value
entered exactly at its limit can come back a few ulps above it. A relative slack
of 1e-9 keeps "at the limit" within it and is a billion times finer than any
pump's or syringe's resolution.
"""

from __future__ import annotations

import math

RELATIVE_SLACK = 1e-9


def above(value: float, limit: float) -> bool:
    """`value` is beyond `limit`, not merely at it after a unit round trip."""
    return value > limit * (1 + RELATIVE_SLACK)


def same(a: float, b: float) -> bool:
    """Two amounts, rates or concentrations are the same quantity."""
    return math.isclose(a, b, rel_tol=RELATIVE_SLACK, abs_tol=0.0)
