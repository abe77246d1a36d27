"""The emulated pump's state as plain data (JSON), and back, by its own type annotations
(issue 23: a pickle made write access to the database code execution in the server).

Encoding walks the frozen state tree: dataclasses and NamedTuples become objects of
their declared fields, tuples and frozensets lists, the demand-answer log a list of
[id, answer] pairs oldest first, and a float that JSON cannot hold (the lockout's
"no dose yet" is minus infinity) the text "inf", "-inf" or "nan". Decoding is driven
by the annotations of the type asked for: only types those annotations name can be
built, so a stored document can make nothing else. The pump model and the drug library
are left out (`SKIP`) and restored by the caller from the catalogue and the library.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, Union, get_args, get_origin

from thecal.core.errors import ThecalError
from thecal.core.pump.answer_log import AnswerLog

SKIP = frozenset({"model", "library"})  # restored by the caller, never stored
_SPECIAL = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class StateDocumentError(ThecalError):
    """A stored pump state that does not fit its type (corrupt, or not thecal's)."""


def encode(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, AnswerLog):
        return [[k, encode(v)] for k, v in value.items()]
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple
        return {f: encode(getattr(value, f)) for f in value._fields if f not in SKIP}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: encode(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in SKIP
        }
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, frozenset):
        return sorted(encode(v) for v in value)
    raise StateDocumentError(f"cannot store a {type(value).__name__} in a pump state")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(tp: Any, doc: Any, path: str = "state") -> Any:
    """`doc` as type `tp`, or StateDocumentError naming where it does not fit."""
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        if doc is None and type(None) in args:
            return None
        kinds = [a for a in args if a is not type(None)]
        return decode(kinds[0], doc, path) if len(kinds) == 1 else _fail(path, tp)
    if tp is float:
        if isinstance(doc, str) and doc in _SPECIAL:
            return _SPECIAL[doc]
        if isinstance(doc, int | float) and not isinstance(doc, bool):
            return float(doc)
        return _fail(path, tp)
    if tp in (int, str, bool):
        if type(doc) is not tp:
            return _fail(path, tp)
        return doc
    if origin is tuple:
        if not isinstance(doc, list):
            return _fail(path, tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v, f"{path}[{i}]") for i, v in enumerate(doc))
        if len(args) != len(doc):
            return _fail(path, tp)
        return tuple(
            decode(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, doc, strict=True))
        )
    if origin is frozenset:
        if not isinstance(doc, list):
            return _fail(path, tp)
        return frozenset(decode(args[0], v, f"{path}[]") for v in doc)
    if origin is AnswerLog:
        if not isinstance(doc, list) or not all(isinstance(p, list) and len(p) == 2 for p in doc):
            return _fail(path, tp)
        pairs = [(decode(str, k, f"{path}.id"), decode(args[0], v, f"{path}[]")) for k, v in doc]
        return AnswerLog().add_all(pairs)
    if isinstance(tp, type) and (dataclasses.is_dataclass(tp) or hasattr(tp, "_fields")):
        return _record(tp, doc, path)
    return _fail(path, tp)


def _record(cls: type, doc: Any, path: str) -> Any:
    if not isinstance(doc, dict):
        return _fail(path, cls)
    hints = _hints(cls)
    names = (
        [f.name for f in dataclasses.fields(cls)]
        if dataclasses.is_dataclass(cls)
        else list(cls._fields)  # type: ignore[attr-defined]
    )
    unknown = set(doc) - set(names)
    if unknown:
        raise StateDocumentError(f"{path}: unknown field(s) {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name in names:
        if name in SKIP:
            values[name] = None
        elif name in doc:
            values[name] = decode(hints[name], doc[name], f"{path}.{name}")
    try:
        return cls(**values)
    except TypeError as exc:  # a required field missing
        raise StateDocumentError(f"{path}: {exc}") from None


def _fail(path: str, tp: Any) -> Any:
    raise StateDocumentError(f"{path}: does not hold a {getattr(tp, '__name__', tp)}")
