"""The date of a brain injury through the API and the patient screen, stored on
SQLite and PostgreSQL (migration 0016); a date that is not a calendar date is named.
The clinic's clock is T0 = 2026-09-21 (conftest.py)."""

from __future__ import annotations

from sqlalchemy import select

from thecal.adapters.db.models import AuditRow

BASE = {"name": "Tam Injured", "birth_year": 1988, "indication": "spasticity_cerebral",
        "weight_kg": 72.0, "opioid_naive": True, "reason": "referred"}  # fmt: skip


def test_the_api_stores_the_date_and_names_a_bad_one(world):
    c = world.client("physician")
    bad = c.post("/api/patients", json={**BASE, "mrn": "TBI-A", "brain_injury_on": "2026-13-01"})
    assert bad.status_code == 422
    assert [p["path"] for p in bad.json()["problems"]] == ["body.brain_injury_on"]
    ok = c.post("/api/patients", json={**BASE, "mrn": "TBI-A", "brain_injury_on": "2026-03-01"})
    assert ok.status_code == 201, ok.text
    pid = ok.json()["id"]
    assert c.get(f"/api/patients/{pid}").json()["patient"]["brain_injury_on"] == "2026-03-01"


def test_the_patient_screen_keeps_the_date_and_shows_it(world):
    c = world.client("nurse")
    page = c.get("/patients/new").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {**BASE, "mrn": "TBI-B", "brain_injury_on": "2026-02-14", "csrf": csrf}
    r = c.post("/patients/new", data=form, follow_redirects=True)
    assert r.status_code == 200, r.text
    assert "traumatic brain injury on 2026-02-14" in r.text
    # opioid tolerance is a pain patient's fact: not stated for spasticity (it read
    # "opioid-tolerant" for a child on baclofen)
    assert "opioid-tolerant" not in r.text and "opioid-naive" not in r.text
    assert "opioid-" in c.get(f"/patients/{world.a}").text  # Ann: non-cancer pain


def test_a_date_recorded_in_error_is_cleared_by_the_form_and_by_the_api(world):
    """Left empty on the edit form, or sent as null to the API, the date is cleared and
    the audit holds it as before; a PATCH that leaves the field out keeps it."""
    c = world.client("physician")
    made = c.post("/api/patients", json={**BASE, "mrn": "TBI-C", "brain_injury_on": "2026-03-01"})
    pid = made.json()["id"]
    kept = c.patch(f"/api/patients/{pid}", json={"weight_kg": 71.0, "reason": "weighed"})
    assert kept.status_code == 200, kept.text
    assert c.get(f"/api/patients/{pid}").json()["patient"]["brain_injury_on"] == "2026-03-01"
    form = {"csrf": c.headers["X-CSRF-Token"], "name": BASE["name"], "birth_year": "1988",
            "indication": "spasticity_cerebral", "weight_kg": "71", "brain_injury_on": "",
            "reason": "no brain injury: entered for the wrong patient"}  # fmt: skip
    r = c.post(f"/patients/{pid}/edit", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
    assert c.get(f"/api/patients/{pid}").json()["patient"]["brain_injury_on"] is None
    with world.db.reads() as db:
        row = db.scalars(select(AuditRow).order_by(AuditRow.id.desc())).first()
        assert row.action == "patient.edit"
        assert '"before":{"brain_injury_on":"2026-03-01"}' in row.payload.replace(" ", "")
    # set again through the API, cleared by an explicit null
    c.patch(f"/api/patients/{pid}", json={"brain_injury_on": "2026-03-02", "reason": "found"})
    cleared = c.patch(f"/api/patients/{pid}", json={"brain_injury_on": None, "reason": "wrong"})
    assert cleared.status_code == 200, cleared.text
    assert c.get(f"/api/patients/{pid}").json()["patient"]["brain_injury_on"] is None
