"""limits-audit.md §4 (baclofen age limits) and issue 24: the Gablofen label's usual
maintenance ranges by origin and age, as soft maxima. Spinal origin: 300-800 mcg/d;
cerebral origin: 90-703 mcg/d, 24-1199 mcg/d in children under 12 (drugs-and-dosing.md
fact 14, [E9]). Every program here is the unchanged running one (baclofen 2000 mcg/mL),
so only the maximum speaks; the doses sit between the figures to tell them apart."""

from __future__ import annotations

import pytest

from tests.programmer.helpers import program, proposal
from tests.services.world import DR, T0, Clinicians, baclofen
from thecal.adapters.schema.base import validate
from thecal.adapters.schema.programmer import PatientDoc
from thecal.core.errors import InputError
from thecal.core.safety import Patient, check_program
from thecal.services.clinic.gate import Signoff

SOFT_MAX = ("DD-04", "soft", "DAILY_DOSE_ABOVE_SOFT_MAX")
CEREBRAL = "spasticity_cerebral"


def soft_max(dose_mcg_per_day: float, patient: Patient) -> list[str]:
    """The messages of the soft-maximum findings for the unchanged program."""
    running = program([("baclofen", 2000.0)], dose_mcg_per_day, low_ml=4.0)
    found = check_program(proposal(running, running, patient=patient)).findings
    return [f.message for f in found if (f.rule_id, f.severity, f.code) == SOFT_MAX]


@pytest.mark.sr("SR-03")
def test_an_adult_with_cerebral_spasticity_is_asked_above_703():
    """750 mcg/d: inside the spinal 800, above the cerebral 703."""
    assert soft_max(750.0, Patient(indication="spasticity_spinal", age_years=40.0)) == []
    (message,) = soft_max(750.0, Patient(indication=CEREBRAL, age_years=40.0))
    assert "soft maximum 703 mcg/day (cerebral origin)" in message
    assert soft_max(700.0, Patient(indication=CEREBRAL, age_years=40.0)) == []


def test_a_child_surely_under_12_has_the_childrens_range_up_to_1199():
    """Aged 8 or 9 by the record: 1000 mcg/d is inside the children's 24-1199 and is not
    flagged (the adult 703 would have been); 1250 is above it."""
    child = Patient(indication=CEREBRAL, paediatric=True, age_years=8.0, oldest_age_years=9.0)
    assert soft_max(1000.0, child) == []
    (message,) = soft_max(1250.0, child)
    assert "soft maximum 1199 mcg/day (cerebral origin, a child under 12 years)" in message


def test_a_child_who_may_already_be_12_keeps_the_adult_figure():
    """11 or 12 by the year of birth: the looser children's range is not assumed, so
    1000 mcg/d is above 703. An age typed as exact (11) is surely under 12."""
    maybe_twelve = Patient(CEREBRAL, paediatric=True, age_years=11.0, oldest_age_years=12.0)
    (message,) = soft_max(1000.0, maybe_twelve)
    assert "703 mcg/day" in message
    assert soft_max(1000.0, Patient(CEREBRAL, paediatric=True, age_years=11.0)) == []


def test_the_childrens_range_is_for_cerebral_origin_only():
    """The label states 24-1199 in its cerebral-origin line: a child with spinal
    spasticity at 900 mcg/d is above the spinal 800."""
    child = Patient("spasticity_spinal", paediatric=True, age_years=8.0, oldest_age_years=9.0)
    (message,) = soft_max(900.0, child)
    assert "800 mcg/day" in message


def test_the_clinic_reads_both_ages_from_the_year_of_birth():
    """T0 is 2026-09-21. Born 2016: 9 or 10, surely under 12, 1000 mcg/d is in range.
    Born 2014: 11 or 12, so 1000 mcg/d is above the 703 an adult or a 12-year-old has."""
    c = Clinicians()
    codes = {}
    for year in (2016, 2014):
        pid = c.patient(f"C{year}", baclofen(1000.0), indication=CEREBRAL, birth_year=year)
        review = c.clinic.therapy.check_program(DR, pid, baclofen(1000.0), Signoff(), T0)
        codes[year] = {(f.rule_id, f.severity, f.code) for f in review.proposal.findings}
    assert SOFT_MAX not in codes[2016]
    assert SOFT_MAX in codes[2014]


def test_an_oldest_age_below_the_youngest_is_refused():
    assert validate(PatientDoc, {"age_years": 8, "oldest_age_years": 9}, "patient")
    for bad in ({"age_years": 9, "oldest_age_years": 8}, {"oldest_age_years": 9}):
        with pytest.raises(InputError) as caught:
            validate(PatientDoc, bad, "patient")
        assert "oldest_age_years needs age_years, and may not be below it" in str(
            caught.value.problems
        )
