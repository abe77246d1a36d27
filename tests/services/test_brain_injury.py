"""Issue 24 / limits-audit.md §3: Gablofen's label asks long-term intrathecal baclofen
after a traumatic brain injury to wait at least a year (drugs.toml
brain_injury_wait_days = 365, a recommendation: soft). T0 is 2026-09-21 14:13 UTC."""

from __future__ import annotations

import calendar

import pytest

from tests.services.test_patient_age import found
from tests.services.world import DAY, DR, T0, Clinicians, baclofen, morphine
from thecal.core.errors import InputError
from thecal.core.safety import Patient
from thecal.services.clinic import ImplantInput
from thecal.services.clinic.gate import Signoff

WAIT = ("DD-12", "soft", "BRAIN_INJURY_WAIT")
CEREBRAL = "spasticity_cerebral"


def day_s(y: int, m: int, d: int) -> float:
    return float(calendar.timegm((y, m, d, 0, 0, 0)))


def test_a_baclofen_start_within_a_year_of_the_injury_asks_for_review():
    eight_months = Patient(CEREBRAL, brain_injury_s=day_s(2026, 1, 21))
    assert WAIT in found(baclofen(100.0), eight_months)
    thirteen_months = Patient(CEREBRAL, brain_injury_s=day_s(2025, 8, 21))
    assert WAIT not in found(baclofen(100.0), thirteen_months)
    assert WAIT not in found(baclofen(100.0), Patient(CEREBRAL))  # none recorded
    # continuing therapy is not a start; a drug without the wait is not asked
    assert WAIT not in found(baclofen(420.0), eight_months, current=baclofen(400.0))
    assert WAIT not in found(morphine(), Patient("non_cancer", brain_injury_s=day_s(2026, 9, 1)))


def test_the_clinic_records_the_date_and_the_implant_review_reads_it():
    c = Clinicians()
    data = {"mrn": "TBI1", "name": "TBI1", "birth_year": 1990, "indication": CEREBRAL,
            "weight_kg": 70.0, "opioid_naive": False, "brain_injury_on": "2026-03-01"}  # fmt: skip
    pid = c.clinic.care.add_patient(DR, data, "referred after a brain injury", T0)
    first_fill = ImplantInput("peristaltic-20", "SN-TBI1", "two-piece", 90.0, 2.6, "T10",
                              baclofen(100.0), 19.0)  # fmt: skip
    review = c.clinic.devices.check_implant(DR, pid, first_fill, Signoff(), T0)
    wait = [f for f in review.proposal.findings if f.code == "BRAIN_INJURY_WAIT"]
    # 2026-03-01 00:00 to 2026-09-21 14:13 UTC is 204.6 days
    assert [f.severity for f in wait] == ["soft"]
    assert "the brain injury was 205 days ago" in wait[0].message
    assert "at least 365 days" in wait[0].message
    later = c.clinic.devices.check_implant(DR, pid, first_fill, Signoff(), T0 + 200 * DAY)
    assert not [f for f in later.proposal.findings if f.code == "BRAIN_INJURY_WAIT"]


def test_a_brain_injury_in_the_future_is_refused():
    c = Clinicians()
    data = {"mrn": "TBI2", "name": "TBI2", "birth_year": 1990, "indication": CEREBRAL,
            "weight_kg": 70.0,
            "opioid_naive": False, "brain_injury_on": "2026-09-22"}  # the day after T0
    with pytest.raises(InputError) as refused:
        c.clinic.care.add_patient(DR, data, "typed a day ahead", T0)
    assert [(p.path, p.message) for p in refused.value.problems] == [
        ("brain_injury_on", "a date on or before today")]  # fmt: skip
