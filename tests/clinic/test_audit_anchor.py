"""Issue 23: the audit trail anchored outside its table. The four attacks the probe
found the hash chain alone missed - every row and the head deleted, the table
truncated with the head deleted, the newest rows cut with the head rewritten, a row
edited and every hash after it recomputed - each verify as intact without the
checkpoint, and each is caught with it. SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from thecal.adapters.db import audit
from thecal.entrypoints.cli import app


def cli(*args):
    return CliRunner().invoke(app, ["audit", *args])


@pytest.fixture
def anchored(world, tmp_path):
    key, points = tmp_path / "audit.key", tmp_path / "audit.checkpoints"
    assert cli("new-key", "--out", str(key)).exit_code == 0
    assert (key.stat().st_mode & 0o777) == 0o600
    r = cli("checkpoint", "--database", world.url, "--key", str(key), "--out", str(points))
    assert r.exit_code == 0, r.output
    return world, key, points


def _attack(world, *statements: str) -> None:
    """As someone with write access to the database would: triggers off first."""
    with world.engine.begin() as conn:
        if world.engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_no_update"))
            conn.execute(text("DROP TRIGGER audit_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
        for sql in statements:
            conn.execute(text(sql))


def _verdict(world, key, points) -> tuple[bool, str]:
    """(the chain alone says intact, what verify with the checkpoint prints)."""
    with world.db.reads() as db:
        alone = audit.verify(db).ok
    r = cli("verify", "--database", world.url, "--checkpoint", str(points), "--key", str(key))
    assert r.exit_code == 1, r.output
    return alone, r.output


def test_an_untouched_trail_verifies_against_its_checkpoint(anchored):
    world, key, points = anchored
    r = cli("verify", "--database", world.url, "--checkpoint", str(points), "--key", str(key))
    assert r.exit_code == 0 and "intact" in r.output


def test_every_row_and_the_head_deleted(anchored):
    world, key, points = anchored
    _attack(world, "DELETE FROM audit", "DELETE FROM settings WHERE key = 'audit_head'")
    alone, said = _verdict(world, key, points)
    assert alone is True  # the chain alone sees an empty, consistent trail
    assert "the table holds 0" in said


def test_the_newest_rows_cut_and_the_head_rewritten(anchored):
    world, key, points = anchored
    with world.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, hash FROM audit ORDER BY id")).all()
    keep_id, keep_hash = rows[2][0], rows[2][1]
    head = json.dumps({"hash": keep_hash, "count": 3})
    _attack(world, f"DELETE FROM audit WHERE id > {keep_id}",
            f"UPDATE settings SET value = '{head}' WHERE key = 'audit_head'")  # fmt: skip
    alone, said = _verdict(world, key, points)
    assert alone is True and "the table holds 3" in said


@pytest.mark.sr("SR-37")
def test_a_row_edited_and_the_chain_recomputed(anchored):
    world, key, points = anchored
    with world.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit ORDER BY id"))]
    rows[1]["reason"] = "nothing happened"
    prev, statements = audit.GENESIS, []
    for r in rows:
        h = audit.row_hash(prev, r["at_s"], r["username"], r["action"], r["entity"],
                           r["entity_id"], r["reason"], r["payload"])  # fmt: skip
        statements.append(f"UPDATE audit SET prev_hash = 'p{r['id']}', hash = 'h{r['id']}' "
                          f"WHERE id = {r['id']}")  # fmt: skip
        r["new"], prev = (prev, h), h
    for r in rows:
        reason = r["reason"].replace("'", "''")
        statements.append(f"UPDATE audit SET prev_hash = '{r['new'][0]}', hash = '{r['new'][1]}', "
                          f"reason = '{reason}' WHERE id = {r['id']}")  # fmt: skip
    head = json.dumps({"hash": prev, "count": len(rows)})
    statements.append(f"UPDATE settings SET value = '{head}' WHERE key = 'audit_head'")
    _attack(world, *statements)
    alone, said = _verdict(world, key, points)
    assert alone is True  # every hash recomputed: the chain alone is fooled
    assert "no longer carries the hash it had" in said


def test_a_checkpoint_under_another_key_is_refused(anchored, tmp_path):
    world, _, points = anchored
    other = tmp_path / "other.key"
    cli("new-key", "--out", str(other))
    r = cli("verify", "--database", world.url, "--checkpoint", str(points), "--key", str(other))
    assert r.exit_code == 1 and "its MAC does not match" in r.output


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite has neither
def test_postgresql_refuses_truncate_and_the_app_role_cannot_change_the_trail(world):
    with pytest.raises(Exception, match="append-only"), world.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit"))
    with world.engine.connect() as conn:
        rights = {
            p: conn.execute(text(f"SELECT has_table_privilege('thecal_app', 'audit', '{p}')"))
            .scalar()
            for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
    assert rights == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False,
                      "TRUNCATE": False}  # fmt: skip
