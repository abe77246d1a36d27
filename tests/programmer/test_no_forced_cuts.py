"""Issue 24, the harms in the other direction: no limit forces an abrupt cut of a drug
whose withdrawal kills. Hand-worked from limits-audit.md items 1 and 2 and the rule that
a program which gives no more than the patient receives now is never hard-refused for
a limit the running dose already exceeds."""

from __future__ import annotations

from tests.programmer.helpers import DAY, MG, codes, program, proposal
from thecal.core.safety import HARD, Patient, check_program

SPINAL = Patient(indication="spasticity_spinal")
HISTORY_DAYS = 30 * DAY


def hard(findings) -> set:
    return {c for c in codes(findings) if c[1] == HARD}


def test_baclofen_stable_at_1500_is_kept_with_a_review_not_refused():
    """1199 mcg/d was a paediatric range, not an adult maximum (audit row 75). The
    unchanged 1500 mcg/d program: no hard finding; the 800 mcg/d soft maximum asks for
    an acknowledgement."""
    running = program([("baclofen", 2000.0)], 1500.0, low_ml=4.0)
    found = check_program(proposal(running, running, patient=SPINAL)).findings
    assert hard(found) == set()
    assert ("DD-04", "soft", "DAILY_DOSE_ABOVE_SOFT_MAX") in codes(found)


def test_a_replacement_pump_continues_600_mcg_of_baclofen():
    """Continuation (the old pump's 600 mcg/d as the current program), not a first fill:
    the 200 mcg/d starting ceiling does not apply, so nothing forces a 67 % cut."""
    old = program([("baclofen", 2000.0)], 600.0, low_ml=4.0)
    as_first_fill = check_program(proposal(old, None, patient=SPINAL, first_fill=True))
    assert ("DD-03", "hard", "START_ABOVE_CEILING") in codes(as_first_fill.findings)
    continued = check_program(proposal(old, old, patient=SPINAL))
    assert hard(continued.findings) == set()


def test_a_cancer_patient_above_20_mg_of_morphine_is_not_hard_refused():
    """The Infumorph label's 20 mg/d is a caution (audit row 6): 24 -> 25 mg/d (+4.2 %)
    for a cancer patient is soft above the 15 mg/d PACC maximum, not refused."""
    now = program([("morphine", 20 * MG)], 24 * MG)
    more = program([("morphine", 20 * MG)], 25 * MG)
    found = check_program(proposal(more, now, patient=Patient(indication="cancer"))).findings
    assert hard(found) == set()
    assert ("DD-04", "soft", "DAILY_DOSE_ABOVE_SOFT_MAX") in codes(found)


def test_a_dose_already_above_a_hard_label_maximum_continues_soft_but_never_rises():
    """Ziconotide's label maximum is 21.6 mcg/d (EU SmPC, hard). A patient arriving on
    24 mcg/d: kept or lowered to 23 is soft (CONTINUES_ABOVE_LIMIT, to review); raised
    to 25 is refused as before."""
    running = program([("ziconotide", 100.0)], 24.0)
    for dose in (24.0, 23.0):
        found = check_program(proposal(program([("ziconotide", 100.0)], dose), running))
        assert ("DD-04", "soft", "CONTINUES_ABOVE_LIMIT") in codes(found.findings), dose
        assert ("DD-04", "hard", "DAILY_DOSE_ABOVE_HARD_MAX") not in codes(found.findings)
    raised = check_program(proposal(program([("ziconotide", 100.0)], 25.0), running))
    assert ("DD-04", "hard", "DAILY_DOSE_ABOVE_HARD_MAX") in codes(raised.findings)
    first = check_program(proposal(running, None, first_fill=True))
    assert ("DD-04", "soft", "CONTINUES_ABOVE_LIMIT") not in codes(first.findings)
