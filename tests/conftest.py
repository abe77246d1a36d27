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


def physics_library():
    """The drug library with its hard dose limits lifted, for tests of pump physics that
    draw programs at any rate: the pump's own limit monitor (SR-41) would refuse many of
    them, and that monitor has tests of its own (tests/unit/test_pump_monitor.py)."""
    from dataclasses import replace

    lib = drug_library()
    inf = float("inf")
    drugs = {
        name: replace(
            d,
            max_concentration_mcg_per_ml=inf,
            max_bolus_mcg=inf,
            max_daily_dose_hard_mcg_per_day=None,
        )
        for name, d in lib.drugs.items()
    }
    return replace(lib, drugs=drugs)


def run_example(name: str) -> SimulationResult:
    return simulate(load(EXAMPLES / name), drug_library())


# CI runs the property tests on a fixed set of examples so that a red build always
# reproduces; locally Hypothesis explores freely (and remembers what it found).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


# Test tiers (issue 27): `make check` runs the fast tier (`-m "not db and not browser
# and not slow"`), `make test` runs them all. A tier follows from what a test needs, so
# a new test lands in the right one without anyone remembering to mark it.
DB_FIXTURES = {"world", "sqlite_world", "db_url", "telemetry_world", "fuzz_world", "served"}
PROCESS_FIXTURES = {"emulator_process"}


def pytest_collection_modifyitems(items):
    import pytest

    for item in items:
        parts = Path(str(item.fspath)).parts
        needs = set(getattr(item, "fixturenames", ()))
        if "e2e" in parts:
            item.add_marker(pytest.mark.browser)
        if "clinic" in parts or needs & DB_FIXTURES:
            item.add_marker(pytest.mark.db)
        if needs & PROCESS_FIXTURES:
            item.add_marker(pytest.mark.slow)
