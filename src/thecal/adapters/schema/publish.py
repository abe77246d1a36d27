"""The JSON Schema of every input format, generated from the models that read it, so
the published schema and the reader can never disagree. `thecal schema` prints one
or writes them all to `docs/schemas/` (a test keeps the committed files current)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from thecal.adapters.schema.pathway import PathwayDoc
from thecal.adapters.schema.patient import VirtualPatientDoc
from thecal.adapters.schema.programmer import (
    CandidateDoc,
    ConvertDoc,
    DoseDoc,
    ProgramCheckDoc,
    RefillPlanDoc,
    TrialDoc,
)
from thecal.adapters.schema.scenario import ScenarioDoc
from thecal.adapters.schema.scs import ScsProgramDoc
from thecal.adapters.schema.session import SessionDoc

FORMATS: dict[str, tuple[Any, str]] = {
    "scenario": (ScenarioDoc, "thecal simulate FILE"),
    "virtual-patient": (VirtualPatientDoc, "thecal simulate FILE --patient PATIENT"),
    "program-check": (ProgramCheckDoc, "thecal program check FILE"),
    "refill-plan": (RefillPlanDoc, "thecal refill plan FILE"),
    "dose": (DoseDoc, "thecal dose FILE"),
    "convert": (ConvertDoc, "thecal convert FILE"),
    "trial": (TrialDoc, "thecal trial evaluate FILE (and the clinic's trial documents)"),
    "candidate": (CandidateDoc, "thecal candidate evaluate FILE"),
    "pathway": (PathwayDoc, "PUT /api/patients/{id}/pathway (the clinic's care pathway)"),
    "scs-program": (ScsProgramDoc, "the program in POST /api/patients/{id}/scs/... bodies"),
    "session": (SessionDoc, "thecal session run FILE"),
}


def json_schema(name: str) -> dict[str, Any]:
    model, used_by = FORMATS[name]
    schema = TypeAdapter(model).json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://thecal.example/schemas/{name}.schema.json",
        "title": f"thecal {name} input",
        "description": f"Read by `{used_by}`. Quantities are text with a unit; unknown keys "
        "are refused. Generated from thecal.adapters.schema; do not edit by hand.",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schema_text(name: str) -> str:
    return json.dumps(json_schema(name), indent=2, sort_keys=True) + "\n"


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in FORMATS:
        path = folder / f"{name}.schema.json"
        path.write_text(schema_text(name))
        out.append(path)
    return out
