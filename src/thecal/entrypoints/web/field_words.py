"""A request field's accepted values in a clinician's words, read from the field itself.

The screens replace the input model's own wording ("Input should be less than or
equal to 100") by words a clinician reads ("a volume in mL, more than 0 and at most
100, such as 18"). The bounds in those words are read from the pydantic field's
constraints (pydantic's field metadata: gt/ge/lt/le, min/max_length), so a bound changed in the
request body changes the words with it: the screen never states a limit the API does
not hold. `per` shows a field kept in one unit in another (seconds as minutes).
"""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel

# the constraint attributes of annotated_types' Gt, Ge, Lt, Le (pydantic's metadata)
LOW = {"gt": "more than", "ge": "at least"}
HIGH = {"lt": "less than", "le": "at most"}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _constraints(model: type[BaseModel], name: str) -> list[object]:
    if name not in model.model_fields:
        raise KeyError(f"{model.__name__} has no field {name!r}")
    return list(model.model_fields[name].metadata)


def range_words(model: type[BaseModel], name: str, *, per: float = 1.0) -> str:
    """'more than 0 and at most 100' for Field(gt=0, le=100); each bound divided by
    `per`."""
    low = high = ""
    for c in _constraints(model, name):
        for attr, words in (LOW | HIGH).items():
            bound = getattr(c, attr, None)
            if bound is None:
                continue
            said = f"{words} {_number(float(bound) / per)}"
            low, high = (said, high) if attr in LOW else (low, said)
    if not (low or high):
        raise ValueError(f"{model.__name__}.{name} states no bound")
    return " and ".join(w for w in (low, high) if w)


def length_words(model: type[BaseModel], name: str) -> str:
    """'1 to 40 characters' for Field(min_length=1, max_length=40)."""
    shortest, longest = 0, None
    for c in _constraints(model, name):
        shortest = getattr(c, "min_length", shortest)
        longest = getattr(c, "max_length", longest)
    if longest is None:
        raise ValueError(f"{model.__name__}.{name} states no maximum length")
    return f"{shortest} to {longest} characters"


def number_words(
    what: str, model: type[BaseModel], name: str, *, example: str = "", per: float = 1.0
) -> str:
    """`what`, the field's range, and an example: the words beside a number input."""
    such_as = f", such as {example}" if example else ""
    return f"{what}, {range_words(model, name, per=per)}{such_as}"


def choice_words(model: type[BaseModel], name: str) -> str:
    """'clinician, bridge or priming' for a Literal["clinician", "bridge", "priming"]."""
    choices = [str(c) for c in get_args(model.model_fields[name].annotation)]
    if not choices:
        raise ValueError(f"{model.__name__}.{name} is not a choice")
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"
