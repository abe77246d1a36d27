"""The published JSON Schemas (docs/schemas/) are the ones the readers' models
generate, and they describe the files thecal ships: every example validates against
its format's schema, and a file the reader refuses for a typo the schema refuses too."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from thecal.adapters.schema.publish import FORMATS, json_schema, schema_text
from thecal.core.errors import InputError
from thecal.scenario import parse

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "docs" / "schemas"
EXAMPLES = {
    "scenario": sorted((ROOT / "examples").glob("*.json")),
    "virtual-patient": [ROOT / "examples/patients/chronic-back-pain.json"],
    "program-check": sorted((ROOT / "examples/programmer").glob("program-check-*.json")),
    "refill-plan": [ROOT / "examples/programmer/refill-plan.json"],
    "dose": [ROOT / "examples/programmer/dose-admixture.json"],
    "convert": [ROOT / "examples/programmer/convert-oral-morphine.json"],
    "trial": [ROOT / "examples/programmer/trial-baclofen.json"],
    "candidate": [ROOT / "examples/programmer/candidate-pain.toml"],
    "pathway": [ROOT / "examples/programmer/pathway-axial-back.json"],
    "scs-program": [ROOT / "examples/programmer/scs-program-tonic.json"],
    "session": [ROOT / "examples/programmer/session-titration.json"],
}


def _load(path: Path) -> object:
    text = path.read_text("utf-8")
    return tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_published_schema_is_the_generated_one(name):
    assert (PUBLISHED / f"{name}.schema.json").read_text() == schema_text(name), (
        "regenerate with: thecal schema --out docs/schemas"
    )


@pytest.mark.parametrize(
    ("name", "path"),
    [(n, p) for n, paths in EXAMPLES.items() for p in paths],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_every_example_validates_against_its_schema(name, path):
    jsonschema.Draft202012Validator(json_schema(name)).validate(_load(path))


def test_every_format_has_an_example():
    assert set(EXAMPLES) == set(FORMATS) and all(EXAMPLES.values())


def test_a_typo_is_refused_by_the_schema_and_by_the_reader_alike():
    doc = _load(ROOT / "examples/morphine-flex-demand.json")
    doc["program"]["demand_bolus"]["lock_out"] = doc["program"]["demand_bolus"].pop("lockout")
    errors = list(jsonschema.Draft202012Validator(json_schema("scenario")).iter_errors(doc))
    assert errors and all(list(e.absolute_path)[:2] == ["program", "demand_bolus"] for e in errors)
    with pytest.raises(InputError) as refused:
        parse(doc)
    assert {(p.path, p.message.split(";")[0]) for p in refused.value.problems} == {
        ("program.demand_bolus.lockout", "is required"),
        ("program.demand_bolus.lock_out", "unknown key"),
    }
