"""The date of a brain injury through the API and the patient screen, stored on
SQLite and PostgreSQL (migration 0016); a date that is not a calendar date is named.
The clinic's clock is T0 = 2026-09-21 (conftest.py)."""

from __future__ import annotations

BASE = {"name": "Tam Injured", "birth_year": 1988, "indication": "spasticity_cerebral",
        "weight_kg": 72.0, "reason": "referred"}  # fmt: skip


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
