"""The worklist page kept per data version and per minute of clinic time
(adapters/db/worklist_pages.py): a write in another process shows at once, the page
is the worklist at the start of the minute, and it is computed once per minute and
version, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

from tests.clinic.conftest import DAY, PASSWORD, T0, morphine
from thecal.adapters.clock import FixedClock
from thecal.adapters.db import worklist_pages
from thecal.adapters.db.auth import request_snapshot
from thecal.adapters.db.bootstrap import bootstrap
from thecal.adapters.db.patient_list import patient_page
from thecal.adapters.db.worklist_pages import read_model_version
from thecal.entrypoints.web import create_app

NOW = T0 + 30 * DAY + 59  # 1_792_592_059
MINUTE_START = 1_792_592_040.0  # 29_876_534 whole minutes: NOW is 19 s into this minute


def logged_in(app):
    from fastapi.testclient import TestClient

    c = TestClient(app)
    assert c.post("/api/login", json={"username": "nurse", "password": PASSWORD}).status_code == 200
    return c


def test_a_write_in_another_process_shows_at_once(world) -> None:
    w = world
    clock = FixedClock(NOW)
    first = logged_in(create_app(w.db, clock))
    before = first.get("/api/worklist")
    names = [item["name"] for item in before.json()]
    assert "Patient LOW" not in names
    # another worker: its own engine and its own cache, the same database
    other = bootstrap(w.url, migrate=False)
    try:
        dr = w.users["physician"]
        # 3 mL of 10 mg/mL at 3 mg/day: 0.3 mL/day, so the low alarm (2 mL) is 3 days
        # away and the refill is on the worklist within its 21-day horizon
        patient = dict(mrn="LOW", name="Patient LOW", birth_year=1950, indication="non_cancer",
                       weight_kg=60.0, opioid_naive=False)  # fmt: skip
        pid = other.clinic.care.add_patient(dr, patient, "new", NOW)
        from thecal.services.clinic import ImplantInput
        from thecal.services.clinic.gate import Signoff

        implant = ImplantInput("peristaltic-20", "SN-LOW", "two-piece", 90.0, 2.6, "T10",
                               morphine(3000.0), 3.0, continues=morphine(3000.0))  # fmt: skip
        review = other.clinic.devices.check_implant(dr, pid, implant, Signoff(), NOW)
        other.clinic.devices.implant(dr, pid, implant, "new", w.signed(review), NOW)
    finally:
        other.dispose()
    after = first.get("/api/worklist")
    assert int(after.headers["X-Total-Count"]) == int(before.headers["X-Total-Count"]) + 1
    assert "Patient LOW" in [item["name"] for item in after.json()]


def test_the_page_is_the_worklist_at_the_minute_and_computed_once(world, monkeypatch) -> None:
    w = world
    for i in range(3):
        w.implanted_patient(f"C{i}", morphine(2000.0 + 100 * i), 6.0 + i, T0 + i * DAY)
    computed: list[float] = []
    real = worklist_pages.worklist_page

    def counting(db, now_s, policy, offset, limit):
        computed.append(now_s)
        return real(db, now_s, policy, offset, limit)

    monkeypatch.setattr(worklist_pages, "worklist_page", counting)
    clock = FixedClock(NOW)
    c = logged_in(create_app(w.db, clock))
    bodies = [c.get("/api/worklist").json() for _ in range(5)]
    assert computed == [MINUTE_START]  # five requests, one computation
    with w.db.reads() as db:
        expected = real(db, MINUTE_START, w.clinic.policy, 0, 100)
    assert bodies[0] == [{**i.__dict__, "urgency": i.urgency} for i in expected.items]
    assert all(b == bodies[0] for b in bodies)
    assert c.get("/worklist").status_code == 200  # the HTML page 1: the same 100 items
    assert computed == [MINUTE_START]
    clock.advance(40)  # 59 s into the minute: still the same page
    c.get("/api/worklist")
    assert computed == [MINUTE_START]
    clock.advance(1)  # the next minute starts at NOW + 41
    c.get("/api/worklist")
    c.get("/worklist")
    assert computed[1:] == [MINUTE_START + 60]
    with w.db.reads() as db:
        version = read_model_version(db)
    w.clinic.care.sync(2, NOW + 41)  # an interrogation is a write: the page is read again
    with w.db.reads() as db:
        assert read_model_version(db) == version + 1
    c.get("/api/worklist")
    assert computed[2:] == [MINUTE_START + 60]


def test_only_a_committed_unit_of_work_advances_the_version(world) -> None:
    w = world
    with w.db.reads() as db:
        start = read_model_version(db)
    with w.db.unit_of_work() as uow:  # left without commit: nothing kept, no new version
        uow.patients.add(dict(mrn="X", name="Nobody", birth_year=1990, indication="non_cancer",
                              weight_kg=50.0))  # fmt: skip
    with w.db.reads() as db:
        assert read_model_version(db) == start
        assert patient_page(db, "Nobody").total == 0
    w.clinic.care.add_patient(w.users["physician"], dict(mrn="Y", name="Somebody", birth_year=1990,
                         indication="non_cancer", weight_kg=50.0,
                         opioid_naive=False), "new", NOW)  # fmt: skip
    with w.db.reads() as db:
        assert read_model_version(db) == start + 1


def test_requests_that_miss_together_compute_the_page_once(world, monkeypatch) -> None:
    import threading

    w = world
    computed: list[float] = []
    real = worklist_pages.worklist_page

    arrived: list[int] = []  # askers that have reached the kept pages

    def slow(db, now_s, policy, offset, limit):
        computed.append(now_s)
        deadline = time.monotonic() + 10.0
        while len(arrived) < 4 and time.monotonic() < deadline:  # all four asked while
            time.sleep(0.001)  # this one computes: the others missed and wait for it
        return real(db, now_s, policy, offset, limit)

    monkeypatch.setattr(worklist_pages, "worklist_page", slow)
    pages = worklist_pages.WorklistPages(w.clinic.policy, lambda p: str(p.total).encode())
    with w.db.reads() as db:
        version = read_model_version(db)
    got: list[worklist_pages.KeptPage] = []

    def ask() -> None:
        with w.db.reads() as db:
            arrived.append(1)
            got.append(pages.page(db, version, NOW, 0, 100))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert computed == [MINUTE_START] and len(arrived) == 4
    assert len(got) == 4 and all(k is got[0] for k in got)
    assert got[0].body == str(got[0].page.total).encode()


def test_the_login_lookup_reads_the_principal_and_the_version_in_one_statement(world) -> None:
    from sqlalchemy import event

    w = world
    # a login opens on the wall clock (a demo's fast clinic clock must not expire it):
    # held at T0 here, the session ends at T0 + 8 h
    w.clinic.accounts.wall_clock = lambda: T0
    user, token = w.clinic.accounts.login("nurse", PASSWORD, T0)
    with w.db.reads() as db:
        version = read_model_version(db)  # the login itself was a unit of work
    statements: list[str] = []

    def listen(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    event.listen(w.engine, "before_cursor_execute", listen)
    try:
        with w.db.statement_reads.connect() as c:
            who, seen = request_snapshot(c, token, T0 + 8 * 3600 - 1)
    finally:
        event.remove(w.engine, "before_cursor_execute", listen)
    assert [s.split()[0] for s in statements] == ["SELECT"]
    assert (who.username, who.role, who.full_name, who.patient_id) == ("nurse", "nurse",
                                                                        "Nurse", None)  # fmt: skip
    assert who.csrf == user.csrf and seen == version
    with w.db.statement_reads.connect() as c:
        assert request_snapshot(c, token, T0 + 8 * 3600 + 1) == (None, 0)  # expired
        assert request_snapshot(c, "not-a-token", T0) == (None, 0)
        assert request_snapshot(c, None, T0) == (None, 0)
    w.clinic.accounts.logout(token)
    with w.db.statement_reads.connect() as c:
        assert request_snapshot(c, token, T0 + 60) == (None, 0)
