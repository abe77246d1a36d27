"""DD-08 and DD-01 for programmer boluses, volumes worked out by hand."""

from tests.programmer.helpers import MG, model, program
from thecal.core.safety import BolusProposal, Catheter, check_bolus
from thecal.data import drug_library, policy

MORPHINE = program([("morphine", 10 * MG)], 3 * MG)
CATH = Catheter(90.0, 2.6)
PRIMING_ML = 0.140 + 90 * 0.0026  # this pump's tubing + the catheter = 0.374 mL


def check(b, catheter=CATH):
    """Every finding but the informative statement of the dose (tested on its own)."""
    return {
        (f.rule_id, f.severity, f.code)
        for f in check_bolus(
            b, MORPHINE, model("peristaltic-20"), drug_library(), policy(), catheter
        )
        if f.code != "BOLUS_DOSE"
    }


def test_the_review_states_the_bolus_in_the_drugs_unit():
    """0.02 mL of 10 mg/mL morphine over 30 min: 0.2 mg."""
    (dose,) = [
        f for f in check_bolus(BolusProposal("clinician", 0.02, 1800.0), MORPHINE,
                               model("peristaltic-20"), drug_library(), policy(), CATH)
        if f.code == "BOLUS_DOSE"
    ]  # fmt: skip
    assert (dose.rule_id, dose.severity) == ("DD-01", "info")
    assert dose.message == "0.02 mL gives 0.2 mg of morphine over 30 min"


def test_priming_rules():
    ok = BolusProposal("priming", PRIMING_ML, 3600.0, at_implant_or_revision=True, supervised=True)
    # 0.374 mL x 10 mg/mL = 3.74 mg of morphine in the path: above the 0.5 mg largest bolus
    assert check(ok) == {("DD-08", "soft", "PRIMING_DRUG_ABOVE_MAX_BOLUS")}
    late = BolusProposal("priming", PRIMING_ML, 3600.0, supervised=True)
    assert ("DD-08", "hard", "PRIMING_NOT_AT_IMPLANT") in check(late)
    alone = BolusProposal("priming", PRIMING_ML, 3600.0, at_implant_or_revision=True)
    assert ("DD-08", "hard", "PRIMING_UNSUPERVISED") in check(alone)
    assert ("DD-08", "hard", "CATHETER_LENGTH_MISSING") in check(ok, Catheter(None, 2.6))
    extra = BolusProposal(
        "priming",
        PRIMING_ML + 0.1,
        3600.0,
        at_implant_or_revision=True,
        supervised=True,
        extra_ml=0.1,
    )
    assert ("DD-08", "hard", "PRIMING_VOLUME_MISMATCH") not in check(extra)


def test_clinician_bolus_above_the_largest_single_bolus():
    # 0.06 mL x 10 mg/mL = 0.6 mg > 0.5 mg, the trial-bolus top: a review, not a refusal
    # (a trial dose is no source for a bolus cap, limits-audit.md §1 item 6)
    assert ("DD-01", "soft", "BOLUS_ABOVE_MAX") in check(BolusProposal("clinician", 0.06, 600.0))
    assert check(BolusProposal("clinician", 0.05, 600.0)) == set()
