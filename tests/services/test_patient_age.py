"""limits-audit.md §3 (baclofen age limits) and issue 24 (age is an input): the
clinic holds a year of birth; the rules read the youngest age it allows. T0 is
2026-09-21, so a patient born in 2022 may be 3 (born 31 Dec 2022) and one born in
2015 may be 10: a child (policy [patient] paediatric_below_years = 18)."""

from __future__ import annotations

from tests.services.world import DAY, DR, T0, Clinicians, baclofen
from thecal.core.safety import Patient, ProgramProposal, check_program
from thecal.data import drug_library, policy, pump_catalogue
from thecal.services.clinic.base import youngest_age_years
from thecal.services.clinic.gate import Signoff

BELOW = ("DD-12", "soft", "BELOW_LABELLED_AGE")


def found(program, patient: Patient, current=None) -> set:
    ctx = ProgramProposal(
        program,
        current,
        pump_catalogue().get("peristaltic-20"),
        drug_library(),
        policy(),
        patient,
        None,
        T0,
        first_fill=current is None,
    )
    return {(f.rule_id, f.severity, f.code) for f in check_program(ctx).findings}


def test_the_youngest_age_a_year_of_birth_allows():
    assert youngest_age_years(2022, T0) == 3.0  # 2026 - 2022 - 1
    assert youngest_age_years(1970, T0) == 55.0
    assert youngest_age_years(2026, T0) == 0.0  # born this year: never negative


def test_baclofen_below_four_asks_for_review_and_other_drugs_do_not():
    spasticity = "spasticity_cerebral"
    assert BELOW in found(baclofen(100.0), Patient(spasticity, paediatric=True, age_years=3.0))
    assert BELOW not in found(baclofen(100.0), Patient(spasticity, paediatric=True, age_years=4.0))
    assert BELOW not in found(baclofen(100.0), Patient(spasticity))  # age unknown


def test_the_clinic_passes_the_age_and_a_child_titrates_by_the_childrens_rate():
    """Baclofen 400 -> 480 mcg/day is +20 %: inside the adult spinal 30 % a day, above
    the children's 15 % (drugs-and-dosing §1). The same step, born 1970 and 2015."""
    c = Clinicians()
    adult = c.patient("A1", baclofen(400.0))
    child = c.patient("C1", baclofen(400.0), birth_year=2015)
    at = T0 + 10 * DAY
    codes = {}
    for pid in (adult, child):
        review = c.clinic.therapy.check_program(DR, pid, baclofen(480.0), Signoff(), at)
        codes[pid] = {(f.rule_id, f.code) for f in review.proposal.findings}
    titration = {code for code in codes[child] - codes[adult] if code[0] == "DD-05"}
    assert titration, codes[child]
    assert not {code for code in codes[adult] if code[0] == "DD-05"}


def test_a_three_year_old_baclofen_implant_is_asked_about_the_age():
    c = Clinicians()
    toddler = c.clinic.care.add_patient(
        DR,
        {
            "mrn": "T3",
            "name": "T",
            "birth_year": 2022,
            "indication": "spasticity_cerebral",
            "weight_kg": 15.0, "opioid_naive": False,
        },
        "new",
        T0,
    )
    from thecal.services.clinic import ImplantInput

    i = ImplantInput(
        "peristaltic-20",
        "SN-T3",
        "two-piece",
        40.0,
        2.6,
        "T10",
        baclofen(100.0),
        19.0,
        continues=baclofen(100.0),
    )
    review = c.clinic.devices.check_implant(DR, toddler, i, Signoff(), T0)
    assert BELOW in {(f.rule_id, f.severity, f.code) for f in review.proposal.findings}
