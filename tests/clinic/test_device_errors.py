"""Issue 25 on the device screen (implant, programmer bolus, catheter revision): each
problem is shown beside the input it is about, in a clinician's words, after Check
and after a refused Send, with the form kept as typed and nothing stored. Patient B
runs baclofen from a 20 mL pump; a new patient has none."""

from __future__ import annotations

from tests.clinic.conftest import T0
from tests.clinic.test_errors_beside_fields import count, oob, slot
from tests.clinic.test_implant_screen import implant_form
from thecal.adapters.db.models import Implant, ProgrammingSessionRow


def new_patient(w) -> int:
    return w.clinic.care.add_patient(
        w.users["physician"],
        {"mrn": "E1", "name": "Eva Error", "birth_year": 1966, "indication": "non_cancer",
         "weight_kg": 72.0, "opioid_naive": False},
        "referral", T0,
    )  # fmt: skip


def test_implant_check_puts_each_problem_beside_its_input(sqlite_world):
    w = sqlite_world
    pid = new_patient(w)
    c = w.client("physician")
    typed = implant_form(c, pid) | {"serial": "", "concentration": "10 mg/mL",
                                    "dose": "60", "fill_ml": "nan"}  # fmt: skip
    r = c.post(f"/patients/{pid}/device/implant/check", data=typed)
    assert r.status_code == 422
    assert (
        oob(r.text, "implant-serial") == "the serial number on the pump's label, 1 to 40 characters"
    )
    assert (
        oob(r.text, "implant-fill_ml") == "a volume in mL, more than 0 and at most 100, such as 18"
    )
    assert oob(r.text, "implant-catheter_length_cm") is None  # typed right: no problem
    assert "each problem is shown beside its field" in r.text
    # the program's problems at the same time, from the program reader
    assert "'60' has no unit; a daily dose was expected" in oob(r.text, "implant-dose")
    # the rest put right, the dose's problem alone remains
    fixed = typed | {"serial": "SN-E1", "fill_ml": "19"}
    r = c.post(f"/patients/{pid}/device/implant/check", data=fixed)
    assert r.status_code == 422
    assert "'60' has no unit; a daily dose was expected" in oob(r.text, "implant-dose")
    assert oob(r.text, "implant-serial") is None
    # put right, Check answers the review and empties every slot
    ok = c.post(f"/patients/{pid}/device/implant/check", data=fixed | {"dose": "1 mg/day"})
    assert ok.status_code == 200 and 'id="review-card-implant"' in ok.text
    assert oob(ok.text, "implant-dose") is None and oob(ok.text, "implant-fill_ml") is None


def test_a_send_refused_for_its_input_keeps_the_form_and_implants_nothing(sqlite_world):
    w = sqlite_world
    pid = new_patient(w)
    c = w.client("physician")
    implants = count(w, Implant)
    typed = implant_form(c, pid) | {
        "serial": "SN-E1", "concentration": "10 mg/mL", "dose": "1 mg/day", "fill_ml": "-3",
        "reason": "new",
    }  # fmt: skip
    r = c.post(f"/patients/{pid}/device/implant", data=typed)
    assert r.status_code == 422
    assert (
        slot(r.text, "implant-fill_ml") == "a volume in mL, more than 0 and at most 100, such as 18"
    )
    assert slot(r.text, "implant-serial") is None
    assert 'id="implant-serial" name="serial" value="SN-E1"' in r.text  # kept as typed
    assert 'id="implant-fill_ml" name="fill_ml" value="-3"' in r.text
    assert count(w, Implant) == implants


def test_bolus_and_catheter_problems_sit_beside_their_inputs(sqlite_world):
    w = sqlite_world
    c = w.client("physician")
    sessions = count(w, ProgrammingSessionRow)
    neither = "'{}' is neither a volume such as '0.374 mL' nor a drug amount such as '0.1 mg'"
    said = {  # a bare number is refused, never taken as mL or mg; so are junk, 0 and 6 mL
        "inf": neither.format("inf"), "0.1": neither.format("0.1"),
        "0.1 mg per mL": neither.format("0.1 mg per mL"),
        "0 mL": "'0 mL' must be greater than 0", "-1 mg": "'-1 mg' must be greater than 0",
        "6 mL": "a dose with its unit, such as 0.5 mg, or a volume in mL, more than 0 and at "
                "most 5, such as 0.05 mL",
    }  # fmt: skip
    for amount, words in said.items():
        bolus = {"kind": "clinician", "amount": amount, "duration_min": "30"}
        r = c.post(f"/patients/{w.b}/device/bolus/check", data=bolus)
        assert r.status_code == 422, amount
        assert oob(r.text, "bolus-amount") == words, amount
    # a week is 7 x 1440 = 10080 minutes, the body's 604800 s
    for minutes in ("0", "10081", "half an hour"):
        r = c.post(f"/patients/{w.b}/device/bolus/check",
                   data=bolus | {"amount": "0.1 mL", "duration_min": minutes})  # fmt: skip
        assert r.status_code == 422
        assert oob(r.text, "bolus-duration_min") == "minutes, more than 0 and at most 10080"
    cath = {"catheter_length_cm": "abc", "catheter_ul_per_cm": "25"}
    r = c.post(f"/patients/{w.b}/device/catheter/check", data=cath)
    assert r.status_code == 422
    assert oob(r.text, "catheter-catheter_length_cm") == (
        "a length in cm, more than 0 and at most 200, such as 90"
    )
    assert oob(r.text, "catheter-catheter_ul_per_cm") == (
        "µL per cm from the catheter's label, more than 0 and at most 20"
    )
    sent = c.post(f"/patients/{w.b}/device/catheter", data=cath | {"reason": "revision"})
    assert sent.status_code == 422
    assert slot(sent.text, "catheter-catheter_ul_per_cm") is not None
    assert count(w, ProgrammingSessionRow) == sessions


def test_a_programmer_bolus_is_typed_as_a_dose_in_the_drugs_unit_or_a_volume(sqlite_world):
    """Ann: morphine 10 mg/mL, so 0.5 mg is 0.5 / 10 = 0.05 mL; Bo: baclofen 2000
    mcg/mL, so 50 mcg is 50 / 2000 = 0.025 mL. The review says both, and the label
    names the drug and its unit."""
    w = sqlite_world
    c = w.client("physician")
    page = c.get(f"/patients/{w.a}/device").text
    assert "Amount: a dose of morphine (such as 0.5 mg) or a volume (such as 0.05 mL)" in page
    morphine = "0.05 mL gives 0.5 mg of morphine over 30 min"
    baclofen = "0.025 mL gives 50 mcg of baclofen over 30 min"
    cases = ((w.a, "0.5 mg", morphine), (w.a, "0.05 mL", morphine), (w.b, "50 mcg", baclofen))
    for pid, amount, said in cases:
        r = c.post(f"/patients/{pid}/device/bolus/check",
                   data={"kind": "clinician", "amount": amount, "duration_min": "30"})  # fmt: skip
        assert r.status_code == 200, r.text
        assert said in r.text, amount
