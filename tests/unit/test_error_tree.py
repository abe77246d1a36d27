"""The one error tree (core/errors.py) lists every error class thecal defines (issue 27)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import thecal
from thecal.core import errors

SRC = Path(thecal.__file__).parent


def _all_subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _all_subclasses(sub)
    return out


def test_every_error_class_is_in_the_documented_tree():
    # every module imported, so every subclass is known
    for info in pkgutil.walk_packages([str(SRC)], "thecal."):
        if ".migrations." not in info.name:
            importlib.import_module(info.name)
    tree = errors.__doc__ or ""
    documented = set(re.findall(r"[├└]── (\w+)", tree))
    found = _all_subclasses(errors.ThecalError)
    defined = {c.__name__ for c in found if c.__module__.startswith("thecal.")}
    assert defined == documented


def test_no_exception_is_defined_outside_the_tree():
    outside = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if bases & {"Exception", "ValueError", "RuntimeError", "KeyError", "TypeError"}:
                    outside.append(f"{path.relative_to(SRC)}: {node.name}")
    assert outside == ["core/errors.py: ThecalError"]  # the root, and nothing else
