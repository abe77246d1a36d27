"""The audit trail: append-only and hash-chained (SR-37).

Each row's `hash` is SHA-256 over the previous row's hash and the row's own
canonical content. `prev_hash` is unique, so two writers can never fork the chain:
the second one's transaction fails and nothing it did is kept. The head (last hash
and row count) is kept in `settings` in the same transaction, so deleting the newest
rows is detected too. `verify` recomputes everything and names the first bad row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import AuditRow, Setting

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)


def row_hash(
    prev: str,
    at_s: float,
    user: str,
    action: str,
    entity: str,
    entity_id: str,
    reason: str,
    payload: str,
) -> str:
    body = canonical([prev, repr(float(at_s)), user, action, entity, entity_id, reason, payload])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _head(db: Session) -> tuple[Setting | None, str, int]:
    q = select(Setting).where(Setting.key == HEAD_KEY)
    if db.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()  # writers queue here instead of failing on prev_hash
    setting = db.scalars(q).first()
    if setting is None:
        return None, GENESIS, 0
    head = json.loads(setting.value)
    return setting, head["hash"], head["count"]


def append(
    db: Session,
    at_s: float,
    user: str,
    action: str,
    entity: str,
    entity_id: Any,
    reason: str,
    payload: Any,
) -> AuditRow:
    """Add one audit row in the caller's transaction: it commits or fails with the change."""
    setting, prev, count = _head(db)
    body = canonical(payload)
    h = row_hash(prev, at_s, user, action, entity, str(entity_id), reason, body)
    row = AuditRow(
        at_s=float(at_s),
        username=user,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        reason=reason,
        payload=body,
        prev_hash=prev,
        hash=h,
    )
    db.add(row)
    value = json.dumps({"hash": h, "count": count + 1})
    if setting is None:
        db.add(Setting(key=HEAD_KEY, value=value))
    else:
        setting.value = value
    db.flush()
    return row


@dataclass(frozen=True)
class Verification:
    ok: bool
    rows: int
    head: str
    problems: tuple[str, ...]


def verify(db: Session) -> Verification:
    problems: list[str] = []
    prev = GENESIS
    n = 0
    for row in db.scalars(select(AuditRow).order_by(AuditRow.id)):
        n += 1
        if row.prev_hash != prev:
            problems.append(
                f"row {row.id}: does not follow the row before it (a row was deleted or inserted)"
            )
        want = row_hash(
            row.prev_hash,
            row.at_s,
            row.username,
            row.action,
            row.entity,
            row.entity_id,
            row.reason,
            row.payload,
        )
        if want != row.hash:
            problems.append(f"row {row.id}: its content does not match its hash (edited)")
        prev = row.hash
    setting = db.scalars(select(Setting).where(Setting.key == HEAD_KEY)).first()
    if setting is not None:
        head = json.loads(setting.value)
        if head["hash"] != prev or head["count"] != n:
            problems.append(
                f"the chain ends at row {n} with {prev[:12]}…, but the recorded head is row "
                f"{head['count']} with {head['hash'][:12]}… (rows at the end were deleted)"
            )
    elif n:
        problems.append("the chain has rows but no recorded head")
    return Verification(not problems, n, prev, tuple(problems))


def count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(AuditRow)) or 0)
