"""A request whose fields and program are both wrong hears of both in one answer
(issue 25): the implant's fields were checked by pydantic first and its program by
the program reader only once they passed, so a bad serial hid a dose with no unit
until the next try. The paths are each reader's own, as they were: pydantic's under
`body.`, the program reader's under `program.`."""

from __future__ import annotations

from tests.clinic.test_api import BACLOFEN_500

NO_UNIT = {**BACLOFEN_500, "basal": {"steps": [{"start": "00:00", "dose": "500"}]}}
IMPLANT = {"model_id": "peristaltic-20", "serial": "", "catheter_type": "two-piece",
           "catheter_length_cm": 90.0, "tip_level": "T10", "program": NO_UNIT,
           "fill_ml": 18.0}  # fmt: skip


def paths(r) -> list[str]:
    assert r.status_code == 422, r.text
    return [p["path"] for p in r.json()["problems"]]


def test_an_implant_with_a_bad_serial_and_a_dose_with_no_unit_names_both(sqlite_world):
    w = sqlite_world
    c = w.client("physician")
    pid = w.clinic.care.add_patient(
        w.users["physician"], {"mrn": "N1", "name": "New One", "birth_year": 1970,
                               "indication": "spasticity_spinal", "weight_kg": 70.0,
                               "opioid_naive": False},
        "referral", w.clock.t,
    )  # fmt: skip
    r = c.post(f"/api/patients/{pid}/implants/check", json=IMPLANT)
    assert paths(r) == ["body.serial", "program.basal.steps[0].dose"]
    dose = r.json()["problems"][1]["message"]
    assert "has no unit" in dose and "a daily dose" in dose
    # each alone, as before
    only_serial = c.post(f"/api/patients/{pid}/implants/check",
                         json={**IMPLANT, "program": BACLOFEN_500})  # fmt: skip
    assert paths(only_serial) == ["body.serial"]
    only_dose = c.post(f"/api/patients/{pid}/implants/check", json={**IMPLANT, "serial": "S1"})
    assert paths(only_dose) == ["program.basal.steps[0].dose"]
    # a program pydantic itself refuses (not an object) is named once, by pydantic
    not_object = c.post(f"/api/patients/{pid}/implants/check",
                        json={**IMPLANT, "program": "baclofen"})  # fmt: skip
    assert paths(not_object) == ["body.serial", "body.program"]


def test_a_refill_and_a_program_check_name_both_too(sqlite_world):
    w = sqlite_world
    c = w.client("nurse")
    refill = {"add_ml": 0, "drugs": BACLOFEN_500["drugs"], "lot": "L1", "program": NO_UNIT}
    r = c.post(f"/api/patients/{w.b}/refills/plan", json=refill)
    assert paths(r) == ["body.add_ml", "program.basal.steps[0].dose"]
    check = c.post(f"/api/patients/{w.b}/programs/check",
                   json={"program": NO_UNIT, "temporary_h": -1})  # fmt: skip
    assert paths(check) == ["body.temporary_h", "program.basal.steps[0].dose"]
