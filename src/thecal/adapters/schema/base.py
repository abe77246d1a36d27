"""The base of every input document model, and pydantic's errors in thecal's words.

Every document refuses unknown keys (a typo must not silently change a therapy) and
reports every problem at once, each with its path in the file (`events[3].add_ml`),
as the `Problem`s the CLI prints (exit 2) and the API answers (422).
"""

from __future__ import annotations

import types
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from thecal.core.errors import InputError, Problem


class Doc(BaseModel):
    # protected_namespaces=(): fields such as `model_id` are the pump's, not pydantic's
    # (pydantic before 2.10 warned on them; the minimum versions are tested, docs/deps)
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True,
                              populate_by_name=True, protected_namespaces=())  # fmt: skip


def _unwrap(t: Any) -> Any:
    while get_origin(t) is Annotated:
        t = get_args(t)[0]
    args = get_args(t)
    if get_origin(t) in (Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        t = rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007
        return _unwrap(t)
    return t


def _model_field(model: type[BaseModel], key: str) -> Any:
    for name, f in model.model_fields.items():
        if key in (name, f.alias):
            return f.annotation
    return None


def _tagged(members: tuple[Any, ...], tag: str) -> Any:
    for m in members:
        m = _unwrap(m)
        if isinstance(m, type) and issubclass(m, BaseModel):
            field = m.model_fields.get("type")
            if field is not None and tag in get_args(_unwrap(field.annotation)):
                return m
    return None


def _tags(union: Any) -> list[str]:
    members = get_args(_unwrap(union))
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    fields = [m.model_fields.get("type") for m in models]
    return [str(t) for f in fields if f is not None for t in get_args(_unwrap(f.annotation))]


def walk(root: Any, loc: tuple[int | str, ...]) -> tuple[str, Any]:
    """The path a person reads for pydantic's `loc` (`events[0].add_ml`: the union's
    tag left out), and the type found there (None where the walk cannot follow)."""
    path, t = "", root
    for item in loc:
        t = _unwrap(t)
        origin = get_origin(t)
        if origin in (Union, types.UnionType) and isinstance(item, str):
            t = _tagged(get_args(t), item)  # a discriminated union's tag: not in the path
            continue
        if isinstance(item, int):
            path += f"[{item}]"
            args = get_args(t)
            t = args[0] if origin in (list, tuple) and args else None
            continue
        path += f".{item}" if path else str(item)
        if isinstance(t, type) and issubclass(t, BaseModel):
            t = _model_field(t, item)
        elif origin is dict:
            t = get_args(t)[1]
        else:
            t = None
    return path, t


def _keys(model: Any) -> str:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return ", ".join(f.alias or name for name, f in model.model_fields.items())
    return "none"


def problems_from(exc: ValidationError, root: Any, prefix: str = "") -> list[Problem]:
    out = []
    for e in exc.errors(include_url=False):
        loc = tuple(e["loc"])
        path, here = walk(root, loc)
        kind, message = e["type"], e["msg"]
        if kind == "extra_forbidden":
            _, parent = walk(root, loc[:-1])
            message = f"unknown key; accepted here: {_keys(_unwrap(parent))}"
        elif kind == "missing":
            message = "is required"
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            path = f"{path}.type" if path else "type"
            message = f"expected one of: {', '.join(_tags(here))}"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = "expected a JSON object"
        elif kind in ("list_type", "tuple_type"):
            message = "expected a JSON array"
        full = prefix + path if path.startswith("[") else ".".join(p for p in (prefix, path) if p)
        out.append(Problem(full or "(top)", message))
    return out


@cache
def adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def validate(
    tp: Any, doc: Any, what: str, context: dict[str, Any] | None = None, prefix: str = ""
) -> Any:
    """`doc` as `tp` (a model or a type), or InputError with every problem (each path
    under `prefix` when the document sits inside a larger one)."""
    try:
        return adapter(tp).validate_python(doc, context=context)
    except ValidationError as exc:
        raise InputError(f"invalid {what}", problems_from(exc, tp, prefix)) from None


def part(tp: Any, doc: Any, context: dict[str, Any] | None = None) -> Any:
    """One part of a document on its own, or None when it has problems (they are
    reported by the validation of the whole)."""
    try:
        return adapter(tp).validate_python(doc, context=context)
    except ValidationError:
        return None
