"""requirements.lock pins every dependency pyproject.toml declares (issue 27): a
dependency added without `make lock` fails here, not on a fresh machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_declared_dependency_is_pinned_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():  # dev, postgres, dask
        declared |= {_name(r) for r in extra}
    pins = {}
    for line in (ROOT / "requirements.lock").read_text("utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if found:
            pins[found.group(1).lower().replace("_", "-").replace(".", "-")] = found.group(2)
    missing = {d for d in declared if d.replace(".", "-") not in pins}
    assert missing == set()
    assert "thecal" not in pins  # thecal itself is installed from the tree, editable


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text("utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if found:
            pins[found.group(1).lower().replace("_", "-").replace(".", "-")] = found.group(2)
    return pins


def test_the_demo_lock_is_the_full_lock_without_the_test_tools():
    """`make demo` installs requirements-runtime.lock first (issue 25: the first page
    waited on pip for the test tools): the same pins as the full lock, every runtime
    dependency, and none of the tools only the tests need."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    runtime, full = _pins("requirements-runtime.lock"), _pins("requirements.lock")
    assert {k: full.get(k) for k in runtime} == runtime
    declared = {_name(r).replace(".", "-") for r in project["dependencies"]}
    assert declared - set(runtime) == set()
    assert {"pytest", "playwright", "mypy", "schemathesis", "hypothesis"} & set(runtime) == set()
    # the demo runs on SQLite in one process: the optional extras stay out of it
    assert {"psycopg", "dask", "distributed", "httpx"} & set(runtime) == set()
