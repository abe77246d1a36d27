"""The database itself: migrations up and down, no lost update, the audit chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, text

from tests.clinic.conftest import DAY, T0, World, morphine
from thecal.adapters.db import audit
from thecal.adapters.db.engine import downgrade, make_engine, upgrade
from thecal.core.errors import Conflict, Refused
from thecal.services.clinic.gate import Signoff
from thecal.services.clinic.outlook import outlook

TABLES = {
    "patients",
    "implants",
    "pumps",
    "programs",
    "programming_sessions",
    "refills",
    "trials",
    "assessments",
    "bolus_requests",
    "diary",
    "alarms",
    "users",
    "login_sessions",
    "audit",
    "settings",
    "readings",
}


def test_migrations_go_up_and_down(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(db_url, "0001")  # the audit triggers go
    downgrade(db_url, "base")
    engine.dispose()
    engine = make_engine(db_url)
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(db_url)
    engine.dispose()


def test_two_people_at_once_one_wins_the_other_is_told(world):
    """Both read version v; both commit a program. Exactly one lands; the other gets
    Conflict and nothing of it is stored (no lost update)."""
    dr, dr2 = world.users["physician"], world.users["physician2"]
    reviews = {
        dose: world.clinic.therapy.check_program(dr, world.a, morphine(dose), Signoff(), T0 + DAY)
        for dose in (3300.0, 3450.0)
    }
    results: list[object] = []
    barrier = threading.Barrier(2)

    def commit(who, dose):
        barrier.wait()
        try:
            review = reviews[dose]
            world.clinic.therapy.commit_program(
                who, world.a, morphine(dose), "titrate", world.signed(review), T0 + DAY,
                review.therapy_version,
            )  # fmt: skip
            results.append("ok")
        except (Conflict, Refused) as exc:
            # Conflict: the pump row changed under it. Refused: it read the winner's
            # program and the titration rules now stop a second increase the same day.
            results.append(type(exc).__name__)

    threads = [
        threading.Thread(target=commit, args=(dr, 3300.0)),
        threading.Thread(target=commit, args=(dr2, 3450.0)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results.count("ok") == 1, results
    with world.db.reads() as db:
        n = db.execute(
            text("select count(*) from programs where patient_id = :p"), {"p": world.a}
        ).scalar()
    assert n == 2  # the implant's program and exactly one new one


def test_the_stale_writer_is_refused_even_without_a_version_on_the_screen(world):
    """Optimistic locking in the database: two units of work load the same pump row;
    the one that saves second is refused as a conflict and keeps nothing."""
    c = world.clinic

    def save(uow, stored, at_s):
        i = stored.pump.interrogate(at_s)
        uow.pumps.save(stored, i, outlook(i, stored.model, c.library, c.policy, None), None, False)
        uow.commit()

    with world.db.unit_of_work() as first:
        mine = first.pumps.get(world.a)
        with pytest.raises(Conflict), world.db.unit_of_work() as second:
            theirs = second.pumps.get(world.a)
            save(first, mine, T0 + DAY)
            save(second, theirs, T0 + 2 * DAY)
    with world.db.reads() as db:
        as_of = db.execute(
            text("select as_of_s from pumps where patient_id = :p"), {"p": world.a}
        ).scalar()
    assert as_of == pytest.approx(T0 + DAY)  # the first writer's, not the second's


def _tamper(world: World, sql: str) -> None:
    with world.engine.begin() as conn:
        if world.engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_no_update"))
            conn.execute(text("DROP TRIGGER audit_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit DISABLE TRIGGER audit_no_change"))
        conn.execute(text(sql))


def test_the_database_refuses_to_edit_the_audit_trail(world):
    with pytest.raises(Exception, match="append-only"), world.engine.begin() as conn:
        conn.execute(text("UPDATE audit SET reason = 'nothing happened' WHERE id = 2"))


def test_audit_verify_finds_an_edited_row(world):
    with world.db.reads() as db:
        assert audit.verify(db).ok
    _tamper(world, "UPDATE audit SET reason = 'nothing happened' WHERE id = 3")
    with world.db.reads() as db:
        v = audit.verify(db)
    assert not v.ok and v.problems == ("row 3: its content does not match its hash (edited)",)


def test_audit_verify_finds_a_deleted_row_and_a_cut_tail(world):
    _tamper(world, "DELETE FROM audit WHERE id = 2")
    with world.db.reads() as db:
        v = audit.verify(db)
    assert v.problems[0].startswith("row 3: does not follow the row before it")


def test_audit_verify_finds_the_newest_rows_deleted(world):
    _tamper(world, "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)")
    with world.db.reads() as db:
        v = audit.verify(db)
    assert not v.ok and "rows at the end were deleted" in v.problems[-1]


def test_the_cli_verifies_the_audit(world):
    from typer.testing import CliRunner

    from thecal.entrypoints.cli import app

    ok = CliRunner().invoke(app, ["audit", "verify", "--database", world.url])
    assert ok.exit_code == 0 and "intact" in ok.output
    _tamper(world, "UPDATE audit SET username = 'someone' WHERE id = 1")
    bad = CliRunner().invoke(app, ["audit", "verify", "--database", world.url])
    assert bad.exit_code == 1 and "row 1" in bad.output


def test_the_migration_turns_a_pickled_pump_row_into_data(world):
    """Issue 23: a row in format 1 (a pickle, as an older thecal stored it) is rewritten
    by migration 0011 as JSON and reads back the same pump."""
    import hashlib
    import pickle

    from thecal.adapters.db.engine import downgrade, upgrade
    from thecal.adapters.pump.state_blob import FORMAT, load_state

    who = world.users["physician"]
    before = world.clinic.care.interrogate(who, world.a, T0 + DAY)
    with world.engine.begin() as conn:
        blob, sha = conn.execute(
            text("SELECT state, state_sha256 FROM pumps WHERE patient_id = :p"), {"p": world.a}
        ).one()
        model = world.db.catalogue.get("peristaltic-20")
        state = load_state(bytes(blob), sha, model, world.db.library)
        legacy = b"thecal-pump-state-1\n" + pickle.dumps(
            state._replace(model=None, library=None), protocol=5
        )
        conn.execute(
            text("UPDATE pumps SET state = :b, state_sha256 = :s WHERE patient_id = :p"),
            {"b": legacy, "s": hashlib.sha256(legacy).hexdigest(), "p": world.a},
        )
    downgrade(world.url, "0010")
    upgrade(world.url)
    with world.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT state FROM pumps WHERE patient_id = :p"), {"p": world.a}
        ).scalar()
    assert bytes(stored).startswith(FORMAT)
    assert world.clinic.care.interrogate(who, world.a, T0 + DAY) == before
