"""The temporary program read back from storage for the titration rules (issue 26),
on SQLite and PostgreSQL. Patient B runs baclofen 400 mcg/day (conftest.py)."""

from __future__ import annotations

from tests.clinic.conftest import T0
from tests.services.world import DAY, HOUR, baclofen
from thecal.services.clinic.gate import Signoff


def test_the_database_keeps_the_temporary_program_for_the_titration_rules(world):
    dr = world.users["physician"]
    start = T0 + 2 * DAY
    raised = baclofen(440.0)
    review = world.clinic.therapy.check_program(dr, world.b, raised, Signoff(), start, 6 * HOUR)
    world.clinic.therapy.commit_program(
            dr, world.b, raised, "a bad day", world.signed(review), start,
            review.therapy_version, 6 * HOUR)  # fmt: skip
    again = world.clinic.therapy.check_program(dr, world.b, raised, Signoff(), start + 8 * HOUR)
    assert {f.code: f.severity for f in again.proposal.findings}.get("TITRATION_TOO_SOON") == "hard"
