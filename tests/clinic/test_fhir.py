"""FHIR R4 export and import: a patient's history out, into an empty database (SQLite
and PostgreSQL), and out again, equal; the resources carry the hand-worked numbers;
bad bundles are refused whole with the resource and field named."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.clinic.conftest import DAY, PASSWORD, SETUP, T0, World, api_signed, morphine
from tests.clinic.test_pathway import RECORD, put
from thecal.adapters.db.bootstrap import ClinicDb, bootstrap
from thecal.adapters.db.models import AssessmentRow, Implant, Patient, Pump
from thecal.adapters.db.queries import patient_record, scs_record
from thecal.adapters.fhir.export import patient_bundle
from thecal.adapters.fhir.importer import import_bundle
from thecal.core.errors import InputError
from thecal.core.pump.commands import Fault
from thecal.services.clinic import ImplantInput
from thecal.services.clinic.gate import Signoff


def _history(w: World) -> None:
    """Ann: a titration, a demand bolus granted and one denied, pain scores, a motor
    stall (alarm, cleared, acknowledged) and a verified refill."""
    w.program(w.a, morphine(3300.0), T0 + DAY)
    p = w.client("patient")
    for t, rid in ((T0 + DAY + 5 * 3600, "r-1"), (T0 + DAY + 6 * 3600, "r-2")):
        w.clock.t = t
        assert p.post(f"/api/patients/{w.a}/bolus-requests", json={"request_id": rid}).is_success
    for t, score in ((T0 + 2 * DAY, 6), (T0 + 3 * DAY, 4)):
        w.clock.t = t
        p.post(f"/api/patients/{w.a}/diary", json={"pain_nrs": score, "note": f"day {score}"})
    w.clinic.care.inject_fault(w.a, Fault("stall"), T0 + 4 * DAY)
    w.clinic.care.inject_fault(w.a, Fault("stall_cleared"), T0 + 4 * DAY + 600)
    alarm = w.client("nurse").get("/api/alarms").json()[0]
    w.clinic.care.acknowledge_alarm(w.users["nurse"], alarm["id"], "checked", T0 + 4 * DAY + 900)
    w.clock.t = T0 + 30 * DAY
    r = api_signed(
        w.client("nurse"),
        f"/api/patients/{w.a}/refills/plan",
        f"/api/patients/{w.a}/refills",
        {
            "add_ml": 5.0,
            "drugs": [{"name": "morphine", "concentration": "10 mg/mL"}],
            "lot": "L9",
        },
    )
    assert r.status_code == 201, r.text


def _export(cdb: ClinicDb, pid: int) -> dict:
    with cdb.reads() as db:
        return patient_bundle(db, pid, cdb.catalogue, cdb.library)


def _empty_clinic(url: str) -> ClinicDb:
    return bootstrap(url)


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def source(tmp_path):
    w = World(f"sqlite:///{tmp_path / 'source.db'}")
    _history(w)
    yield w
    w.engine.dispose()


def _without_pump_status(bundle: dict) -> dict:
    entries = [e for e in bundle["entry"] if not e["resource"]["id"].endswith("-pump-status")]
    return {**bundle, "entry": entries, "total": len(entries)}


@pytest.mark.sr("SR-42")
def test_export_import_export_is_the_identity_of_the_records(source, db_url):
    """Every record comes back; the pump's live status does not, because an import never
    puts a program into a pump (issue 22): the pump is commissioned through the gate."""
    first = _export(source.db, source.a)
    target = _empty_clinic(db_url)  # SQLite, then PostgreSQL: an empty database
    pid = import_bundle(
        target, source.users["physician"], copy.deepcopy(first), "transfer", T0 + 31 * DAY
    )
    again = _export(target, pid)
    assert again == _without_pump_status(first)
    assert len(again["entry"]) == len(first["entry"]) - 1
    with target.reads() as db:
        assert db.scalar(select(func.count()).select_from(Patient)) == 1
        assert db.scalar(select(func.count()).select_from(Pump)) == 0  # nothing commissioned
    target.engine.dispose()


def test_an_imported_pump_is_commissioned_through_the_gate(source, tmp_path):
    """The transfer in: the imported implant record (serial SN-A) is commissioned with
    the imported program continued, reviewed, signed and confirmed like any first fill."""
    first = _export(source.db, source.a)
    target = _empty_clinic(f"sqlite:///{tmp_path / 'target.db'}")
    dr = source.users["physician"]
    at = T0 + 31 * DAY
    pid = import_bundle(target, dr, copy.deepcopy(first), "transfer", at)
    target.clinic.user_admin.add_user(SETUP, "physician", "P", PASSWORD, "physician", None, at)
    target.clinic.user_admin.add_user(SETUP, "pharmacist", "Ph", PASSWORD, "pharmacist", None, at)
    running = morphine(3300.0)  # the imported active program (v2)
    i = ImplantInput("peristaltic-20", "SN-A", "two-piece", 90.0, 2.6, "T10", running, 15.0,
                     continues=running)  # fmt: skip
    review = target.clinic.devices.check_implant(dr, pid, i, Signoff(), at)
    assert review.blockers == [f for f in review.blockers if f.code in
                               ("SECOND_PERSON_REQUIRED", "NOT_CONFIRMED")]  # fmt: skip
    target.clinic.devices.implant(dr, pid, i, "transfer: commissioned", source.signed(review), at)
    again = _export(target, pid)
    (status,) = [r for r in (e["resource"] for e in again["entry"])
                 if r["id"].endswith("-pump-status")]  # fmt: skip
    assert status["component"][0]["valueQuantity"]["value"] == pytest.approx(15.0)
    with target.reads() as db:  # the imported implant record, not a second one
        assert db.scalar(select(func.count()).select_from(Implant)) == 1
    target.engine.dispose()


def test_the_bundle_says_what_the_clinic_did(source):
    b = source.client("physician").get(f"/fhir/Patient/{source.a}/$everything")
    assert b.status_code == 200 and b.headers["content-type"].startswith("application/fhir+json")
    bundle = b.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"][0]["value"] == "A1" and patient["birthDate"] == "1960"
    pump = next(d for d in _resources(bundle, "Device") if d.get("serialNumber"))
    assert pump["serialNumber"] == "SN-A" and pump["modelNumber"] == "peristaltic-20"
    # program v2: 3300 mcg/day of 10 mg/mL morphine = 0.33 mL/day; the demand bolus is
    # 100 mcg = 0.01 mL, at most 3 a day: 0.03 mL per 1 day
    v2 = next(m for m in _resources(bundle, "MedicationRequest") if m["status"] == "active")
    basal, demand = v2["dosageInstruction"]
    assert basal["doseAndRate"][0]["rateQuantity"]["value"] == pytest.approx(0.33)
    assert demand["asNeededBoolean"] is True
    assert demand["maxDosePerPeriod"]["numerator"]["value"] == pytest.approx(0.03)
    assert demand["maxDosePerPeriod"]["denominator"] == {
        "value": 1,
        "unit": "d",
        "system": "http://unitsofmeasure.org",
        "code": "d",
    }
    pains = [
        o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "72514-3"
    ]
    assert [o["valueInteger"] for o in pains] == [6, 4]
    assert pains[0]["code"]["coding"][0]["system"] == "http://loinc.org"
    procedures = _resources(bundle, "Procedure")
    refills = [p for p in procedures if p["code"]["coding"][0]["code"] == "pump-refill"]
    # the implant's first fill (19 mL), then the refill of 5 mL
    assert [p["outcome"]["text"] for p in refills] == ["first fill", "ok"]
    for refill in refills:
        assert refill["focalDevice"][0]["action"]["text"] == "manipulated"
        assert refill["focalDevice"][0]["manipulated"]["reference"] == "Device/p-A1-pump"
    admins = _resources(bundle, "MedicationAdministration")
    fluids = [a for a in admins if a["id"].endswith("-fluid")]
    assert [a["dosage"]["dose"]["value"] for a in fluids] == [19.0, 5.0]
    demands = [
        (a["identifier"][0]["value"], a["status"])
        for a in admins
        if a.get("category", {}).get("text") == "patient demand bolus"
    ]
    # r-1 at T0 + 1 d + 5 h is the first dose, granted; r-2 an hour later is inside the
    # 4 h lockout that r-1 started (a program change starts none)
    assert demands == [("r-1", "completed"), ("r-2", "not-done")]
    flags = [(f["code"]["text"], f["status"]) for f in _resources(bundle, "Flag")]
    assert ("MOTOR_STALL", "inactive") in flags
    issues = {d["code"]["text"] for d in _resources(bundle, "DetectedIssue")}
    assert "MONITOR_AFTER_CHANGE" in issues


def test_a_bundle_with_an_invalid_field_names_the_resource_and_field(source):
    bundle = _export(source.db, source.a)
    bundle["entry"][0]["resource"]["birthDate"] = "19x60"
    c = source.client("physician")
    r = c.post("/fhir/Bundle?reason=transfer", json=bundle)
    assert r.status_code == 422
    paths = [p["path"] for p in r.json()["problems"]]
    assert paths == ["entry[0] (Patient/p-A1).birthDate"]


def test_a_patient_without_a_stated_opioid_tolerance_is_refused(source):
    """The patient's opioid-naive extension was read as false when absent: the import
    took an unknown tolerance for "tolerant", and an opioid start was never held to the
    label's naive ceiling. Absent, it is refused by name, as every required field is."""
    bundle = _export(source.db, source.a)
    patient = bundle["entry"][0]["resource"]
    patient["extension"] = [x for x in patient["extension"]
                            if not x["url"].endswith("/opioid-naive")]  # fmt: skip
    r = source.client("physician").post("/fhir/Bundle?reason=transfer", json=bundle)
    assert r.status_code == 422
    assert [(p["path"], p["message"]) for p in r.json()["problems"]] == [
        ("entry[0] (Patient/p-A1).extension[opioid-naive]",
         "required: opioid tolerance (valueBoolean, true when opioid-naive)")
    ]  # fmt: skip


def test_nothing_is_half_imported(source, tmp_path):
    bundle = _export(source.db, source.a)
    target = _empty_clinic(f"sqlite:///{tmp_path / 'target.db'}")
    broken = copy.deepcopy(bundle)
    (at,) = [i for i, e in enumerate(broken["entry"]) if e["resource"]["id"] == "p-A1-refill-1"]
    broken["entry"][at]["resource"].pop("extension")  # the refill loses thecal's record
    assert at > 10  # late in the bundle: the patient and programs before it read fine
    with pytest.raises(InputError) as err:
        import_bundle(target, source.users["physician"], broken, "transfer", T0)
    assert [p.path for p in err.value.problems] == [
        f"entry[{at}] (Procedure/p-A1-refill-1).extension"
        "[https://thecal.example/fhir/StructureDefinition/refill]"
    ]
    with target.reads() as db:
        assert db.scalar(select(func.count()).select_from(Patient)) == 0
    pid = import_bundle(target, source.users["physician"], bundle, "transfer", T0)
    with pytest.raises(InputError, match="nothing was imported") as twice:
        import_bundle(target, source.users["physician"], bundle, "again", T0)
    assert "MRN A1 already exists" in twice.value.problems[0].message
    assert pid == 1


def test_thecal_fhir_export_and_import_round_trip(source, tmp_path):
    import json

    from typer.testing import CliRunner

    from thecal.entrypoints.cli import app

    out, back = tmp_path / "a.json", tmp_path / "b.json"
    target = f"sqlite:///{tmp_path / 'cli-target.db'}"
    run = CliRunner()
    r = run.invoke(
        app, ["fhir", "export", "--db", source.url, "--patient", str(source.a), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["fhir", "import", str(out), "--db", target, "--reason", "transfer"])
    assert r.exit_code == 0 and "imported patient 1" in r.output, r.output
    r = run.invoke(app, ["fhir", "export", "--db", target, "--patient", "1", "--out", str(back)])
    assert r.exit_code == 0, r.output
    assert json.loads(back.read_text()) == _without_pump_status(json.loads(out.read_text()))
    bad = json.loads(out.read_text())
    bad["entry"][0]["resource"]["birthDate"] = "19x60"
    out.write_text(json.dumps(bad))
    r = run.invoke(app, ["fhir", "import", str(out), "--db", target, "--reason", "again"])
    assert r.exit_code == 2 and "entry[0] (Patient/p-A1).birthDate" in r.output


def test_a_brain_injury_travels_as_a_condition_and_is_checked_on_import(source, tmp_path):
    """Issue 24: the injury's date is a rule input (baclofen waits a year after it), so
    it leaves as a Condition with its onset and comes back; an import checks the date
    as the patient form does. The clinic's clock is T0 = 2026-09-21."""
    dr = source.users["physician"]
    source.clinic.care.edit_patient(dr, source.a, {"brain_injury_on": "2026-02-14"}, "found",
                                    T0)  # fmt: skip
    bundle = _export(source.db, source.a)
    (condition,) = _resources(bundle, "Condition")
    assert condition["onsetDateTime"] == "2026-02-14"
    assert condition["subject"] == {"reference": "Patient/p-A1"}
    assert condition["code"]["coding"][0]["code"] == "traumatic-brain-injury"
    target = _empty_clinic(f"sqlite:///{tmp_path / 'target.db'}")
    at = next(i for i, e in enumerate(bundle["entry"]) if e["resource"] is not None
              and e["resource"]["resourceType"] == "Condition")  # fmt: skip
    ahead = copy.deepcopy(bundle)
    ahead["entry"][at]["resource"]["onsetDateTime"] = "2026-09-22"  # the day after T0
    with pytest.raises(InputError) as err:
        import_bundle(target, dr, ahead, "transfer", T0)
    assert [(p.path, p.message) for p in err.value.problems] == [
        (f"entry[{at}] (Condition/p-A1-brain-injury).onsetDateTime", "a date on or before today")
    ]
    pid = import_bundle(target, dr, bundle, "transfer", T0)
    with target.reads() as db:
        assert db.get(Patient, pid).brain_injury_on == "2026-02-14"
    assert _resources(_export(target, pid), "Condition") == [condition]


def _stimulator(w: World) -> int:
    """Sam: a care-pathway record favouring SCS, an SCS trial (4 days, mean 3.5 against 8)
    and the implant, through the API as the screens do it."""
    pid = w.clinic.care.add_patient(w.users["physician"], dict(
        mrn="S77", name="Sam Stim", birth_year=1975, indication="non_cancer", weight_kg=80.0,
        opioid_naive=False, status="candidate"), "referred", T0)  # fmt: skip
    assert put(w, pid, {**RECORD, "pain_pattern": "neuropathic_leg"}).status_code == 200
    dr, base = w.client("physician"), f"/api/patients/{pid}/scs"
    device = {"stimulator_id": "ipg-rechargeable", "lead_id": "percutaneous-8"}
    tonic = {"mode": "tonic", "amplitude_ma": 4, "pulse_width_us": 300, "frequency_hz": 50,
             "electrodes": [{"contact": 2, "polarity": "-"}]}  # fmt: skip

    def seen(where: dict) -> str:
        return dr.post(f"{base}/check", json={"program": tonic, **where}).json()["reviewed_digest"]

    r = dr.post(f"{base}/trial", json={**device, "baseline_nrs": 8, "reason": "leg pain",
                                        "program": tonic, "reviewed_digest": seen(device)})
    assert r.status_code == 201, r.text
    for day, nrs in enumerate([4, 3, 4, 3], start=1):
        w.clock.t = T0 + day * DAY
        assert dr.post(f"{base}/trial/days", json={"nrs": nrs}).status_code == 200
    assert dr.post(f"{base}/trial/end", json={}).json()["outcome"] == "success"
    r = dr.post(f"{base}/implant", json={**device, "serial": "IPG-77", "program": tonic,
                                          "reason": "good trial", "reviewed_digest": seen(device)})
    assert r.status_code == 201, r.text
    return pid


def test_a_stimulator_and_the_care_pathway_travel_with_the_patient(source, db_url):
    """A patient moved with a bundle arrived without the stimulator implanted in them,
    its trial and programs, and without their care-pathway record: export, import into
    an empty database and export again now gives the same bundle."""
    pid = _stimulator(source)
    first = _export(source.db, pid)
    stimulators = [d for d in _resources(first, "Device")
                   if d["type"]["coding"][0]["code"] == "spinal-cord-stimulator"]  # fmt: skip
    assert [(d["status"], d.get("serialNumber")) for d in stimulators] == [
        ("inactive", None), ("active", "IPG-77")]  # the trial's, then the implant
    target = _empty_clinic(db_url)
    new = import_bundle(target, source.users["physician"], copy.deepcopy(first), "transfer",
                        T0 + 31 * DAY)  # fmt: skip
    assert _export(target, new) == first  # no pump: nothing left out
    with target.reads() as db:
        rec = patient_record(db, new)
        scs = scs_record(db, new)
    # the trial's end wrote its outcome into the pathway record: implant, favouring SCS
    assert (rec.pathway.stage, rec.pathway.favoured) == ("implant", "scs")
    assert rec.pathway.document["scs_trial"] == "success"
    assert rec.stimulator.serial == "IPG-77" and rec.stimulation.program["amplitude_ma"] == 4
    # the trial's four day scores and its outcome, and one program per device
    assert [(d["kind"], d["daily_nrs"], d["outcome"]) for d in scs["devices"]] == [
        ("implant", [], None), ("trial", [4.0, 3.0, 4.0, 3.0], "success")]
    assert len(scs["programs"]) == 2
    target.engine.dispose()


def test_a_stimulator_record_missing_a_field_is_refused_by_name(source):
    pid = _stimulator(source)
    bundle = _export(source.db, pid)
    [implant] = [d for d in _resources(bundle, "Device") if d.get("serialNumber") == "IPG-77"]
    ext = implant["extension"][0]
    record = json.loads(ext["valueString"])
    del record["lead_id"]
    ext["valueString"] = json.dumps(record)
    target = _empty_clinic(f"sqlite:///{source.db.engine.url.database}-target.db")
    with pytest.raises(InputError) as refused:
        import_bundle(target, source.users["physician"], bundle, "transfer", T0 + 31 * DAY)
    [problem] = refused.value.problems
    assert problem.path.endswith("(Device/p-S77-scs-2).spinal-cord-stimulator")
    assert problem.message == "missing: lead_id"
    # a field thecal does not know reached the row's constructor: a server error
    record["lead_id"], record["colour"] = "percutaneous-8", "blue"
    ext["valueString"] = json.dumps(record)
    with pytest.raises(InputError) as refused:
        import_bundle(target, source.users["physician"], bundle, "transfer", T0 + 31 * DAY)
    assert [p.message for p in refused.value.problems] == ["not a field of this record: colour"]
    with target.reads() as db:
        assert db.scalar(select(func.count()).select_from(Patient)) == 0  # nothing imported
    target.engine.dispose()


def test_pump_trials_travel_with_the_patient(source, db_url):
    """A baclofen screening evaluated (50 mcg: Ashworth 4 -> 2, a success) and a second
    still open: both come back whole, with their doses, scores and evaluation."""
    dr = source.users["physician"]
    pid = source.clinic.care.add_patient(dr, {"mrn": "T55", "name": "Tia Trial",
                                              "birth_year": 1980, "weight_kg": 60.0,
                                              "indication": "spasticity_spinal",
                                              "opioid_naive": False}, "new", T0)  # fmt: skip
    doc = {"kind": "baclofen_screening", "drug": "baclofen", "indication": "spasticity_spinal",
           "baseline": {"ashworth": 4}}  # fmt: skip
    at = datetime.fromtimestamp(T0, UTC)
    tid = source.clinic.trials.start_trial(dr, pid, doc, T0)
    source.clinic.trials.add_trial_dose(dr, tid, {"at": at.isoformat(), "amount": "50 mcg"}, T0)
    later = (at + timedelta(hours=4)).isoformat()
    source.clinic.trials.add_trial_assessment(dr, tid, {"at": later, "ashworth": 2}, T0)
    assert source.clinic.trials.evaluate_trial(dr, tid, T0 + DAY, close=True)["outcome"] == (
        "success")  # fmt: skip
    source.clinic.trials.start_trial(dr, pid, doc, T0 + 2 * DAY)
    first = _export(source.db, pid)
    procedures = [p for p in _resources(first, "Procedure")
                  if p["code"]["coding"][0]["code"] == "intrathecal-trial"]  # fmt: skip
    assert [(p["status"], p["performedDateTime"]) for p in procedures] == [
        ("completed", "2026-09-21T14:13:20Z"), ("in-progress", "2026-09-23T14:13:20Z")]
    target = _empty_clinic(db_url)
    new = import_bundle(target, dr, copy.deepcopy(first), "transfer", T0 + 3 * DAY)
    assert _export(target, new) == first
    with target.reads() as db:
        trials = patient_record(db, new).trials
        scored = db.scalars(select(AssessmentRow).order_by(AssessmentRow.id)).all()
    assert [(t.status, len(t.document["doses"])) for t in trials] == [
        ("open", 0), ("evaluated", 1)]  # newest first, as the record lists them
    assert [a.data["ashworth"] for a in scored] == [2]
    target.engine.dispose()


@pytest.mark.parametrize("kind", ["Provenance", "Procedure"])
def test_a_session_or_refill_record_with_an_unknown_field_is_refused_by_name(source, kind):
    """A programming session's or a refill's record with a field thecal does not know
    reached the row's constructor (a TypeError: a server error); one missing a field
    failed at the database. Both are named, and nothing is imported."""
    bundle = _export(source.db, source.a)
    with_record = [r for r in _resources(bundle, kind) if r.get("extension")]
    ext = with_record[0]["extension"][0]
    record = json.loads(ext["valueString"])
    record["colour"] = "blue"
    del record["username"]
    ext["valueString"] = json.dumps(record)
    target = _empty_clinic(f"sqlite:///{source.db.engine.url.database}-target.db")
    with pytest.raises(InputError) as refused:
        import_bundle(target, source.users["physician"], bundle, "transfer", T0 + 31 * DAY)
    assert sorted(p.message for p in refused.value.problems) == [
        "missing: username", "not a field of this record: colour"]
    name = "programming-session" if kind == "Provenance" else "refill"
    assert all(p.path.endswith(f"({kind}/{with_record[0]['id']}).{name}")
               for p in refused.value.problems)
    with target.reads() as db:
        assert db.scalar(select(func.count()).select_from(Patient)) == 0
    target.engine.dispose()
