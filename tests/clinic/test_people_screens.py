"""Issue 25: patients and accounts from the browser, on a real database (SQLite and
PostgreSQL), through the same use cases as the API. A refused form comes back with
each problem beside its field and what was typed kept (never a password); nothing is
stored. The expected problems are the rules written out by hand (PatientIn: MRN 1-32
characters, birth year 1900-2100, weight above 0 up to 400 kg; a password of at
least 10 characters)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.clinic.conftest import PASSWORD
from tests.clinic.test_form_junk import JUNK, forms
from thecal.adapters.db.models import AuditRow, Patient, User


def count(world, table) -> int:
    with world.db.reads() as db:
        return db.scalar(select(func.count()).select_from(table))


def beside(html: str, field: str, prefix: str = "f") -> str:
    """The problem shown beside a field (its aria-describedby span), or ""."""
    m = re.search(rf'id="{prefix}-{field}-error">([^<]*)<', html)
    return m.group(1) if m else ""


def test_bad_patient_form_shows_each_problem_beside_its_field_and_stores_nothing(world):
    c = world.client("nurse")
    before = count(world, Patient)
    typed = {
        "csrf": c.headers["X-CSRF-Token"],
        "mrn": "M" * 33,
        "name": "Cy Cole",
        "birth_year": "61",
        "indication": "cancer",
        "weight_kg": "-3",
        "reason": "referral",
    }
    r = c.post("/patients/new", data=typed)
    assert r.status_code == 422
    assert "32" in beside(r.text, "mrn")
    assert "1900" in beside(r.text, "birth_year")
    assert "0" in beside(r.text, "weight_kg")
    assert beside(r.text, "name") == ""
    assert 'value="Cy Cole"' in r.text and 'value="referral"' in r.text  # kept as typed
    # opioid tolerance left unanswered is asked for, not taken as "tolerant" (an unticked
    # box did that: the naive ceiling, morphine 1 mg/day, then never applied)
    assert beside(r.text, "opioid_naive") == "choose one: opioid-naive or opioid-tolerant"
    assert 'id="f-opioid_naive-yes" value="yes">' in r.text  # neither answer chosen
    assert 'id="f-opioid_naive-no" value="no">' in r.text
    assert count(world, Patient) == before


def test_a_new_patient_is_added_and_a_taken_mrn_is_shown_beside_the_mrn(world):
    c = world.client("physician")
    form = {
        "csrf": c.headers["X-CSRF-Token"],
        "mrn": "C3",
        "name": "Cy Cole",
        "birth_year": "1961",
        "indication": "cancer",
        "weight_kg": "58.5",
        "opioid_naive": "yes",
        "reason": "referred by oncology",
    }
    r = c.post("/patients/new", data=form, follow_redirects=False)
    assert r.status_code == 303
    pid = int(r.headers["location"].rsplit("/", 1)[1])
    with world.db.reads() as db:
        p = db.get(Patient, pid)
        assert (p.name, p.birth_year, p.weight_kg, p.opioid_naive, p.sleep_apnoea) == (
            "Cy Cole",
            1961,
            58.5,
            True,
            False,
        )
    again = c.post("/patients/new", data=form | {"name": "Someone Else"})
    assert again.status_code == 409
    assert "MRN is already in use" in beside(again.text, "mrn")
    assert 'value="Someone Else"' in again.text


def test_editing_a_patient_changes_the_facts_and_audits_before_and_after(world):
    c = world.client("physician")
    page = c.get(f"/patients/{world.a}/edit")
    assert page.status_code == 200 and 'value="70.0"' in page.text
    form = {
        "csrf": c.headers["X-CSRF-Token"],
        "name": "Ann Able",
        "birth_year": "1960",
        "indication": "non_cancer",
        "weight_kg": "64",
        "reason": "weighed today",
    }
    r = c.post(f"/patients/{world.a}/edit", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
    with world.db.reads() as db:
        assert db.get(Patient, world.a).weight_kg == 64.0
        row = db.scalars(select(AuditRow).order_by(AuditRow.id.desc())).first()
        assert (row.action, row.reason) == ("patient.edit", "weighed today")
        assert '"before":{"weight_kg":70.0}' in row.payload.replace(" ", "")
    none = c.post(f"/patients/{world.a}/edit", data=form)  # the same again: nothing changed
    assert none.status_code == 422 and "no field differs" in none.text


def test_admin_creates_a_nurse_who_logs_in_then_deactivates_her(world):
    admin = world.client("admin")
    csrf = admin.headers["X-CSRF-Token"]
    short = admin.post(
        "/users",
        data={
            "csrf": csrf,
            "username": "rn.new",
            "full_name": "Rita New",
            "role": "nurse",
            "password": "123456789",
        },
    )
    assert short.status_code == 422
    assert "10 to 200" in beside(short.text, "password", "new")
    assert 'value="rn.new"' in short.text and "123456789" not in short.text
    made = admin.post(
        "/users",
        data={
            "csrf": csrf,
            "username": "rn.new",
            "full_name": "Rita New",
            "role": "nurse",
            "password": "rita-temp-01",
        },
    )
    assert made.status_code == 201 and "account rn.new created" in made.text
    taken = admin.post(
        "/users",
        data={
            "csrf": csrf,
            "username": "rn.new",
            "full_name": "Other",
            "role": "nurse",
            "password": "other-temp-01",
        },
    )
    assert taken.status_code == 409 and "username is already in use" in taken.text
    rita = world.client()
    assert (
        rita.post("/api/login", json={"username": "rn.new", "password": "rita-temp-01"}).status_code
        == 200
    )
    assert rita.get("/api/me").json()["role"] == "nurse"
    with world.db.reads() as db:
        uid = db.scalar(select(User.id).where(User.username == "rn.new"))
    off = admin.post(
        f"/users/{uid}/change", data={"csrf": csrf, "active": "no", "reason": "left the clinic"}
    )
    assert off.status_code == 200 and "deactivated" in off.text
    assert rita.get("/api/me").status_code == 401  # her open login ended at once
    assert (
        rita.post("/api/login", json={"username": "rn.new", "password": "rita-temp-01"}).status_code
        == 401
    )


def test_admin_cannot_deactivate_themself_and_the_reason_is_beside_the_field(world):
    admin = world.client("admin")
    csrf = admin.headers["X-CSRF-Token"]
    me = world.users["admin"].user_id
    r = admin.post(f"/users/{me}/change", data={"csrf": csrf, "active": "no", "reason": "x"})
    assert r.status_code == 422 and "your own" in r.text
    nurse = world.users["nurse"].user_id
    r = admin.post(
        f"/users/{nurse}/change", data={"csrf": csrf, "role": "pharmacist", "reason": ""}
    )
    assert r.status_code == 422 and beside(r.text, "reason", f"u{nurse}c")
    with world.db.reads() as db:
        assert db.get(User, nurse).role == "nurse" and db.get(User, me).active


def test_a_reset_password_works_and_the_old_one_does_not(world):
    admin = world.client("admin")
    nurse = world.users["nurse"].user_id
    r = admin.post(
        f"/api/users/{nurse}/password", json={"password": "nurse-temp-77", "reason": "forgot it"}
    )
    assert r.status_code == 200, r.text
    login = world.client().post("/api/login", json={"username": "nurse", "password": PASSWORD})
    assert login.status_code == 401
    login = world.client().post(
        "/api/login", json={"username": "nurse", "password": "nurse-temp-77"}
    )
    assert login.status_code == 200
    listed = {u["username"]: u for u in admin.get("/api/users").json()}
    assert listed["nurse"]["active"] is True and "password" not in listed["nurse"]


@pytest.mark.parametrize(
    ("role", "path"),
    [("physician", "/patients/new"), ("nurse", "/patients/{a}/edit"), ("admin", "/users")],
)
def test_junk_in_every_people_form_is_a_4xx_and_stores_nothing(sqlite_world, role, path):
    w = sqlite_world
    c = w.client(role)
    page = c.get(path.format(a=w.a))
    assert page.status_code == 200
    found = forms(page.text)
    assert found
    with w.db.reads() as db:
        before = (
            list(db.execute(select(Patient.id, Patient.name, Patient.weight_kg, Patient.version))),
            list(db.execute(select(User.id, User.role, User.active, User.password_hash))),
        )
    tried = 0
    for url, fields in found:
        for name in fields:
            if name == "csrf":
                continue
            for junk in JUNK:
                r = c.post(url, data={**fields, name: junk}, follow_redirects=False)
                tried += 1
                assert r.status_code < 500, f"{url} {name}={junk[:20]!r}: {r.status_code}"
                assert r.status_code >= 400 and r.text.strip(), f"{url} {name}={junk[:20]!r}"
    assert tried > 20
    with w.db.reads() as db:
        after = (
            list(db.execute(select(Patient.id, Patient.name, Patient.weight_kg, Patient.version))),
            list(db.execute(select(User.id, User.role, User.active, User.password_hash))),
        )
    assert after == before
