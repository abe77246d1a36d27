"""Every path the code, the data and the docs cite exists (issue 27): a repository
path (docs/..., tests/..., src/..., a module path such as core/pump/firmware.py, a
data file), and every document cited by name is under docs/ or in docs/sources.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATH = re.compile(
    r"(?<![\w./-])((?:docs|tests|bench|src|examples)/[\w./-]+\.(?:md|py|toml|json|txt)"
    r"|(?:core|services|adapters|entrypoints|data)/[\w./-]+\.(?:py|toml|md))"
)
DOC_NAME = re.compile(r"(?<![\w./-])([a-z][a-z-]*\.md)\b")


def _texts():
    files = [
        *(ROOT / "src").rglob("*.py"),
        *(ROOT / "src").rglob("*.toml"),
        *(ROOT / "docs").rglob("*.md"),
        *(ROOT / "tests").rglob("*.py"),
        ROOT / "README.md",
    ]
    for f in files:
        yield f.relative_to(ROOT).as_posix(), f.read_text("utf-8")


def test_every_cited_repository_path_exists():
    missing = []
    for name, text in _texts():
        for found in PATH.finditer(text):
            path = found.group(1).rstrip(".")
            if not ((ROOT / path).exists() or (ROOT / "src" / "thecal" / path).exists()):
                missing.append(f"{name}: {path}")
    assert missing == []


def test_every_document_cited_by_name_is_in_docs_or_the_sources_page():
    sources = (ROOT / "docs" / "sources.md").read_text("utf-8")
    listed = set(re.findall(r"^\| ([a-z-]+\.md) \|", sources, re.M))
    ours = {p.name for p in (ROOT / "docs").glob("*.md")} | {"README.md"}
    unknown = set()
    for name, text in _texts():
        for found in DOC_NAME.finditer(text):
            if found.group(1) not in listed | ours:
                unknown.add(f"{name}: {found.group(1)}")
    assert unknown == set()
