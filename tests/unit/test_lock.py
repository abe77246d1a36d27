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
    declared |= {_name(r) for r in project["optional-dependencies"]["dev"]}
    pins = {}
    for line in (ROOT / "requirements.lock").read_text("utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if found:
            pins[found.group(1).lower().replace("_", "-").replace(".", "-")] = found.group(2)
    missing = {d for d in declared if d.replace(".", "-") not in pins}
    assert missing == set()
    assert "thecal" not in pins  # thecal itself is installed from the tree, editable
