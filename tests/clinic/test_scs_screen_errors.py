"""Issue 25 on the stimulation screen: a bad field is shown beside its input after
Check, and a refused send (a bad field, an unconfirmed program, a charge limit) shows
the screen again with the form as typed and nothing stored; it used to replace the
form with a bare error page. Numbers by hand as in test_scs_clinic.py: 8 mA x 400 us on
one percutaneous contact is Shannon k = 1.9222 > 1.85."""

from __future__ import annotations

from tests.clinic.conftest import T0
from tests.clinic.test_errors_beside_fields import count, oob, slot
from thecal.adapters.db.models import ScsDeviceRow, ScsProgramRow

TRIAL = {"stimulator_id": "ipg-rechargeable", "lead_id": "percutaneous-8",
         "baseline_nrs": "8", "mode": "tonic", "amplitude_ma": "4", "pulse_width_us": "300",
         "frequency_hz": "50", "cathodes": "2", "anodes": "", "reason": "leg pain"}  # fmt: skip


def candidate(w) -> int:
    return w.clinic.care.add_patient(w.users["physician"], dict(
        mrn="S2", name="Sol Screen", birth_year=1975, indication="non_cancer", weight_kg=80.0,
        opioid_naive=False,
        status="candidate"), "referred", T0)  # fmt: skip


def stored(w) -> tuple[int, int]:
    return count(w, ScsDeviceRow), count(w, ScsProgramRow)


def test_check_puts_each_bad_field_beside_its_input(sqlite_world):
    w = sqlite_world
    pid = candidate(w)
    dr = w.client("physician")
    bad = TRIAL | {"amplitude_ma": "four", "cathodes": "2, x"}
    r = dr.post(f"/patients/{pid}/scs/check", data=bad)
    assert r.status_code == 422
    assert oob(r.text, "cathodes") == "contact numbers, e.g. 2, 3"
    bad = TRIAL | {"amplitude_ma": "four"}
    r = dr.post(f"/patients/{pid}/scs/check", data=bad)
    assert oob(r.text, "amplitude_ma") == "milliamperes, 0 or more, such as 4"
    assert oob(r.text, "frequency_hz") is None
    ok = dr.post(f"/patients/{pid}/scs/check", data=TRIAL)
    assert ok.status_code == 200 and 'id="scs-review-card"' in ok.text
    assert oob(ok.text, "amplitude_ma") is None


def test_a_refused_send_keeps_the_form_and_stores_nothing(sqlite_world):
    w = sqlite_world
    pid = candidate(w)
    dr = w.client("physician")
    before = stored(w)
    # a bad score: beside its input, every other field as typed
    r = dr.post(f"/patients/{pid}/scs/trial", data=TRIAL | {"baseline_nrs": "eight"})
    assert r.status_code == 422
    assert slot(r.text, "baseline_nrs") == "a pain score, a number such as 6"
    assert 'id="baseline_nrs" name="baseline_nrs" value="eight"' in r.text
    assert 'id="reason" name="reason" value="leg pain"' in r.text
    assert "<option selected>ipg-rechargeable</option>" in r.text
    # not confirmed: the use case refuses it (SR-08); the form stays
    r = dr.post(f"/patients/{pid}/scs/trial", data=TRIAL)
    assert r.status_code == 422 and "NOT_CONFIRMED" in r.text
    assert 'id="amplitude_ma" name="amplitude_ma" placeholder="e.g. 4" value="4"' in r.text
    # confirmed, but above the charge limit at the contact
    much = TRIAL | {"amplitude_ma": "8", "pulse_width_us": "400"}
    review = dr.post(f"/patients/{pid}/scs/check", data=much)
    digest = review.text.split('name="reviewed_digest" value="')[1].split('"')[0]
    r = dr.post(f"/patients/{pid}/scs/trial",
                data=much | {"confirmed": "yes", "reviewed_digest": digest})  # fmt: skip
    assert r.status_code == 422 and "SHANNON_LIMIT" in r.text
    assert 'value="400"' in r.text
    assert stored(w) == before
    # right and confirmed: started, back to the screen
    review = dr.post(f"/patients/{pid}/scs/check", data=TRIAL)
    digest = review.text.split('name="reviewed_digest" value="')[1].split('"')[0]
    r = dr.post(f"/patients/{pid}/scs/trial",
                data=TRIAL | {"confirmed": "yes", "reviewed_digest": digest},
                follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert stored(w) == (before[0] + 1, before[1] + 1)


def test_the_send_button_comes_with_the_review(sqlite_world):
    """The trial, implant and follow-up forms showed their send button beside an empty
    review, before any Check (it then answered NOT_CONFIRMED). As on the pump's screens,
    the button comes with a review that has no hard finding, for a physician."""
    w = sqlite_world
    pid = candidate(w)
    dr = w.client("physician")
    screen = dr.get(f"/patients/{pid}/scs").text
    assert 'id="trial-form"' in screen and 'id="start-trial"' not in screen
    ok = dr.post(f"/patients/{pid}/scs/check", data=TRIAL | {"send": "trial"})
    assert '<button id="start-trial">Start trial</button>' in ok.text
    much = TRIAL | {"amplitude_ma": "8", "pulse_width_us": "400", "send": "trial"}
    hard = dr.post(f"/patients/{pid}/scs/check", data=much).text
    assert 'id="hard-stop"' in hard and 'id="start-trial"' not in hard
    # a pharmacist may check settings, not send them
    ph = w.client("pharmacist").post(f"/patients/{pid}/scs/check", data=TRIAL | {"send": "trial"})
    assert 'id="start-trial"' not in ph.text and "Only a physician can send this." in ph.text
