"""The REST API end to end on both databases: every figure below is worked out by
hand from the test clinic in conftest (morphine 10 mg/mL at 3 mg/day, a 0.1 mg
patient bolus with a 4 h lockout; baclofen 2000 mcg/mL at 400 mcg/day)."""

from __future__ import annotations

import pytest

from tests.clinic.conftest import DAY, PASSWORD, T0, api_signed

BACLOFEN_500 = {
    "drugs": [{"name": "baclofen", "concentration": "2 mg/mL"}],
    "basal": {"steps": [{"start": "00:00", "dose": "500 mcg/day"}]},
    "low_reservoir_alarm_ml": 4,
}

BACLOFEN_440 = {
    "drugs": [{"name": "baclofen", "concentration": "2 mg/mL"}],
    "basal": {"steps": [{"start": "00:00", "dose": "440 mcg/day"}]},
    "low_reservoir_alarm_ml": 4,
}


def test_login_sets_an_httponly_samesite_cookie(world):
    r = world.client().post("/api/login", json={"username": "nurse", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert r.status_code == 200 and "httponly" in cookie and "samesite=strict" in cookie
    bad = world.client().post("/api/login", json={"username": "nurse", "password": "wrong!"})
    assert bad.status_code == 401


def test_state_changes_need_the_csrf_token(world):
    c = world.client("physician")
    del c.headers["X-CSRF-Token"]
    r = c.post(f"/api/patients/{world.b}/programs/check", json={"program": BACLOFEN_500})
    assert r.status_code == 403 and r.json()["error"] == "CsrfError"


def test_a_soft_finding_must_be_acknowledged_and_a_second_person_must_sign(world):
    c = world.client("physician")
    world.clock.t = T0 + DAY
    check = c.post(f"/api/patients/{world.b}/programs/check", json={"program": BACLOFEN_500})
    assert check.status_code == 200
    body = check.json()
    # 400 -> 500 mcg/day is +25 %: above the 20 % high-dose warning (soft) and above the
    # 20 % that needs a second person.
    assert ("TITRATION_HIGH_DOSE", "soft") in {(f["code"], f["severity"]) for f in body["findings"]}
    assert body["doses"][0]["change_pct"] == pytest.approx(25.0)
    assert body["needs_second_person"] == ["baclofen +25 % (> 20 %)"]
    confirmed = {
        "program": BACLOFEN_500,
        "reason": "spasms at night",
        "reviewed_digest": body["reviewed_digest"],
        "expected_version": body["therapy_version"],
    }
    refused = c.post(f"/api/patients/{world.b}/programs", json=confirmed)
    assert refused.status_code == 422
    codes = {f["code"] for f in refused.json()["findings"]}
    assert codes == {"TITRATION_HIGH_DOSE", "SECOND_PERSON_REQUIRED"}
    ok = c.post(
        f"/api/patients/{world.b}/programs",
        json={
            **confirmed,
            "acknowledgements": {"TITRATION_HIGH_DOSE": "spasms at night, reviewed"},
            "verifier": {"username": "nurse", "password": PASSWORD},
        },
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "committed" and ok.json()["verified_by"] == "nurse"
    rec = c.get(f"/api/patients/{world.b}").json()
    assert rec["program"]["version_no"] == 2
    assert rec["program"]["document"]["basal"]["steps"][0]["dose"] == "500 mcg/day"


def test_a_screen_outlives_readings_but_not_a_real_change(world):
    """Issue 22 item 6: the reading sync is no conflict; another clinician's committed
    program is, with a message that says so."""
    c = world.client("physician")
    body = {"program": BACLOFEN_440}
    screen = c.post(f"/api/patients/{world.b}/programs/check", json=body).json()
    world.clinic.care.sync(world.b, T0 + 600)  # the server's 30 s reading sync, many times over
    world.clock.t = T0 + 600
    commit = {**body, "reason": "x", "reviewed_digest": screen["reviewed_digest"],
              "expected_version": screen["therapy_version"]}  # fmt: skip
    assert c.post(f"/api/patients/{world.b}/programs", json=commit).status_code == 200
    stale = c.post(f"/api/patients/{world.b}/programs", json=commit)  # the same screen again
    assert stale.status_code == 409 and stale.json()["error"] == "Conflict"
    assert "therapy was changed by someone else" in stale.json()["message"]


def test_the_patient_is_denied_inside_the_lockout_and_told_how_long(world):
    c = world.client("patient")
    world.clock.t = T0 + DAY
    first = c.post(f"/api/patients/{world.a}/bolus-requests", json={"request_id": "r-1"})
    assert first.json()["result"] == "granted"
    world.clock.t = T0 + DAY + 3600  # one hour into a four-hour lockout
    second = c.post(f"/api/patients/{world.a}/bolus-requests", json={"request_id": "r-2"})
    assert second.json()["result"] == "denied" and second.json()["reason"] == "lockout"
    assert second.json()["lockout_remaining_s"] == pytest.approx(3 * 3600)
    again = c.post(f"/api/patients/{world.a}/bolus-requests", json={"request_id": "r-1"})
    assert again.json()["result"] == "granted"  # the same id: the same answer, not a new dose
    rec = world.client("nurse").get(f"/api/patients/{world.a}").json()
    assert [b["result"] for b in rec["bolus_requests"]] == ["denied", "granted"]


def test_a_patient_sees_only_their_own_record(world):
    c = world.client("patient")
    assert c.get(f"/api/patients/{world.a}").status_code == 200
    assert c.get(f"/api/patients/{world.b}").status_code == 403
    assert c.post(f"/api/patients/{world.b}/diary", json={"pain_nrs": 3}).status_code == 403
    assert c.post(f"/api/patients/{world.a}/diary", json={"pain_nrs": 3}).status_code == 201


def test_a_refill_discrepancy_is_flagged_until_acknowledged(world):
    from thecal.core.pump.commands import Fault

    world.clinic.care.inject_fault(world.b, Fault("bias", 0.5), T0 + 1)  # over-delivers by half
    world.clock.t = T0 + 30 * DAY
    c = world.client("nurse")
    refill = {
        "add_ml": 10.0,
        "drugs": [{"name": "baclofen", "concentration": "2 mg/mL"}],
        "lot": "L1",
    }
    plan = c.post(f"/api/patients/{world.b}/refills/plan", json=refill).json()
    # The pump believes 19 - 30 d x 0.2 mL/d = 13 mL are left, of which all but the
    # 2.4 mL dead volume come out: 10.6 mL.
    assert plan["expected_withdrawal_ml"] == pytest.approx(10.6, abs=0.01)
    r = api_signed(c, f"/api/patients/{world.b}/refills/plan", f"/api/patients/{world.b}/refills",
                   refill)  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    # 1.5 x 6 mL = 9 mL really went: 19 - 9 - 2.4 = 7.6 mL come out, not 10.6; 3 mL is
    # above the 1 mL that matters in a 20 mL pump.
    assert body["open"] == ["REFILL_DISCREPANCY"]
    rec = c.get(f"/api/patients/{world.b}").json()["refills"][0]
    assert rec["withdrawn_ml"] == pytest.approx(7.6, abs=0.01)
    items = c.get("/api/worklist").json()
    [item] = [i for i in items if i["kind"] == "discrepancy" and i["patient_id"] == world.b]
    # in words, not the finding's code (issue 25): the refill of T0 + 30 d, 2026-10-21
    assert item["detail"] == ("refill of 2026-10-21: possible overinfusion; to acknowledge: "
                              "the volume withdrawn differs from the one expected")  # fmt: skip
    for page in (c.get("/worklist").text, c.get(f"/patients/{world.b}").text):
        assert "the volume withdrawn differs from the one expected" in page
        assert "REFILL_DISCREPANCY" not in page
    # the patient page's refill row links to the page where it is acknowledged
    assert f'<a href="/refills/{body["id"]}" class="to-acknowledge">' in page
    ack = c.post(
        f"/api/refills/{body['id']}/acknowledge",
        json={"code": "REFILL_DISCREPANCY", "reason": "pump checked, catheter ok"},
    )
    assert ack.status_code == 200 and ack.json()["open"] == []
    items = c.get("/api/worklist").json()
    assert not any(i["kind"] == "discrepancy" for i in items)


BAD = [
    (
        "post",
        "/api/patients/{a}/programs/check",
        {"program": {"drugs": "morphine"}},
        "program.drugs",
    ),
    (
        "post",
        "/api/patients/{a}/programs/check",
        {"program": {**BACLOFEN_500, "basal": {"steps": [{"start": "25:00", "dose": "1 mg/day"}]}}},
        "program.basal.steps[0].start",
    ),
    (
        "post",
        "/api/patients/{a}/programs/check",
        {
            "program": {
                **BACLOFEN_500,
                "basal": {"steps": [{"start": "00:00", "dose": "3 mg/h/kg"}]},
            }
        },
        "program.basal.steps[0].dose",
    ),
    ("post", "/api/patients/{a}/refills/plan", {"add_ml": -1, "drugs": [], "lot": "x"}, "add_ml"),
    (
        "post",
        "/api/patients/{a}/refills/plan",
        {"add_ml": 5, "drugs": [{"name": "morphine", "concentration": "10 mL"}], "lot": "x"},
        "drugs[0].concentration",
    ),
    ("post", "/api/patients/{a}/refills", {"add_ml": "lots", "drugs": [], "lot": "x"}, "add_ml"),
    ("post", "/api/patients", {"mrn": "", "name": "x"}, "mrn"),
    ("post", "/api/patients/{a}/diary", {"pain_nrs": 11}, "pain_nrs"),
    ("post", "/api/patients/{a}/bolus-requests", {"request_id": ""}, "request_id"),
    ("post", "/api/refills/999/acknowledge", {"code": "X"}, "reason"),
    ("post", "/api/patients/{a}/trials", {"document": {"kind": "nope"}}, "kind"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD)
def test_bad_input_names_the_field_and_is_never_a_500(sqlite_world, method, path, body, field):
    role = {"bolus-requests": "patient", "diary": "patient"}.get(
        path.rsplit("/", 1)[-1], "physician"
    )
    c = sqlite_world.client(role)
    r = getattr(c, method)(path.format(a=sqlite_world.a), json=body)
    assert r.status_code == 422, r.text
    paths = [p["path"] for p in r.json()["problems"]]
    assert any(p == field or p.endswith("." + field) for p in paths), paths


@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b'{"program": 1e999}', b"\xff\xfe"])
def test_malformed_json_is_an_answer(sqlite_world, raw):
    c = sqlite_world.client("physician")
    r = c.post(
        f"/api/patients/{sqlite_world.a}/programs/check",
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422 and "problems" in r.json()


def test_openapi_lists_the_api(sqlite_world):
    spec = sqlite_world.client().get("/openapi.json").json()
    assert "/api/patients/{patient_id}/programs" in spec["paths"]
    assert sqlite_world.client().get("/docs").status_code == 200


def test_openapi_declares_the_pathway_and_refill_answers(sqlite_world):
    """The use cases answer typed records (issue 27), so the contract names their words:
    a client can rely on the four stages and on a refill's open findings."""
    spec = sqlite_world.client().get("/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def answer(path: str, method: str) -> dict:
        ref = spec["paths"][path][method]["responses"]
        ref = ref.get("200", ref.get("201"))["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]

    put = answer("/api/patients/{patient_id}/pathway", "put")
    stage = schemas[put["properties"]["stage"]["$ref"].rsplit("/", 1)[1]]
    assert stage["enum"] == ["evaluation", "trial", "implant", "not a candidate"]
    got = answer("/api/patients/{patient_id}/pathway", "get")
    assert set(got["required"]) == {"stage", "favoured", "why", "scs", "idds", "record"}
    ack = answer("/api/refills/{refill_id}/acknowledge", "post")
    assert {"open", "acknowledged", "findings", "status"} <= set(ack["required"])
    recorded = answer("/api/patients/{patient_id}/refills", "post")
    assert set(recorded["required"]) == set(ack["required"]) | {"id"}
    # a check answers its review: a finding's severity is one of three words, and the
    # digest and therapy version a commit must name are always there
    check = answer("/api/patients/{patient_id}/programs/check", "post")
    assert {"reviewed_digest", "therapy_version", "findings", "blockers"} <= set(check["required"])
    item = check["properties"]["findings"]["items"]["$ref"].rsplit("/", 1)[1]
    severity = schemas[schemas[item]["properties"]["severity"]["$ref"].rsplit("/", 1)[1]]
    assert severity["enum"] == ["hard", "soft", "info"]
    plan = answer("/api/patients/{patient_id}/refills/plan", "post")
    assert set(plan["required"]) == set(check["required"]) | {
        "expected_withdrawal_ml", "volume_after_ml", "daily_use_ml", "next_refill_s",
        "next_refill_reason"}  # fmt: skip


def test_the_worklist_comes_in_pages_most_urgent_first(world):
    world.clock.t = T0 + 120 * 86_400.0  # both pumps are past their refill date by now
    world.clinic.care.sync(world.a, world.clock.t)
    world.clinic.care.sync(world.b, world.clock.t)
    c = world.client("nurse")
    whole = c.get("/api/worklist")
    assert whole.status_code == 200
    total = int(whole.headers["X-Total-Count"])
    assert total == len(whole.json())
    first = c.get("/api/worklist?limit=1")
    assert first.json() == whole.json()[:1]
    assert first.headers["Link"] == '</api/worklist?offset=1&limit=1>; rel="next"'
    second = c.get("/api/worklist?offset=1&limit=1")
    assert second.json() == whole.json()[1:2]
    last = c.get(f"/api/worklist?offset={total - 1}&limit=1")
    assert "Link" not in last.headers
    # 120 days on, both pumps are empty (critical alarm) and overdue: four items,
    # critical first, then by the date each became due
    keys = [(i["rank"], i["due_s"]) for i in whole.json()]
    assert total == 4 and keys == sorted(keys)
    # the hand-encoded page has exactly the fields the OpenAPI document declares
    spec = c.get("/openapi.json").json()
    declared = spec["components"]["schemas"]["WorkItemAnswer"]
    assert all(set(i) == set(declared["properties"]) == set(declared["required"])
               for i in whole.json())  # fmt: skip
    assert {(i["patient_id"], i["kind"]) for i in whole.json()} == {
        (world.a, "alarm"), (world.a, "refill"), (world.b, "alarm"), (world.b, "refill"),
    }  # fmt: skip
    # in plain words with the date and the days: Ann's 19 mL at 0.3 mL/day ran out after
    # 63.3 days, 2026-11-23 22:13 UTC; on day 120 that is 56.7 days ago (issue 25)
    [ann] = [i for i in whole.json() if (i["patient_id"], i["kind"]) == (world.a, "alarm")]
    assert ann["detail"] == (
        "pump empty: nothing is delivered, since 2026-11-23 (57 days); high priority"
    ), ann["detail"]
    [refill] = [i for i in whole.json() if (i["patient_id"], i["kind"]) == (world.a, "refill")]
    # first, in words, with the day it ran empty (the alarm's onset, as above)
    assert refill["detail"].startswith(
        "pump empty since 2026-11-23 (57 days), nothing delivered; "
    ), refill["detail"]
    # her fluid expired first: 90 days after the implant's fill, 30 days ago
    assert "30.0 d overdue: morphine stability" in refill["detail"]
    page = c.get(f"/patients/{world.a}").text
    assert "pump empty: nothing is delivered" in page and "EMPTY_RESERVOIR" not in page
    assert "non-cancer pain" in page and "non_cancer" not in page
    # a press on the empty pump is denied; the record gives the reason in words
    pressed = world.client("patient").post(f"/api/patients/{world.a}/bolus-requests",
                                           json={"request_id": "press-empty"})  # fmt: skip
    assert pressed.json()["reason"] == "not_delivering"
    page = c.get(f"/patients/{world.a}").text
    assert "the pump was not delivering" in page and "not_delivering" not in page
    # worked down from the list: acknowledged with what was done, the alarm leaves it
    listed = c.get("/worklist").text
    assert f'action="/alarms/{ann["ref_id"]}/acknowledge"' in listed
    done = c.post(f"/alarms/{ann['ref_id']}/acknowledge",
                  data={"reason": "refill booked today", "csrf": c.headers["X-CSRF-Token"]},
                  follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/worklist"
    after = c.get("/api/worklist").json()
    assert (world.a, "alarm") not in {(i["patient_id"], i["kind"]) for i in after}
    assert (world.b, "alarm") in {(i["patient_id"], i["kind"]) for i in after}
    bad = c.get("/api/worklist?limit=0")
    assert bad.status_code == 422 and "limit" in bad.text
    screen = c.get("/worklist?page=1")
    assert screen.status_code == 200 and "Ann Able" in screen.text
    assert c.get("/worklist?page=0").status_code == 422


@pytest.mark.sr("SR-36")
def test_a_temporary_program_through_the_api_ends_on_its_own_and_stays_out_of_the_record(world):
    """Baclofen 400 -> 440 mcg/day for 6 h: the commit is recorded in its session with
    its end; the program of record stays the 400 mcg/day one, and a reading after the
    six hours finds the pump back on it."""
    c = world.client("physician")
    world.clock.t = T0 + 600
    before = c.get(f"/api/patients/{world.b}").json()["program"]["version_no"]
    body = {"program": BACLOFEN_440, "temporary_h": 6}
    screen = c.post(f"/api/patients/{world.b}/programs/check", json=body).json()
    commit = {**body, "reason": "10 % more for 6 h", "reviewed_digest": screen["reviewed_digest"],
              "expected_version": screen["therapy_version"]}  # fmt: skip
    r = c.post(f"/api/patients/{world.b}/programs", json=commit)
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["status"] == "committed"
    assert record["temporary_until_s"] == T0 + 600 + 6 * 3600
    assert "TEMPORARY_PROGRAM" in [f["code"] for f in record["findings"]]
    assert c.get(f"/api/patients/{world.b}").json()["program"]["version_no"] == before
    running = world.clinic.care.interrogate(world.users["nurse"], world.b, T0 + 600 + 60)
    assert running.temporary_until_s == T0 + 600 + 6 * 3600
    later = world.clinic.care.interrogate(world.users["nurse"], world.b, T0 + 600 + 7 * 3600)
    assert later.temporary_until_s is None
    assert later.program.steps[0].dose_mcg_per_s * DAY == pytest.approx(400.0)
    too_long = c.post(f"/api/patients/{world.b}/programs/check",
                      json={"program": BACLOFEN_440, "temporary_h": 100})  # fmt: skip
    assert too_long.status_code == 422
    assert too_long.json()["problems"][0]["path"] == "temporary_h"
    assert "from above 0 to 72 h" in too_long.json()["problems"][0]["message"]


@pytest.mark.sr("SR-29", "SR-32")
def test_the_clinic_keeps_an_alarms_priority_silence_and_acknowledgement_at_the_pump(world):
    """Patient B's baclofen pump stalls at T0 + 60 s (high: a withdrawal-critical drug);
    at the pump the tone is silenced for 10 min at T0 + 120 s and the alarm
    acknowledged at T0 + 180 s. The clinic's alarm row keeps all three, and the page
    shows them."""
    from sqlalchemy import select

    from thecal.adapters.db.models import AlarmRow
    from thecal.core.pump.commands import AcknowledgeAlarm, Fault, SilenceAlarm

    w = world
    w.clinic.care.inject_fault(w.b, Fault("stall"), T0 + 60)
    w.clinic.care.inject_fault(w.b, SilenceAlarm("MOTOR_STALL", 600.0), T0 + 120)
    w.clinic.care.inject_fault(w.b, AcknowledgeAlarm("MOTOR_STALL"), T0 + 180)
    with w.db.reads() as db:
        [row] = db.scalars(select(AlarmRow).where(AlarmRow.patient_id == w.b)).all()
        assert (row.code, row.priority, row.onset_s) == ("MOTOR_STALL", "high", T0 + 60)
        assert (row.silenced_until_s, row.pump_acknowledged_s) == (T0 + 720, T0 + 180)
        assert row.cleared_s is None and row.acknowledged_by is None
    page = w.client("nurse").get(f"/patients/{w.b}").text
    table = page.split('id="alarms"', 1)[1].split("</table>", 1)[0]
    assert "motor stalled" in table and "at the pump" in table
    assert '<span class="tag critical">high</span></td>' in table  # red: high priority
    # the pump card's tag too, and the record's JSON
    card = page.split('id="pump-card"', 1)[1].split("</div>", 1)[0]
    assert 'class="tag critical" title="high priority"' in card
    alarms = w.client("nurse").get(f"/api/patients/{w.b}").json()["alarms"]
    assert [(a["code"], a["priority"]) for a in alarms] == [("MOTOR_STALL", "high")]
