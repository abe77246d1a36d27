"""`thecal.scenario.load(path)`: the one loader for the library and the CLI."""

from __future__ import annotations

from pathlib import Path

from thecal.adapters.scenario import document
from thecal.core.scenario import Scenario
from thecal.data import drug_library, pump_catalogue


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file against the shipped catalogue and library."""
    return document.load(path, pump_catalogue(), drug_library())


def parse(doc: object) -> Scenario:
    return document.parse_scenario(doc, pump_catalogue(), drug_library())


__all__ = ["Scenario", "load", "parse"]
