"""The care pathway in the clinic: the record (examples/programmer/pathway-axial-back.json)
decides SCS and pump candidacy by the pathway's documented rule (docs/scs.md): with
every other criterion met, predominant axial back pain -> a pump trial first,
neuropathic leg pain -> an SCS trial first, a failed SCS trial -> the pump. Patients
awaiting an evaluation or a trial are on the worklist until they have a device."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.clinic.conftest import T0

RECORD = json.loads((Path(__file__).parents[2] / "examples/programmer/pathway-axial-back.json")
                    .read_text())  # fmt: skip


def candidate(w) -> int:
    return w.clinic.care.add_patient(
        w.users["physician"],
        dict(mrn="FB1", name="Fay Back", birth_year=1968, indication="non_cancer",
             weight_kg=72.0, opioid_naive=False, status="candidate"),
        "referred after two spine operations", T0,
    )  # fmt: skip


def put(w, pid: int, record: dict, role: str = "physician"):
    return w.client(role).put(f"/api/patients/{pid}/pathway",
                              json={"record": record, "reason": "clinic review"})  # fmt: skip


def worklist_item(w, pid: int):
    items = w.client("nurse").get("/api/worklist").json()
    return next((i for i in items if i["patient_id"] == pid), None)


def test_axial_back_pain_goes_to_a_pump_trial_first(world):
    pid = candidate(world)
    r = put(world, pid, RECORD)
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["stage"], d["favoured"]) == ("trial", "idds")
    assert d["why"] == "predominant axial back pain: pump trial first (the pathway's rule)"
    # every pump criterion is met but the trial, which is still to come
    pending = [x["key"] for x in d["idds"]["reasons"] if x["status"] == "pending"]
    assert pending == ["trial_successful"] and d["idds"]["decision"] == "not yet"
    item = worklist_item(world, pid)
    assert (item["kind"], item["urgency"]) == ("pathway", "due soon")
    assert item["detail"].startswith("awaiting a trial: predominant axial back pain")
    page = world.client("physician").get(f"/patients/{pid}").text
    assert 'id="pathway-favoured">IDDS<' in page


def test_leg_pain_favours_scs_and_a_failed_scs_trial_opens_the_pump(world):
    pid = candidate(world)
    leg = {**copy.deepcopy(RECORD), "pain_pattern": "neuropathic_leg"}
    d = put(world, pid, leg).json()
    assert (d["stage"], d["favoured"]) == ("trial", "scs")
    d = put(world, pid, {**leg, "scs_trial": "failure"}, role="nurse").json()
    assert (d["stage"], d["favoured"], d["why"]) == ("trial", "idds",
                                                     "SCS trial failed: pump trial")  # fmt: skip
    got = world.client("pharmacist").get(f"/api/patients/{pid}/pathway").json()
    assert got["record"]["scs_trial"] == "failure" and got["favoured"] == "idds"


def test_an_unfinished_evaluation_names_what_is_missing(world):
    pid = candidate(world)
    unfinished = {k: v for k, v in RECORD.items()
                  if k not in ("imaging_done", "psychological_evaluation_favourable")}  # fmt: skip
    d = put(world, pid, unfinished).json()
    assert (d["stage"], d["favoured"]) == ("evaluation", None)
    assert d["why"].startswith("evaluation incomplete: imaging not yet done; ")
    assert "psycholog" in d["why"]
    item = worklist_item(world, pid)
    assert (item["kind"], item["urgency"]) == ("pathway", "upcoming")


def test_a_bad_record_is_refused_whole_naming_the_field(world):
    pid = candidate(world)
    bad = {**RECORD, "pain_pattern": "lumbar", "treatments": [{"kind": "yoga"}]}
    r = put(world, pid, bad)
    assert r.status_code == 422
    paths = {p["path"] for p in r.json()["problems"]}
    assert {"pain_pattern", "treatments[0].kind", "treatments[0].start",
            "treatments[0].outcome"} <= paths  # fmt: skip
    assert world.client("physician").get(f"/api/patients/{pid}/pathway").status_code == 404
    assert worklist_item(world, pid) is None


def test_an_implanted_patient_leaves_the_pathway_worklist(world):
    put(world, world.a, RECORD)  # patient A already has a pump
    items = world.client("nurse").get("/api/worklist").json()
    assert [i for i in items if i["kind"] == "pathway"] == []
    pid = candidate(world)  # the same record for a patient with no device is on it
    put(world, pid, RECORD)
    items = world.client("nurse").get("/api/worklist").json()
    assert [i["patient_id"] for i in items if i["kind"] == "pathway"] == [pid]
    # and on the page too (issue 25: it was in the API only), with a way to its next
    # step: the axial-back record awaits a pump trial, started on the trials screen
    page = world.client("nurse").get("/worklist").text
    assert 'id="worklist-pathway"' in page
    assert f'href="/patients/{pid}/trials">Start the pump trial</a>' in page
    item = next(i for i in items if i["kind"] == "pathway")
    assert item["action"] == ["trials", "Start the pump trial"]


def test_a_running_scs_trial_takes_the_patient_off_the_pathway_worklist(world):
    pid = candidate(world)
    put(world, pid, {**RECORD, "pain_pattern": "neuropathic_leg"})
    assert worklist_item(world, pid)["kind"] == "pathway"  # awaiting the SCS trial
    trial = {"stimulator_id": "ipg-rechargeable", "lead_id": "percutaneous-8",
             "baseline_nrs": 8, "reason": "trial",
             "program": {"mode": "tonic", "amplitude_ma": 4, "pulse_width_us": 300,
                         "frequency_hz": 50, "electrodes": [{"contact": 2, "polarity": "-"}]}}
    dr = world.client("physician")
    check = {k: trial[k] for k in ("stimulator_id", "lead_id", "program")}
    trial["reviewed_digest"] = dr.post(f"/api/patients/{pid}/scs/check",
                                       json=check).json()["reviewed_digest"]
    r = dr.post(f"/api/patients/{pid}/scs/trial", json=trial)
    assert r.status_code == 201, r.text
    assert worklist_item(world, pid) is None
