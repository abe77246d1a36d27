"""Field types for every input document: quantities are text with a unit, parsed by
`core.units` (pint, at the edge only) into canonical floats; a bare number only where
the field's name carries its unit (`fill_ml`, `length_cm`).

Each type carries its own JSON Schema (text with a unit, with an example), so the
published schemas say what a person must write, not what the parser returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

from thecal.core.errors import UnitError
from thecal.core.pump.program import Amount
from thecal.core.units import Kind, clock_offset_s, parse, volume_ml


def refuse(message: str) -> PydanticCustomError:
    """A problem in our own words (pydantic keeps the message as it is)."""
    return PydanticCustomError("thecal", "{message}", {"message": message})


def _units(fn: Callable[[Any], float]) -> Callable[[Any], float]:
    def parse_or_refuse(value: Any) -> float:
        try:
            return fn(value)
        except UnitError as exc:
            raise refuse(exc.problems[0].message) from None

    return parse_or_refuse


def _quantity(kind: Kind) -> Any:
    schema = {"type": "string", "description": f"{kind.noun} with its unit",
              "examples": [kind.example.strip("'")]}  # fmt: skip
    return Annotated[
        float, BeforeValidator(_units(lambda v: parse(v, kind, ""))), WithJsonSchema(schema)
    ]


Volume = _quantity(Kind.VOLUME)
DrugAmount = _quantity(Kind.AMOUNT)
Concentration = _quantity(Kind.CONCENTRATION)
Rate = _quantity(Kind.RATE)  # mL/s
DoseRate = _quantity(Kind.DOSE_RATE)  # mcg/s
Duration = _quantity(Kind.DURATION)  # s

VolumeMl = Annotated[
    float,
    BeforeValidator(_units(lambda v: volume_ml(v, ""))),
    WithJsonSchema({"anyOf": [{"type": "number", "description": "mL"},
                              {"type": "string", "examples": ["17.6 mL"]}]}),
]  # fmt: skip
Clock = Annotated[
    float,
    BeforeValidator(_units(lambda v: clock_offset_s(v, ""))),
    WithJsonSchema({"type": "string", "pattern": r"^(\d+d )?\d{2}:\d{2}$",
                    "description": "'HH:MM' or 'Nd HH:MM' (day N)"}),
]  # fmt: skip
ClockOrSeconds = Annotated[
    float,
    BeforeValidator(_units(lambda v: clock_offset_s(v, "", allow_seconds=True))),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0, "description": "seconds"},
                              {"type": "string", "pattern": r"^(\d+d )?\d{2}:\d{2}$"}]}),
]  # fmt: skip


def _bolus_amount(value: Any) -> Amount:
    """A volume ('0.374 mL') or an amount of the primary drug ('0.1 mg'), above 0."""
    for kind in (Kind.VOLUME, Kind.AMOUNT):
        try:
            number = parse(value, kind, "")
        except UnitError:
            continue
        if number <= 0:
            raise refuse(f"'{value}' must be greater than 0")
        return Amount(ml=number) if kind is Kind.VOLUME else Amount(mcg=number)
    raise refuse(
        f"{value!r} is neither a volume such as '0.374 mL' nor a drug amount such as '0.1 mg'"
    )


BolusAmount = Annotated[
    Amount,
    BeforeValidator(_bolus_amount),
    WithJsonSchema({"type": "string", "examples": ["0.374 mL", "0.1 mg"],
                    "description": "a volume, or an amount of the primary drug"}),
]  # fmt: skip


def _timestamp(value: Any) -> float:
    """ISO 8601 date or date-time -> seconds since 1970 UTC (no zone = UTC)."""
    if isinstance(value, datetime | date):
        parsed: datetime | date = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise refuse(
                f"{value!r}: expected an ISO 8601 date or date-time, e.g. 2026-11-21T09:30Z"
            ) from None
    else:
        raise refuse(f"{value!r}: expected an ISO 8601 date or date-time")
    if not isinstance(parsed, datetime):
        parsed = datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


Timestamp = Annotated[
    float,
    BeforeValidator(_timestamp),
    WithJsonSchema({"type": "string", "format": "date-time",
                    "examples": ["2026-11-21T09:30Z"]}),
]  # fmt: skip

Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]  # a plain number, no unit
NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Whole = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]
Text = Annotated[str, Strict(), Field(min_length=1)]


def choice(values: tuple[str, ...]) -> Any:
    """Text that must be one of `values` (the core's own tuple, so the two agree)."""

    def one_of(value: str) -> str:
        if value not in values:
            raise refuse(f"'{value}' is not accepted; expected one of: {', '.join(values)}")
        return value

    return Annotated[str, Strict(), AfterValidator(one_of),
                     WithJsonSchema({"type": "string", "enum": list(values)})]  # fmt: skip


def at_least(minimum: float, what: str = "") -> AfterValidator:
    def check(value: float) -> float:
        if value < minimum:
            raise refuse(what or f"{value:g} is below the minimum of {minimum:g}")
        return value

    return AfterValidator(check)


def at_most(maximum: float, what: str = "") -> AfterValidator:
    def check(value: float) -> float:
        if value > maximum:
            raise refuse(what or f"{value:g} is above the maximum of {maximum:g}")
        return value

    return AfterValidator(check)


def positive(value: float) -> float:
    if value <= 0:
        raise refuse("must be greater than 0")
    return value


def not_negative(value: float) -> float:
    if value < 0:
        raise refuse("must not be negative")
    return value
