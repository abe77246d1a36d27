"""The one place where text becomes a quantity.

Unit errors have killed patients (mg for mcg, per hour for per day, minutes for
hours), so every quantity that a person or a file supplies is parsed here and
checked for its dimension before it becomes a canonical float: seconds, mL, mcg,
mcg/mL, mL/s (rates) and mcg/s (dose rates). A bare number is refused unless the
field's own name carries its unit (`fill_ml`, `length_cm`), which the caller
states by using `number_with_unit_in_name`.

pint does the parsing here, at the edge only; the engine never sees it.
"""

from __future__ import annotations

import math
import re
from enum import Enum
from functools import cache
from typing import Any

from thecal.core.errors import UnitError

SECONDS_PER_DAY = 86_400.0
SECONDS_PER_HOUR = 3_600.0
HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.25  # a Julian year: the span a clinician plans a replacement in


class Kind(Enum):
    """What a field expects, with its canonical unit and the words used in messages."""

    VOLUME = ("[length] ** 3", "mL", "a volume", "'0.5 mL'")
    AMOUNT = ("[mass]", "mcg", "a dose (drug amount)", "'0.1 mg'")
    CONCENTRATION = ("[mass] / [length] ** 3", "mcg/mL", "a concentration", "'10 mg/mL'")
    RATE = ("[length] ** 3 / [time]", "mL/s", "a rate", "'0.5 mL/day'")
    DOSE_RATE = ("[mass] / [time]", "mcg/s", "a daily dose", "'3 mg/day'")
    DURATION = ("[time]", "s", "a duration", "'30 min'")

    def __init__(self, dimensionality: str, canonical: str, noun: str, example: str) -> None:
        self.dimensionality = dimensionality
        self.canonical = canonical
        self.noun = noun
        self.example = example


@cache
def _registry() -> Any:
    import pint  # on first parse only: pint costs a third of a second to import

    ureg: Any = pint.UnitRegistry()
    ureg.define("mcg = microgram")
    ureg.define("µg = microgram")
    ureg.define("µL = microliter")
    return ureg


@cache
def _dimensionality(kind: Kind) -> Any:
    return _registry().get_dimensionality(kind.dimensionality)


def _describe(dimensionality: Any) -> str:
    for kind in Kind:
        if _dimensionality(kind) == dimensionality:
            return kind.noun
    return f"a quantity of dimension {dimensionality}"


_NUMBER_ONLY = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
# The whole grammar a quantity may have: a decimal number with an optional exponent of
# at most three digits, then unit words joined by "/" (mg/day, mL/h, ug/mL, mg/h/kg).
# Parsed here before pint sees anything, so text such as "9**9**8 mg/day" is refused
# at once instead of being evaluated (it held a server for minutes; issue 23).
MAX_QUANTITY_TEXT = 60
_QUANTITY = re.compile(
    r"^\s*(?P<number>[-+]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})(?:[eE][-+]?\d{1,3})?)"
    r"\s*(?P<unit>[A-Za-zµμ]{1,12}(?:\s*/\s*[A-Za-zµμ]{1,12}){0,3})\s*$"
)


def parse(value: object, kind: Kind, path: str) -> float:
    """Parse `value` as `kind` and return it in the canonical unit, or raise UnitError."""
    expected = f"{kind.noun} was expected, such as {kind.example}"
    if isinstance(value, bool) or not isinstance(value, str):
        raise UnitError(path, f"{value!r} has no unit; {expected}")
    if _NUMBER_ONLY.match(value):
        raise UnitError(path, f"'{value}' has no unit; {expected}")
    shape = _QUANTITY.match(value) if len(value) <= MAX_QUANTITY_TEXT else None
    if shape is None:  # no arithmetic, powers or brackets ever reach pint (issue 23)
        raise UnitError(
            path,
            f"'{value[:MAX_QUANTITY_TEXT]}' is not a number followed by a unit (no "
            f"arithmetic); {expected}",
        )
    unit = shape["unit"].replace("µ", "u").replace("μ", "u")
    unit = re.sub(r"\bmcg\b", "ug", unit)
    try:
        quantity: Any = _registry().Quantity(float(shape["number"]), unit)
    except Exception as exc:  # pint raises several unrelated types for bad text
        raise UnitError(path, f"'{value}' is not a quantity ({exc}); {expected}") from None
    if not hasattr(quantity, "dimensionality") or quantity.dimensionality != _dimensionality(kind):
        found = _describe(getattr(quantity, "dimensionality", None))
        raise UnitError(path, f"'{value}' is {found}, {expected}")
    magnitude = float(quantity.to(kind.canonical).magnitude)
    if not math.isfinite(magnitude):
        raise UnitError(path, f"'{value}' is not a finite number; {expected}")
    return magnitude


def number_with_unit_in_name(value: object, path: str, unit: str) -> float:
    """A bare number for a field whose name carries its unit (`fill_ml`, `length_cm`)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UnitError(path, f"{value!r} is not a number; a plain number of {unit} was expected")
    return float(value)


def volume_ml(value: object, path: str) -> float:
    """A `*_ml` field: a bare number of mL, or a volume string such as '17.6 mL'."""
    if isinstance(value, str):
        return parse(value, Kind.VOLUME, path)
    return number_with_unit_in_name(value, path, "mL")


_CLOCK = re.compile(r"^\s*(?:(\d+)d\s+)?(\d{2}):(\d{2})\s*$")


def clock_offset_s(value: object, path: str, allow_seconds: bool = False) -> float:
    """'HH:MM' or 'Nd HH:MM' (HH 00-23) as seconds; with allow_seconds a bare number too."""
    if allow_seconds and not isinstance(value, bool) and isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise UnitError(path, f"{value!r}: a time in seconds must be a finite number >= 0")
        return float(value)
    accepted = "'HH:MM' or 'Nd HH:MM' (day N, HH 00-23)" + (" or seconds" if allow_seconds else "")
    if not isinstance(value, str):
        raise UnitError(path, f"{value!r} is not a time; {accepted} was expected")
    match = _CLOCK.match(value)
    if not match:
        raise UnitError(path, f"'{value}' is not a time; {accepted} was expected")
    days, hours, minutes = int(match.group(1) or 0), int(match.group(2)), int(match.group(3))
    if hours > 23 or minutes > 59:
        raise UnitError(path, f"'{value}': hours must be 00-23 and minutes 00-59")
    return days * SECONDS_PER_DAY + hours * 3600.0 + minutes * 60.0
