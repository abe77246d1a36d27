"""Issue 25: the patient's portal in plain words: the drug and daily dose, the extra
doses left in the last 24 hours, the next refill in days from today, and a spasm score
for a baclofen patient."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.clinic.conftest import DAY, PASSWORD, T0
from tests.clinic.test_fhir import _stimulator
from thecal.services.clinic import Principal
from thecal.services.clinic.gate import Signoff


def text(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}">(.*?)</', html, re.S)
    assert m, element_id
    return m.group(1)


def test_ann_reads_her_dose_doses_left_and_refill_in_days(sqlite_world):
    """Ann: morphine 10 mg/mL at 3 mg/day with 3 patient doses of 0.1 mg (0.01 mL) a day,
    4 h apart (conftest). Two granted today leave 1 of 3. The refill date is booked at
    each save: at the second press (day 10.335) the pump holds 19 - 0.3 x 10.335 - 0.01
    (the first dose; the second has just started) = 15.89 mL; to the 3 mL alarm at
    0.3 + 0.03 mL/day is 39.06 days, less the 3-day margin: in 36.06 days, "in 36 days"."""
    w = sqlite_world
    w.clock.t = T0 + 10 * DAY
    w.clinic.care.sync(w.a, w.clock.t)
    p = w.client("patient")
    for i in range(2):
        w.clock.t += 4 * 3600 + 60  # past the 4-hour lockout each time
        r = p.post("/portal/bolus", data={"request_id": f"press-{i}"},
                   headers={"X-CSRF-Token": p.headers["X-CSRF-Token"]})  # fmt: skip
        assert 'id="bolus-result">granted<' in r.text, r.text[:300]
    page = p.get("/portal").text
    assert "<b>morphine, 3 mg a day</b>" in page
    assert text(page, "doses-left") == "1 of 3"
    assert text(page, "next-refill") == "in 36 days"


def test_a_baclofen_patient_scores_spasms_in_the_diary(sqlite_world):
    w = sqlite_world
    uid = w.clinic.user_admin.add_user(
        w.users["admin"], "bo", "Bo Baker", PASSWORD, "patient", w.b, T0
    )
    w.users["bo"] = Principal(uid, "bo", "Bo Baker", "patient", w.b, "")
    p = w.client("bo")
    page = p.get("/portal").text
    assert 'id="spasm"' in page and "baclofen, 400 mcg a day" in page
    r = p.post("/portal/diary", data={"pain_nrs": "2", "spasm": "6", "note": "stiff legs",
                                      "csrf": p.headers["X-CSRF-Token"]})  # fmt: skip
    assert r.status_code in (200, 303)
    assert "<td>6</td>" in p.get("/portal").text
    bad = p.post("/portal/diary", data={"spasm": "11", "csrf": p.headers["X-CSRF-Token"]})
    assert bad.status_code == 422 and "spasm" in bad.text


def _bo(w):
    uid = w.clinic.user_admin.add_user(
        w.users["admin"], "bo", "Bo Baker", PASSWORD, "patient", w.b, T0
    )
    w.users["bo"] = Principal(uid, "bo", "Bo Baker", "patient", w.b, "")
    return w.client("bo")


def test_a_stopped_baclofen_pump_tells_the_patient_the_signs_of_withdrawal(sqlite_world):
    """Bo's baclofen pump (19 mL at 0.2 mL/day, conftest) is empty by day 120; abrupt
    baclofen withdrawal is the label's boxed warning, so the portal says more than
    "call the clinic": the early signs and where to go. Ann's morphine pump, empty too,
    gets no such line (morphine is not withdrawal-critical in data/alarms.toml)."""
    w = sqlite_world
    bo = _bo(w)
    assert "withdrawal-1" not in bo.get("/portal").text  # delivering: nothing to warn of
    w.clock.t = T0 + 120 * DAY
    for pid in (w.a, w.b):
        w.clinic.care.sync(pid, w.clock.t)
    page = bo.get("/portal").text
    assert "pump empty: nothing is delivered" in page
    warning = text(page, "withdrawal-1").removeprefix("<b>")
    assert warning == (
        "Your pump has stopped giving baclofen, and stopping baclofen suddenly is "
        "dangerous. Call the clinic now. Watch for your spasms or stiffness coming back, "
        "itching without a rash, a fast heartbeat, goose bumps; later fever, confusion or "
        "seizures: if they start, go to an emergency department and say you have a "
        "baclofen pump."
    )
    ann = w.client("patient").get("/portal").text
    assert "pump empty: nothing is delivered" in ann and "withdrawal-1" not in ann
    # the dose line says the program is not being given ("morphine, 3 mg a day" read as
    # if it were); delivering, it said the dose alone (the test above)
    assert "<b>morphine, 3 mg a day (set on your pump, but it is not giving it now)</b>" in ann
    assert "<b>baclofen, 400 mcg a day (set on your pump, but it is not giving it now)</b>" \
        in page  # fmt: skip
    assert "Nothing written yet." in page  # an empty diary says so


def test_every_withdrawal_critical_drug_has_signs_a_patient_can_read():
    from thecal.data import alarm_table
    from thecal.services.clinic.words import WITHDRAWAL_SIGNS

    assert alarm_table().withdrawal_critical_drugs <= set(WITHDRAWAL_SIGNS)


def test_a_patient_in_a_trial_without_a_pump_keeps_a_diary(sqlite_world):
    """The portal answered "404: patient 6 has no pump" to the demo's patient in a
    baclofen screening (no pump yet), whose scores the trial is judged by. Now: no pump
    yet, the trial under way, the diary with its spasm score; no dose button."""
    w = sqlite_world
    dr = w.users["physician"]
    pid = w.clinic.care.add_patient(dr, {"mrn": "T6", "name": "Tia Trial", "birth_year": 1980,
                                         "indication": "spasticity_spinal", "weight_kg": 60.0,
                                         "opioid_naive": False}, "new", T0)  # fmt: skip
    uid = w.clinic.user_admin.add_user(w.users["admin"], "tia", "Tia Trial", PASSWORD,
                                       "patient", pid, T0)  # fmt: skip
    w.users["tia"] = Principal(uid, "tia", "Tia Trial", "patient", pid, "")
    p = w.client("tia")
    before = p.get("/portal")
    assert before.status_code == 200, before.text[:300]
    assert "You have no pump yet." in before.text and "trial is under way" not in before.text
    assert "<title>My care · thecal</title>" in before.text  # not "My pump"
    assert '<a href="/portal">My care</a>' in before.text  # the menu too
    w.clinic.trials.start_trial(dr, pid, {"kind": "baclofen_screening", "drug": "baclofen",
                                          "indication": "spasticity_spinal",
                                          "baseline": {"ashworth": 3}}, T0)  # fmt: skip
    page = p.get("/portal").text
    assert "Your baclofen trial is under way: write in the diary below" in page
    assert 'id="spasm"' in page and 'id="request-bolus"' not in page
    r = p.post("/portal/diary", data={"pain_nrs": "3", "spasm": "5", "note": "legs looser",
                                      "csrf": p.headers["X-CSRF-Token"]})  # fmt: skip
    assert r.status_code in (200, 303)
    assert "legs looser" in p.get("/portal").text


def test_the_patient_page_shows_a_trial_and_no_pump_links_without_a_pump(sqlite_world):
    """The demo's patient in a baclofen screening: the page had no word of the trial and
    offered Programming, Refill and Refill appointment, each of which answered "this
    patient has no pump program"."""
    w = sqlite_world
    dr = w.users["physician"]
    pid = w.clinic.care.add_patient(dr, {"mrn": "T7", "name": "Ty Trial", "birth_year": 1979,
                                         "indication": "spasticity_spinal", "weight_kg": 70.0,
                                         "opioid_naive": False}, "new", T0)  # fmt: skip
    c = w.client("physician")
    page = c.get(f"/patients/{pid}").text
    assert 'id="trial-card"' not in page and 'id="to-refill"' not in page
    assert 'id="to-program"' not in page and "Implant a pump" in page
    tid = w.clinic.trials.start_trial(dr, pid, {"kind": "baclofen_screening", "drug": "baclofen",
                                                "indication": "spasticity_spinal",
                                                "baseline": {"ashworth": 3}}, T0)  # fmt: skip
    at = datetime.fromtimestamp(T0 + 3600.0, UTC).isoformat()
    w.clinic.trials.add_trial_dose(dr, tid, {"at": at, "amount": "50 mcg"}, T0 + 3600.0)
    card = c.get(f"/patients/{pid}").text.split('id="trial-card">', 1)[1].split("</div>", 1)[0]
    words = " ".join(re.sub(r"<[^>]+>", " ", card).split())
    assert words.startswith(f"Trials #{tid} baclofen screening (bolus) · started 2026-09-21 · "
                            "1 dose given · under way")  # fmt: skip
    assert f'href="/patients/{pid}/trials"' in card
    # Ann has a pump: her links stay
    assert 'id="to-refill"' in c.get(f"/patients/{w.a}").text


def test_the_pump_cards_appear_only_with_a_pump_or_its_history(sqlite_world):
    """A patient who never had a pump showed four empty tables ("No refill yet.",
    "No programming session yet.", "No request yet.", "No alarm.") that read like missing
    records; one line says they come with a pump. An explanted pump's history stays."""
    w = sqlite_world
    dr = w.users["physician"]
    pid = w.clinic.care.add_patient(dr, {"mrn": "T8", "name": "Una New", "birth_year": 1975,
                                         "indication": "cancer_pain", "weight_kg": 70.0,
                                         "opioid_naive": True}, "new", T0)  # fmt: skip
    c = w.client("physician")
    page = c.get(f"/patients/{pid}").text
    assert 'id="no-pump-history"' in page
    assert "No pump yet: refills, programming sessions, demand boluses and alarms" in page
    for empty in ("No refill yet.", "No programming session yet.", "No request yet.",
                  "No alarm.", 'id="refills"', 'id="alarms"'):  # fmt: skip
        assert empty not in page, empty
    # Bo's baclofen pump explanted: its refills and programming stay on his page
    out = w.clinic.surgery.check_explant(dr, w.b, Signoff(), T0 + 3600.0)
    ack = {"WITHDRAWAL_RISK_CUT": "oral baclofen 20 mg tds started"}
    w.clinic.surgery.explant(dr, w.b, "infection", Signoff(ack, None, out.digest),
                             T0 + 3600.0, out.therapy_version)  # fmt: skip
    bo = c.get(f"/patients/{w.b}").text
    assert 'id="no-pump-history"' not in bo and 'id="refills"' in bo
    assert 'id="to-refill"' not in bo and "Implant a pump" in bo
    # a patient with a pump keeps every card, empty or not
    ann = c.get(f"/patients/{w.a}").text
    assert 'id="no-pump-history"' not in ann and 'id="alarms"' in ann and 'id="refills"' in ann


def test_a_patient_with_a_stimulator_reads_that_in_the_portal(sqlite_world):
    """A patient with an implanted spinal cord stimulator read only "You have no pump
    yet.", as if a pump were coming."""
    w = sqlite_world
    pid = _stimulator(w)  # trial from T0, implanted on day 4 (2026-09-25)
    uid = w.clinic.user_admin.add_user(w.users["admin"], "sam", "Sam Stim", PASSWORD,
                                       "patient", pid, T0)  # fmt: skip
    w.users["sam"] = Principal(uid, "sam", "Sam Stim", "patient", pid, "")
    words = " ".join(re.sub(r"<[^>]+>", " ", w.client("sam").get("/portal").text).split())
    assert ("You have a spinal cord stimulator, implanted on 2026-09-25; the clinic sets and "
            "changes its program. You have no pump.") in words
    assert "no pump yet" not in words
