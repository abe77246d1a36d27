"""Issue 24/25: a refill after weeks empty restarts an opioid as a new start (DD-03),
and the refill screen must let a physician give the lower dose it asks for: it
refused the old dose ("Change it.") and offered no field to change it.

Ann: morphine 10 mg/mL at 3 mg/day (0.3 mL/day) with a 0.1 mg patient bolus up to 3
a day, 19 mL at T0: empty after 19 / 0.3 = 63.3 days; refilled 67 days later."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.clinic.conftest import DAY, PASSWORD, T0
from tests.clinic.test_errors_beside_fields import count, slot
from thecal.adapters.db.models import AlarmRow, RefillRow
from thecal.adapters.db.queries import patient_record
from thecal.adapters.pump.program_codec import program_from_json


def _form(c, pid) -> dict[str, str]:
    page = c.get(f"/patients/{pid}/refill").text
    version = re.search(r'name="expected_version" value="(\d+)"', page)[1]
    return {"drug_0": "morphine", "conc_0": "10 mg/mL", "expected_version": version,
            "add_ml": "15", "lot": "LOT-R1", "diluted": "", "bridge_min": ""}  # fmt: skip


def _codes(html: str, severity: str) -> set[str]:
    return set(re.findall(rf'data-code="(\w+)"><td><span class="tag {severity}">', html))


def _empty_for_67_days(w) -> None:
    w.clinic.care.sync(w.a, T0 + 70 * DAY)
    with w.db.reads() as db:
        rows = select(AlarmRow.onset_s).where(AlarmRow.patient_id == w.a,
                                              AlarmRow.code == "EMPTY_RESERVOIR")  # fmt: skip
        onset = db.scalars(rows).one()
    w.clock.t = onset + 67 * DAY


def test_a_physician_restarts_at_a_lower_dose_without_patient_boluses(sqlite_world):
    w = sqlite_world
    _empty_for_67_days(w)
    nurse = w.client("nurse")
    plan = nurse.post(f"/patients/{w.a}/refill/plan", data=_form(nurse, w.a)).text
    # the old 3 mg/day (3.3 with every bolus) is above the label's 1 mg/day naive start
    assert "START_ABOVE_LABEL_NAIVE" in _codes(plan, "hard")
    assert "or ask a physician for a new daily dose" in plan
    page = nurse.get(f"/patients/{w.a}/refill").text
    assert 'id="dose_after"' not in page and 'id="dose-after-physician"' in page

    doctor = w.client("physician")
    page = doctor.get(f"/patients/{w.a}/refill").text
    assert "Daily dose of morphine (in mg/day)" in page and 'id="no_demand"' in page
    form = {**_form(doctor, w.a), "dose_after": "0.8"}
    r = doctor.post(f"/patients/{w.a}/refill/plan", data=form)
    assert slot(r.text, "dose_after") == (
        "'0.8' has no unit; a daily dose was expected, such as '3 mg/day'"
    )
    # 0.8 mg/day with three 0.1 mg boluses is 1.1 mg/day: still above 1 mg/day
    form["dose_after"] = "0.8 mg/day"
    plan = doctor.post(f"/patients/{w.a}/refill/plan", data=form).text
    assert _codes(plan, "hard") == {"DAILY_TOTAL_WITH_BOLUSES_ABOVE_LIMIT"}
    # without patient boluses, 0.8 mg/day: under the label's 1 mg/day, above PACC's
    # 0.5 mg/day start (soft: acknowledged with a reason)
    form["no_demand"] = "yes"
    plan = doctor.post(f"/patients/{w.a}/refill/plan", data=form).text
    assert _codes(plan, "hard") == set()
    assert "START_ABOVE_CEILING" in _codes(plan, "soft")
    digest = re.search(r'name="reviewed_digest" value="([^"]*)"', plan)[1]
    refills = count(w, RefillRow)
    # the implant booked this first refill: it is overdue, with morphine (DD-09)
    assert "REFILL_OVERDUE_WITHDRAWAL_RISK" in _codes(plan, "soft")
    sign = {"ack_START_ABOVE_CEILING": "restart after 67 days empty, re-titrating",
            "ack_REFILL_OVERDUE_WITHDRAWAL_RISK": "empty 67 days: refilled today",
            "verifier_username": "pharmacist", "verifier_password": PASSWORD,
            "confirmed": "yes", "reviewed_digest": digest}  # fmt: skip
    done = doctor.post(f"/patients/{w.a}/refill", data={**form, **sign}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert count(w, RefillRow) == refills + 1
    after = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", doctor.get(done.headers["location"]).text))
    assert "checked by pharmacist; accepted: refill " in after
    assert "; morphine: 0.8 mg/day in 24 h is above 0.5 mg/day" in after
    assert "(“restart after 67 days empty, re-titrating”)" in after
    # what the refill sent: 3 mg/day (0.3 mL/day) of morphine 10 mg/mL, then 0.8 mg/day
    sent = "step 1: 00:00 3 mg/day (0.3 mL/day) → 00:00 0.8 mg/day (0.08 mL/day)"
    assert f"Program sent with it: {sent}; demand bolus: 0.1 mg (0.01 mL) over 10 min, " in after
    assert "at most 3 in 24 h → none" in after  # no patient bolus until the dose is found
    # nothing above the dead volume to withdraw: "ok" alone read as if all were well
    assert "Expected 0.00 mL, withdrawn 0.00 mL: ok: the pump had run empty, as its" in after
    record = doctor.get(f"/patients/{w.a}").text
    assert "ok: the pump had run empty, as its estimate said</span>" in record
    assert f'<span class="program-sent">program sent with it: {sent}; demand bolus: ' in record
    with w.db.reads() as db:
        running = program_from_json(patient_record(db, w.a).program.program)
        reason = patient_record(db, w.a).program.reason
    assert [s.dose_mcg_per_s * DAY for s in running.steps] == [800.0]
    assert reason == "refill, lot LOT-R1: new daily dose"  # it said "with new fluid"
    assert running.demand_bolus is None and running.periodic_boluses == ()


def test_a_nurse_cannot_change_the_dose_with_a_refill(sqlite_world):
    """The role is checked in the use case, not only by hiding the field: a nurse's
    refill that carries a new dose is refused and nothing is recorded. The plan says so
    before the work is done, and the refusal keeps the form as typed (it was a bare
    "403: a nurse may not do this (programs.commit)" page)."""
    w = sqlite_world
    _empty_for_67_days(w)
    nurse = w.client("nurse")
    form = {**_form(nurse, w.a), "dose_after": "0.4 mg/day", "no_demand": "yes"}
    plan = nurse.post(f"/patients/{w.a}/refill/plan", data=form).text
    said = ("A physician records this refill: it changes what the pump gives (a new "
            "concentration or daily dose, or a restart after the pump gave nothing long "
            "enough for tolerance to be lost); a physician or a nurse may record a refill "
            "of the same fluid to a pump that delivers.")  # fmt: skip
    assert said in plan
    assert 'id="record"' not in plan  # the nurse is not offered what will be refused
    digest = re.search(r'name="reviewed_digest" value="([^"]*)"', plan)[1]
    refills = count(w, RefillRow)
    sign = {"verifier_username": "pharmacist", "verifier_password": PASSWORD,
            "confirmed": "yes", "reviewed_digest": digest}  # fmt: skip
    r = nurse.post(f"/patients/{w.a}/refill", data={**form, **sign}, follow_redirects=False)
    assert r.status_code == 403
    assert ("the refill was not recorded. A physician records this refill: it changes what "
            "the pump gives") in r.text
    assert 'id="lot" name="lot" value="LOT-R1"' in r.text  # the form as typed
    assert count(w, RefillRow) == refills
    # the same fluid, no new dose, after 67 days empty: a restart, a physician's too
    same = nurse.post(f"/patients/{w.a}/refill/plan", data=_form(nurse, w.a)).text
    assert 'id="physician-records"' in same
    doctor = w.client("physician")
    assert 'id="physician-records"' not in doctor.post(f"/patients/{w.a}/refill/plan",
                                                       data=form).text  # fmt: skip


def test_on_a_pump_that_delivers_the_dose_section_is_folded_or_absent(sqlite_world):
    """At T0 Ann's pump delivers (19 mL, 3 mg/day): a nurse's refill screen told her on
    every refill to ask a physician for a new dose; it says nothing of a dose now. A
    physician finds the field folded under "Change the daily dose with this refill".
    Once the pump is empty the section is open for both, as above."""
    w = sqlite_world
    nurse, doctor = w.client("nurse"), w.client("physician")
    page = nurse.get(f"/patients/{w.a}/refill").text
    assert 'id="dose-after' not in page and "ask a physician" not in page.lower()
    page = doctor.get(f"/patients/{w.a}/refill").text
    folded = page.split('<details class="field" id="dose-after">', 1)[1].split("</details>")[0]
    assert "<summary>Change the daily dose with this refill</summary>" in folded
    assert 'id="dose_after"' in folded and 'id="no_demand"' in folded
    _empty_for_67_days(w)
    page = nurse.get(f"/patients/{w.a}/refill").text
    assert '<fieldset class="field" id="dose-after">' in page
    assert 'id="dose-after-physician"' in page
    assert '<fieldset class="field" id="dose-after">' in doctor.get(f"/patients/{w.a}/refill").text


def _bo_empty_for_days(w) -> None:
    """Bo: baclofen 2000 mcg/mL at 400 mcg/day (0.2 mL/day) from 19 mL, less the dead
    volume: empty before day 95; read on day 100, days past baclofen's 72 h
    re-initiation threshold (policy.toml)."""
    w.clinic.care.sync(w.b, T0 + 100 * DAY)
    with w.db.reads() as db:
        rows = select(AlarmRow.onset_s).where(AlarmRow.patient_id == w.b,
                                              AlarmRow.code == "EMPTY_RESERVOIR")  # fmt: skip
        onset = db.scalars(rows).one()
    assert onset < T0 + 95 * DAY
    w.clock.t = T0 + 100 * DAY


def test_a_restart_of_the_same_fluid_is_a_physicians_act(sqlite_world):
    """A nurse could restart Bo's baclofen at his full 400 mcg/day after days without
    it by accepting the restart's soft finding herself (the dose was unchanged, so the
    refill was not "a new dose"): the restart dose is decided anew (DD-03), which is a
    physician's act. The plan says so without a Record button; the use case refuses
    the nurse and stores nothing; a physician records it with the finding accepted. On
    a pump that delivers, a nurse's refill of the same fluid is hers, as before."""
    w = sqlite_world
    nurse, doctor = w.client("nurse"), w.client("physician")

    def form_for(c) -> dict[str, str]:
        page = c.get(f"/patients/{w.b}/refill").text
        version = re.search(r'name="expected_version" value="(\d+)"', page)[1]
        return {"drug_0": "baclofen", "conc_0": "2000 mcg/mL", "expected_version": version,
                "add_ml": "15", "lot": "LOT-B5", "diluted": "", "bridge_min": ""}  # fmt: skip

    delivering = nurse.post(f"/patients/{w.b}/refill/plan", data=form_for(nurse)).text
    assert 'id="physician-records"' not in delivering and 'id="record"' in delivering
    _bo_empty_for_days(w)
    form = form_for(nurse)
    plan = nurse.post(f"/patients/{w.b}/refill/plan", data=form).text
    softs = _codes(plan, "soft")
    assert "START_ABOVE_CEILING" in softs and not _codes(plan, "hard")
    assert 'id="physician-records"' in plan and 'id="record"' not in plan
    digest = re.search(r'name="reviewed_digest" value="([^"]*)"', plan)[1]
    sign = {"verifier_username": "pharmacist", "verifier_password": PASSWORD,
            "confirmed": "yes", "reviewed_digest": digest,
            **{f"ack_{code}": "restart after days empty, seen by the team" for code in softs}}
    refills = count(w, RefillRow)
    r = nurse.post(f"/patients/{w.b}/refill", data={**form, **sign}, follow_redirects=False)
    assert r.status_code == 403 and count(w, RefillRow) == refills
    r = doctor.post(f"/patients/{w.b}/refill", data={**form, **sign}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert count(w, RefillRow) == refills + 1
