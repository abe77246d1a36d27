from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings

from thecal.data import drug_library
from thecal.scenario import load
from thecal.services.simulate import SimulationResult, simulate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DAY = 86_400.0  # written out, not imported: tests state their numbers by hand


def run_example(name: str) -> SimulationResult:
    return simulate(load(EXAMPLES / name), drug_library())


# CI runs the property tests on a fixed set of examples so that a red build always
# reproduces; locally Hypothesis explores freely (and remembers what it found).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
