"""docs/safety-rules.md maps every registered rule id to its source and its tests."""

import re
from pathlib import Path

from thecal.core.safety import RULES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "safety-rules.md"


def rows() -> dict[str, list[str]]:
    out = {}
    for line in DOC.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.match(r"^[A-Z]+-?\d", cells[0]):
            out[cells[0]] = [t.strip() for t in cells[4].split(",")]
    return out


def test_every_rule_has_a_row_and_every_row_a_rule():
    documented = rows()
    assert set(documented) == set(RULES)


def test_every_test_named_exists():
    for rule_id, tests in rows().items():
        assert tests, rule_id
        for ref in tests:
            path, _, name = ref.partition("::")
            source = (ROOT / path).read_text("utf-8")
            assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"{rule_id}: {ref}"
