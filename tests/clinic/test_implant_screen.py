"""The implant form as a new clinician meets it (issue 25): its own default for the
low-reservoir alarm ("4", in a field labelled mL) was refused as having no unit, so
no implant could be checked without retyping it. The form's fields are read from the
page, as the browser sends them."""

from __future__ import annotations

import re

from tests.clinic.conftest import T0


def implant_form(c, pid: int) -> dict[str, str]:
    page = c.get(f"/patients/{pid}/device").text
    form = re.search(r'<form[^>]*id="form-implant".*?</form>', page, re.S)[0]
    return dict(
        re.findall(r'<input type="(?:text|hidden)"[^>]*name="([^"]+)" value="([^"]*)"', form)
    ) | {"model_id": "peristaltic-20"}


def test_the_implant_form_as_drawn_checks_with_only_the_blanks_filled(world):
    dr = world.users["physician"]
    pid = world.clinic.care.add_patient(
        dr,
        {
            "mrn": "I1",
            "name": "Ida Implant",
            "birth_year": 1966,
            "indication": "non_cancer",
            "weight_kg": 72.0, "opioid_naive": False,
        },
        "referral",
        T0,
    )
    c = world.client("physician")
    form = implant_form(c, pid)
    assert form["low_ml"] == "4" and form["catheter_ul_per_cm"] == ""
    # the model list opens on a programmable pump (it opened on constant-flow-20)
    page = c.get(f"/patients/{pid}/device").text
    first = re.search(r'id="implant-model_id"[^>]*><option value="([^"]+)"', page)[1]
    assert first == "peristaltic-20"
    typed = form | {
        "serial": "SN-I1",
        "concentration": "10 mg/mL",
        "dose": "1 mg/day",
        "fill_ml": "19",
    }
    r = c.post(f"/patients/{pid}/device/implant/check", data=typed)
    assert r.status_code == 200, r.text[:400]
    assert 'id="review-card-implant"' in r.text
    # the second person checks the fill volume: the review says it (it showed none)
    assert "Filled with <b>19 mL</b> of the fluid above; lot not recorded." in r.text
    lot = c.post(f"/patients/{pid}/device/implant/check", data=typed | {"lot": " MS-4471 "})
    assert "Filled with <b>19 mL</b> of the fluid above; lot MS-4471." in lot.text
    assert "CATHETER_VOLUME_ASSUMED" in r.text  # the SynchroMed catheter: a stand-in figure
    assert (
        c.post(f"/patients/{pid}/device/implant/check", data=typed | {"low_ml": "4 mL"}).status_code
        == 200
    )
    # 4 L is a volume, 4000 mL: reviewed, and refused hard by the pump's own range
    litres = c.post(f"/patients/{pid}/device/implant/check", data=typed | {"low_ml": "4 L"})
    assert litres.status_code == 200
    assert 'data-code="PROGRAM_INVALID"><td><span class="tag hard">' in litres.text
    words = c.post(f"/patients/{pid}/device/implant/check", data=typed | {"low_ml": "four"})
    assert words.status_code == 422  # beside the alarm's input (test_device_errors.py)
    beside = r'id="implant-low_ml-error" hx-swap-oob="true">&#39;four&#39; is not a number'
    assert re.search(beside, words.text)
