"""A small clinic on a real database (SQLite always, PostgreSQL at 127.0.0.1:5432),
built through the clinic's own use cases, with a clock the test moves."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from thecal.adapters.clock import FixedClock
from thecal.adapters.db.bootstrap import bootstrap
from thecal.adapters.db.demo import signed
from thecal.adapters.db.engine import downgrade, make_engine
from thecal.adapters.pump.links import InProcessLinks, PumpLinks
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.entrypoints.web import create_app
from thecal.services.clinic import ImplantInput, Principal
from thecal.services.clinic.gate import Signoff

DAY = 86_400.0
T0 = 1_790_000_000.0  # 2026-09-21 14:13 UTC
PG_URL = os.environ.get("THECAL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "test-password"
ROLES = ("admin", "physician", "nurse", "pharmacist", "patient")
SETUP = Principal(0, "test-setup", "Test setup", "admin", None, "")


def morphine(dose_mcg_per_day: float = 3000.0) -> Program:
    return Program(
        (DrugConcentration("morphine", 10_000.0),),
        (Step(0.0, dose_mcg_per_s=dose_mcg_per_day / DAY),),
        demand_bolus=DemandBolus(Amount(mcg=100.0), 600.0, 4 * 3600.0, 3),
        low_reservoir_alarm_ml=3.0,
    )


def baclofen() -> Program:
    return Program(
        (DrugConcentration("baclofen", 2000.0),),
        (Step(0.0, dose_mcg_per_s=400.0 / DAY),),
        low_reservoir_alarm_ml=4.0,
    )


# A schema of this run's own, so that two runs on one machine (a developer's and a CI
# rehearsal) never drop each other's tables: every connection of the run searches it.
RUN_SCHEMA = f"thecal_test_{os.getpid()}"
PG_RUN_URL = f"{PG_URL}?options=-csearch_path%3D{RUN_SCHEMA}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
        return
    engine = make_engine(PG_URL)
    with engine.begin() as c:  # a clean schema: what an earlier failed test left is dropped
        c.execute(text(f"DROP SCHEMA IF EXISTS {RUN_SCHEMA} CASCADE"))
        c.execute(text(f"CREATE SCHEMA {RUN_SCHEMA}"))
    yield PG_RUN_URL
    downgrade(PG_RUN_URL)
    with engine.begin() as c:
        c.execute(text(f"DROP SCHEMA IF EXISTS {RUN_SCHEMA} CASCADE"))
    engine.dispose()


class World:
    def __init__(self, url: str, links: PumpLinks = InProcessLinks()) -> None:  # noqa: B008
        self.url = url
        self.db = bootstrap(url, links)
        self.engine = self.db.engine
        self.clinic = self.db.clinic
        self.clock = FixedClock(T0)
        self.users = {}
        for role in ROLES[:-1]:
            uid = self.clinic.user_admin.add_user(
                SETUP, role, role.title(), PASSWORD, role, None, T0
            )
            self.users[role] = Principal(uid, role, role.title(), role, None, "")
        uid = self.clinic.user_admin.add_user(SETUP, "physician2", "Second Physician", PASSWORD,
                                   "physician", None, T0)  # fmt: skip
        self.users["physician2"] = Principal(uid, "physician2", "Second Physician", "physician",
                                             None, "")  # fmt: skip
        dr = self.users["physician"]
        self.a = self.clinic.care.add_patient(
            dr,
            dict(
                mrn="A1", name="Ann Able", birth_year=1960, indication="non_cancer", weight_kg=70.0,
                opioid_naive=False
            ),
            "new",
            T0,
        )
        self.b = self.clinic.care.add_patient(
            dr,
            dict(
                mrn="B2",
                name="Bo Baker",
                birth_year=1970,
                indication="spasticity_spinal",
                weight_kg=80.0, opioid_naive=False,
            ),
            "new",
            T0,
        )
        self.implant(self.a, "SN-A", morphine(), 19.0, T0)
        self.implant(self.b, "SN-B", baclofen(), 19.0, T0)
        uid = self.clinic.user_admin.add_user(
            SETUP, "patient", "Ann Able", PASSWORD, "patient", self.a, T0
        )
        self.users["patient"] = Principal(uid, "patient", "Ann Able", "patient", self.a, "")
        self.app = create_app(self.db, self.clock)

    def implanted_patient(
        self, key: str, program: Program, fill_ml: float, at_s: float, reason: str = "new"
    ) -> int:
        """A new patient (MRN and serial from `key`) with a 20 mL pump started at `at_s`."""
        dr = self.users["physician"]
        patient = dict(
            mrn=key, name=f"Patient {key}", birth_year=1960, indication="non_cancer",
            weight_kg=70.0, opioid_naive=False,
        )
        pid = self.clinic.care.add_patient(dr, patient, reason, at_s)
        self.implant(pid, f"SN-{key}", program, fill_ml, at_s, reason)
        return pid

    def implant(
        self, pid: int, serial: str, program: Program, fill_ml: float, at_s: float, reason="new"
    ) -> int:
        """A transfer in on established therapy (the new pump continues `program`),
        through the gate: reviewed, every soft finding acknowledged, the pharmacist signs,
        the review's digest confirmed."""
        dr = self.users["physician"]
        i = ImplantInput(
            "peristaltic-20", serial, "two-piece", 90.0, 2.6, "T10", program, fill_ml,
            continues=program,
        )  # fmt: skip
        review = self.clinic.devices.check_implant(dr, pid, i, Signoff(), at_s)
        return self.clinic.devices.implant(dr, pid, i, reason, self.signed(review), at_s)

    def signed(self, review, verifier: str = "pharmacist") -> Signoff:
        return signed(review, verifier, "test: reviewed", PASSWORD)

    def program(
        self,
        pid: int,
        program: Program,
        at_s: float,
        reason: str = "titrate",
        role: str = "physician",
        verifier: str = "pharmacist",
    ) -> dict:
        """A program through the gate on the service route: checked, signed, committed."""
        who = self.users[role]
        review = self.clinic.therapy.check_program(who, pid, program, Signoff(), at_s)
        sign = self.signed(review, verifier)
        return self.clinic.therapy.commit_program(
            who, pid, program, reason, sign, at_s, review.therapy_version
        )

    def refill(self, pid: int, r, at_s: float, role: str = "nurse", verifier="pharmacist"):
        """A refill through the gate on the service route."""
        who = self.users[role]
        _, review = self.clinic.therapy.plan_refill(who, pid, r, Signoff(), at_s)
        sign = self.signed(review, verifier)
        return self.clinic.therapy.record_refill(who, pid, r, sign, at_s, review.therapy_version)

    def client(self, role: str | None = None):
        from fastapi.testclient import TestClient  # here: bench/server.py imports World

        c = TestClient(self.app, raise_server_exceptions=False)
        if role is not None:
            r = c.post("/api/login", json={"username": role, "password": PASSWORD})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf"]
        return c


@pytest.fixture
def world(db_url):
    w = World(db_url)
    yield w
    w.engine.dispose()


@pytest.fixture
def sqlite_world(tmp_path):
    w = World(f"sqlite:///{tmp_path / 'clinic.db'}")
    yield w
    w.engine.dispose()


def api_signed(client, check_url: str, commit_url: str, body: dict, verifier="pharmacist",
               why: str = "test: reviewed"):  # fmt: skip
    """A change through the gate on the API route, as a clinician's screen does it: check,
    acknowledge every soft finding, the second person signs, confirm the review's digest,
    commit. Answers the commit's response."""
    review = client.post(check_url, json=body)
    assert review.status_code == 200, review.text
    r = review.json()
    signoff = {
        "acknowledgements": {f["code"]: why for f in r["findings"] if f["severity"] == "soft"},
        "verifier": {"username": verifier, "password": PASSWORD},
        "reviewed_digest": r["reviewed_digest"],
    }
    extra = {"expected_version": r["therapy_version"]} if "implants" not in commit_url else {}
    return client.post(commit_url, json={**body, **signoff, **extra})
