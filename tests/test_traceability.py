"""Traceability 42 / 42 (issue 26): every safety requirement is named by a test or
has a written reason, and the table in docs/safety-rules.md is the generated one."""

from __future__ import annotations

from tests import traceability as tr


def test_every_requirement_has_a_test_or_a_reason():
    doc = tr.DOC.read_text("utf-8")
    reqs = tr.requirements()
    assert len(reqs) == 42
    assert tr.gaps(reqs, tr.tests_by_requirement(), tr.not_applicable(doc)) == []


def test_the_table_in_the_docs_is_the_generated_one():
    doc = tr.DOC.read_text("utf-8")
    assert doc == tr.rendered(doc), "regenerate with: make trace"


def test_a_requirement_without_a_test_or_a_reason_is_named(tmp_path):
    (tmp_path / "test_x.py").write_text(
        "import pytest\n\n@pytest.mark.sr('SR-02', 'SR-99')\ndef test_a():\n    pass\n\n"
        "def test_sr03_in_the_name():\n    pass\n\n"
        "def helper_sr04():\n    pass\n",
        "utf-8",
    )
    found = tr.tests_by_requirement(tmp_path)
    assert found == {
        "SR-02": ["test_x.py::test_a"],
        "SR-99": ["test_x.py::test_a"],
        "SR-03": ["test_x.py::test_sr03_in_the_name"],
    }
    reqs = {"SR-01": "a", "SR-02": "b", "SR-03": "c", "SR-04": "d"}
    na = tr.not_applicable("- SR-04: not applicable, because the pump has no such part\n")
    assert tr.gaps(reqs, found, na) == [
        "SR-01: no test names it and no reason says why not",
        "SR-99: named by test_x.py::test_a, not a requirement",
    ]
