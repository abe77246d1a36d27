"""A temporary program (SR-36) is not a program version, but the increase it gave is
an increase the patient had: the titration rules count it (issue 26). Baclofen's
label: increases at least 24 h apart (drugs.toml titration_min_interval_h, hard)."""

from __future__ import annotations

import pytest

from tests.services.world import DAY, DR, HOUR, T0, Clinicians, baclofen
from thecal.core.safety.context import DoseChange
from thecal.core.safety.titration import TemporaryDoses, with_temporaries
from thecal.services.clinic.gate import Signoff


@pytest.fixture
def c() -> Clinicians:
    return Clinicians()


def codes(review) -> dict[str, str]:
    return {f.code: f.severity for f in review.proposal.findings}


def _temporary(c, pid, dose_mcg, at_s, hours):
    program = baclofen(dose_mcg)
    review = c.clinic.therapy.check_program(DR, pid, program, Signoff(), at_s, hours * HOUR)
    c.clinic.therapy.commit_program(DR, pid, program, "a trial of more for a bad day",
                            c.signed(review), at_s, review.therapy_version,
                            hours * HOUR)  # fmt: skip


@pytest.mark.sr("SR-36")
def test_an_increase_soon_after_a_temporary_increase_is_too_soon(c):
    pid = c.patient("B1", baclofen(400.0))
    start = T0 + 2 * DAY
    _temporary(c, pid, 440.0, start, 6)  # +10 % for 6 h
    # 8 h after the temporary increase began (it ended 2 h ago): the base goes to 440
    review = c.clinic.therapy.check_program(DR, pid, baclofen(440.0), Signoff(), start + 8 * HOUR)
    assert codes(review).get("TITRATION_TOO_SOON") == "hard"
    # 25 h after it: 24 h have passed since the last increase
    later = c.clinic.therapy.check_program(DR, pid, baclofen(440.0), Signoff(), start + 25 * HOUR)
    assert "TITRATION_TOO_SOON" not in codes(later)
    # the base stayed the program of record
    assert [p["reason"] for p in c.table("programs")] == ["implant"]


def test_a_temporary_program_is_a_dose_from_its_start_and_the_base_after_its_end():
    base = [DoseChange(0.0, "baclofen", 400.0)]
    ran = TemporaryDoses(100.0, 200.0, (("baclofen", 440.0),))
    assert [(h.at_s, h.daily_mcg) for h in with_temporaries(base, [ran])] == [
        (0.0, 400.0), (100.0, 440.0), (200.0, 400.0)]  # fmt: skip
    # a new base program at 150 ended it: no return to 400 at 200
    replaced = [*base, DoseChange(150.0, "baclofen", 500.0)]
    assert [(h.at_s, h.daily_mcg) for h in with_temporaries(replaced, [ran])] == [
        (0.0, 400.0), (100.0, 440.0), (150.0, 500.0)]  # fmt: skip
    # a second temporary at 150 took over; it runs to 300, then the base again
    second = TemporaryDoses(150.0, 300.0, (("baclofen", 480.0),))
    assert [(h.at_s, h.daily_mcg) for h in with_temporaries(base, [ran, second])] == [
        (0.0, 400.0), (100.0, 440.0), (150.0, 480.0), (300.0, 400.0)]  # fmt: skip

