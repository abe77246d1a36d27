"""A small clinic on a real database (SQLite always, PostgreSQL at 127.0.0.1:5432),
built through the clinic's own use cases, with a clock the test moves."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from thecal.adapters.clock import FixedClock
from thecal.adapters.db.bootstrap import bootstrap
from thecal.adapters.db.engine import downgrade, make_engine
from thecal.adapters.pump.links import InProcessLinks, PumpLinks
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.entrypoints.web import create_app
from thecal.services.clinic import ImplantInput, Principal

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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
        return
    engine = make_engine(PG_URL)
    with engine.begin() as c:  # a clean schema: what an earlier failed run left is dropped
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield PG_URL
    downgrade(PG_URL)


class World:
    def __init__(self, url: str, links: PumpLinks = InProcessLinks()) -> None:  # noqa: B008
        self.url = url
        self.db = bootstrap(url, links)
        self.engine = self.db.engine
        self.clinic = self.db.clinic
        self.clock = FixedClock(T0)
        self.users = {}
        for role in ROLES[:-1]:
            uid = self.clinic.add_user(SETUP, role, role.title(), PASSWORD, role, None, T0)
            self.users[role] = Principal(uid, role, role.title(), role, None, "")
        self.clinic.add_user(SETUP, "physician2", "Second Physician", PASSWORD, "physician",
                             None, T0)  # fmt: skip
        dr = self.users["physician"]
        self.a = self.clinic.add_patient(
            dr,
            dict(
                mrn="A1", name="Ann Able", birth_year=1960, indication="non_cancer", weight_kg=70.0
            ),
            "new",
            T0,
        )
        self.b = self.clinic.add_patient(
            dr,
            dict(
                mrn="B2",
                name="Bo Baker",
                birth_year=1970,
                indication="spasticity_spinal",
                weight_kg=80.0,
            ),
            "new",
            T0,
        )
        self.clinic.implant(
            dr,
            self.a,
            ImplantInput("peristaltic-20", "SN-A", "two-piece", 90.0, 2.6, "T10", morphine(), 19.0),
            "implant",
            T0,
        )
        self.clinic.implant(
            dr,
            self.b,
            ImplantInput("peristaltic-20", "SN-B", "two-piece", 90.0, 2.6, "T10", baclofen(), 19.0),
            "implant",
            T0,
        )
        uid = self.clinic.add_user(SETUP, "patient", "Ann Able", PASSWORD, "patient", self.a, T0)
        self.users["patient"] = Principal(uid, "patient", "Ann Able", "patient", self.a, "")
        self.app = create_app(self.db, self.clock)

    def implanted_patient(
        self, key: str, program: Program, fill_ml: float, at_s: float, reason: str = "new"
    ) -> int:
        """A new patient (MRN and serial from `key`) with a 20 mL pump started at `at_s`."""
        dr = self.users["physician"]
        patient = dict(
            mrn=key, name=f"Patient {key}", birth_year=1960, indication="non_cancer", weight_kg=70.0
        )
        pid = self.clinic.add_patient(dr, patient, reason, at_s)
        implant = ImplantInput(
            "peristaltic-20", f"SN-{key}", "two-piece", 90.0, 2.6, "T10", program, fill_ml
        )
        self.clinic.implant(dr, pid, implant, reason, at_s)
        return pid

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
