"""A constant-flow pump from the device screen (entrypoints/web/fixed_flow.py).

The implant form always sent its daily dose as a basal step, which a constant-flow
pump refuses (PUMP-3, hard): no constant-flow pump could be implanted from the
screen, and the review showed the dose the fixed flow gives, not the one typed.
constant-flow-20 flows 0.5 mL/day (pumps.toml), so by hand:
- morphine 10 mg/mL gives 0.5 x 10 = 5 mg/day; for 0.5 mg/day: 0.5 / 0.5 = 1 mg/mL;
- Bo's baclofen 2000 mcg/mL (400 mcg/day on a peristaltic pump) gives 1000 mcg/day."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.clinic.conftest import PASSWORD, T0
from tests.clinic.test_errors_beside_fields import oob
from tests.clinic.test_implant_screen import implant_form
from thecal.adapters.db.models import Pump


def _patient(w) -> int:
    patient = {"mrn": "CF2", "name": "Cy Screen", "birth_year": 1958,
               "indication": "non_cancer", "weight_kg": 70.0, "opioid_naive": False}  # fmt: skip
    return w.clinic.care.add_patient(w.users["physician"], patient, "referral", T0)


def _typed(c, pid: int, **more: str) -> dict[str, str]:
    return implant_form(c, pid) | {
        "model_id": "constant-flow-20", "serial": "SN-CF2", "catheter_ul_per_cm": "2.6",
        "drug": "morphine", "fill_ml": "20", "lot": "MS-1", **more,
    }  # fmt: skip


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_dose_the_fixed_flow_does_not_give_is_refused_beside_the_dose(sqlite_world):
    w = sqlite_world
    pid, c = _patient(w), w.client("physician")
    url = f"/patients/{pid}/device/implant/check"
    wrong = c.post(url, data=_typed(c, pid, concentration="10 mg/mL", dose="0.5 mg/day"))
    assert wrong.status_code == 422
    assert oob(wrong.text, "implant-dose") == (
        "constant-flow-20 gives a fixed 0.5 mL/day: 10 mg/mL gives 5 mg/day, not the "
        "0.5 mg/day typed; for 0.5 mg/day fill it with 1 mg/mL"
    )
    blank = c.post(url, data=_typed(c, pid, concentration="10 mg/mL", dose=""))
    assert blank.status_code == 422
    assert oob(blank.text, "implant-dose").startswith(
        "the daily dose you intend: constant-flow-20 gives a fixed 0.5 mL/day"
    )
    # the unit still matters: a rate is not a dose
    rate = c.post(url, data=_typed(c, pid, concentration="1 mg/mL", dose="0.5 mL/day"))
    assert rate.status_code == 422 and oob(rate.text, "implant-dose")


def test_a_constant_flow_pump_is_implanted_from_the_screen(sqlite_world):
    w = sqlite_world
    pid, c = _patient(w), w.client("physician")
    typed = _typed(c, pid, concentration="1 mg/mL", dose="0.5 mg/day")
    r = c.post(f"/patients/{pid}/device/implant/check", data=typed)
    assert r.status_code == 200, _text(r.text)[-1500:]
    review = _text(r.text)
    assert "PROGRAM_INVALID" not in r.text
    assert "step 1 - 00:00 0.5 mg/day (0.5 mL/day)" in review
    assert "low-reservoir alarm - none" in review  # it read "0 mL"
    sent = typed | {
        "reason": "implant after a successful trial", "confirmed": "yes",
        "reviewed_digest": re.search(r'name="reviewed_digest" value="([^"]*)"', r.text)[1],
        "verifier_username": "pharmacist", "verifier_password": PASSWORD,
        **{f"ack_{code}": "checked" for code in re.findall(r'name="ack_([A-Z_]+)"', r.text)},
    }  # fmt: skip
    done = c.post(f"/patients/{pid}/device/implant", data=sent)
    assert done.status_code == 200, _text(done.text)[-1500:]
    with w.db.reads() as db:
        pump = db.scalars(select(Pump).where(Pump.patient_id == pid)).one()
    assert (pump.model_id, pump.reservoir_estimate_ml) == ("constant-flow-20", 20.0)


def test_a_pump_replaced_by_a_constant_flow_pump_shows_the_dose_it_will_give(sqlite_world):
    w = sqlite_world
    c = w.client("physician")
    typed = {"model_id": "constant-flow-20", "serial": "SN-CF3", "fill_ml": "20", "lot": "B-9"}
    r = c.post(f"/patients/{w.b}/device/replace/check", data=typed)
    assert r.status_code == 200, _text(r.text)[-1500:]
    review = _text(r.text)
    assert "PROGRAM_INVALID" not in r.text
    assert "step 1 00:00 400 mcg/day (0.2 mL/day) 00:00 1000 mcg/day (0.5 mL/day)" in review
    assert "baclofen 400 mcg/day 1000 mcg/day" in review


def test_the_api_implants_a_constant_flow_pump_and_refuses_a_programmable_one_without_steps(
    world,
):
    """The API read every implant's program as a programmable pump's (basal required),
    so a constant-flow pump could not be implanted by it either. Now the pump model
    decides: no step on constant-flow-20; at least one on peristaltic-20 (PUMP-3)."""
    w = world
    pid, c = _patient(w), w.client("physician")
    body = {"model_id": "constant-flow-20", "serial": "SN-CF4", "catheter_type": "one-piece",
            "catheter_length_cm": 80.0, "catheter_ul_per_cm": 2.6, "tip_level": "T10",
            "program": {"drugs": [{"name": "morphine", "concentration": "1 mg/mL"}]},
            "fill_ml": 20.0}  # fmt: skip
    r = c.post(f"/api/patients/{pid}/implants/check", json=body)
    assert r.status_code == 200, r.text
    assert "PROGRAM_INVALID" not in {f["code"] for f in r.json()["findings"]}
    assert [(d["drug"], d["after_mcg_per_day"]) for d in r.json()["doses"]] == [
        ("morphine", pytest.approx(500.0))
    ]  # 0.5 mL/day x 1 mg/mL
    programmable = c.post(f"/api/patients/{pid}/implants/check",
                          json=body | {"model_id": "peristaltic-20"})  # fmt: skip
    assert programmable.status_code == 200, programmable.text
    [invalid] = [f for f in programmable.json()["findings"] if f["code"] == "PROGRAM_INVALID"]
    assert invalid["severity"] == "hard"
    assert "at least one step is required" in invalid["message"]


def test_the_api_refuses_a_rate_for_a_constant_flow_implant_by_its_field(world):
    """A basal step sent with a constant-flow implant was a hard PUMP-3 finding in the
    review, where the same rate with a refill was refused by its field: one answer now
    (core/pump/constant_flow.py delivered_by), 422 naming `program`, nothing stored."""
    w = world
    pid, c = _patient(w), w.client("physician")
    body = {"model_id": "constant-flow-20", "serial": "SN-CF5", "catheter_type": "one-piece",
            "catheter_length_cm": 80.0, "catheter_ul_per_cm": 2.6, "tip_level": "T10",
            "program": {"drugs": [{"name": "morphine", "concentration": "1 mg/mL"}],
                        "basal": {"steps": [{"start": "00:00", "dose": "0.5 mg/day"}]}},
            "fill_ml": 20.0}  # fmt: skip
    r = c.post(f"/api/patients/{pid}/implants/check", json=body)
    assert r.status_code == 422, r.text
    [problem] = r.json()["problems"]
    assert problem["path"] == "program", problem
    assert problem["message"].startswith("constant-flow-20 is constant-flow: its rate is fixed")
    assert c.get(f"/api/patients/{pid}").json()["pump"] is None


def test_a_constant_flow_pump_transferred_in_continues_its_dose(sqlite_world):
    """A patient arriving with a running constant-flow pump: the documented program names
    its drugs, and it gave them at its flow (10 mg/mL x 0.5 mL/day = 5 mg/day). The
    review read it as 0 mg/day before, so the transfer was a new start ("morphine
    starts or increases", a change from nothing)."""
    w = sqlite_world
    pid, c = _patient(w), w.client("physician")
    typed = _typed(c, pid, concentration="10 mg/mL", dose="5 mg/day", transfer="yes")
    r = c.post(f"/patients/{pid}/device/implant/check", data=typed)
    assert r.status_code == 200, _text(r.text)[-1500:]
    review = _text(r.text)
    assert "morphine 5 mg/day 5 mg/day" in review  # now, proposed
    assert "MONITOR_AFTER_CHANGE" not in r.text
