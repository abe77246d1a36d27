"""The audit trail is read back a page at a time and narrowed to a user, an action or a
patient (the page showed the newest 200 rows and the API 1000, with no way past them).
Rows are written here through `audit.append`, so the chain stays whole; on SQLite and
on PostgreSQL (the patient filter reads the canonical JSON payload)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from tests.clinic.conftest import T0
from thecal.adapters.db import audit
from thecal.adapters.db.audit_search import AuditFilter, audit_page

ROWS = (  # user, action, entity, entity id, payload
    ("nurse", "refill.record", "refill", 7, {"patient_id": 12, "added_ml": 18.0}),
    ("nurse", "refill.acknowledge", "refill", 7, {"code": "REFILL_DISCREPANCY"}),
    ("physician", "program.commit", "session", 3, {"patient_id": 1, "kind": "program"}),
    ("physician", "patient.update", "patient", 12, {"weight_kg": 70}),
    ("admin", "user.create", "user", 9, {"role": "nurse"}),
    ("physician", "program.commit", "session", 4, {"patient_id": 120}),
    ("nurse", "refill_plan.note", "refill", 8, {"kind": "50%_off"}),
)


def _write(world) -> list[int]:
    with Session(world.engine) as db, db.begin():
        rows = [audit.append(db, T0 + i, u, a, e, eid, "test", p)
                for i, (u, a, e, eid, p) in enumerate(ROWS)]  # fmt: skip
        db.flush()
        return [r.id for r in rows]


def test_rows_are_narrowed_and_paged(world):
    ids = _write(world)
    with world.db.reads() as db:

        def found(f: AuditFilter, limit: int = 50) -> list[int]:
            return [r.id for r in audit_page(db, f, limit)[0] if r.id >= ids[0]]

        # patient 12: the refill whose payload names it and the row about the patient
        # itself; not patient 1's program nor patient 120's (a number that starts alike)
        assert found(AuditFilter(patient_id=12)) == [ids[3], ids[0]]
        assert found(AuditFilter(patient_id=1)) == [ids[2]]
        assert found(AuditFilter(user="nurse")) == [ids[6], ids[1], ids[0]]
        # an action's start; "_" and "%" are letters here, not patterns
        assert found(AuditFilter(action="refill")) == [ids[6], ids[1], ids[0]]
        assert found(AuditFilter(action="refill_")) == [ids[6]]
        assert found(AuditFilter(action="refill.record")) == [ids[0]]
        assert found(AuditFilter(action="%")) == []
        assert found(AuditFilter(user="physician", action="program")) == [ids[5], ids[2]]
        # two rows a page, newest first: the next page starts before the last one shown
        first, older = audit_page(db, AuditFilter(user="nurse"), 2)
        assert [r.id for r in first] == [ids[6], ids[1]] and older == ids[1]
        rest, _ = audit_page(db, AuditFilter(user="nurse", before_id=older), 2)
        assert rest[0].id == ids[0]  # (the world's own nurse rows come after it)
        assert all(r.id < ids[0] for r in rest[1:])
        assert audit.verify(db).ok


def test_the_page_filters_says_what_is_wrong_beside_the_field_and_pages_on(sqlite_world):
    w = sqlite_world
    ids = _write(w)
    c = w.client("admin")
    page = c.get("/audit", params={"user": "nurse", "action": "refill"}).text
    shown = [int(i) for i in re.findall(r"<tr><td>(\d+)</td>", page)]
    assert [i for i in shown if i >= ids[0]] == [ids[6], ids[1], ids[0]]
    bad = c.get("/audit", params={"patient_id": "twelve", "user": "x" * 61})
    assert bad.status_code == 422
    assert 'id="audit-patient_id-error">a patient number: a whole number from 1 to' in bad.text
    assert 'id="audit-user-error">at most 60 characters<' in bad.text
    assert 'value="twelve"' in bad.text  # kept as typed
    # the API: the same filter, and the next page from the last id
    api = c.get("/api/audit", params={"user": "nurse", "limit": 2}).json()
    assert [r["id"] for r in api] == [ids[6], ids[1]]
    after = c.get("/api/audit", params={"user": "nurse", "limit": 2, "before_id": ids[1]}).json()
    assert ids[0] in [r["id"] for r in after] and ids[1] not in [r["id"] for r in after]
    assert c.get("/api/audit", params={"patient_id": 0}).status_code == 422
    assert c.get("/api/audit", params={"action": "a" * 61}).status_code == 422
