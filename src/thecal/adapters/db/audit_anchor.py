"""The audit chain anchored outside the table it protects (issue 23).

The hash chain (audit.py) finds an edited or a deleted row, but someone who can write
the database can also delete every row and the recorded head, truncate the table, or
edit a row and recompute every hash after it: the chain then verifies. A checkpoint
written outside the database - the number of rows and the hash of the last one, with
an HMAC-SHA-256 under a key that is not in the database either - catches all three:
the table must still hold at least that many rows, and the row at that position must
still carry that hash. `thecal audit checkpoint` writes one (run it from cron, or
after each clinic day); `thecal audit verify --checkpoint FILE --key FILE` checks the
chain and every checkpoint in the file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db import audit
from thecal.adapters.db.models import AuditRow
from thecal.core.errors import InputError, Problem

KEY_BYTES = 32


def new_key(path: Path) -> None:
    """A fresh random key, readable by its owner only; never overwrites one."""
    if path.exists():
        raise InputError("key refused", [Problem("out", f"{path} exists: keep or move it")])
    path.write_text(secrets.token_hex(KEY_BYTES) + "\n")
    path.chmod(0o600)


def read_key(path: Path) -> bytes:
    try:
        key = bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        raise InputError("no key", [Problem("key", f"{path}: a hex key file")]) from None
    if len(key) < KEY_BYTES:
        raise InputError("no key", [Problem("key", f"{path}: at least {KEY_BYTES} bytes")])
    return key


def _mac(key: bytes, count: int, head: str, at_s: float) -> str:
    body = json.dumps([count, head, repr(float(at_s))]).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def checkpoint(db: Session, key: bytes, at_s: float) -> dict[str, Any]:
    """The chain as it stands: its length, its head, when, and their MAC. Refused if the
    chain does not verify: a checkpoint must never vouch for a tampered trail."""
    v = audit.verify(db)
    if not v.ok:
        raise InputError("checkpoint refused", [Problem("audit", p) for p in v.problems])
    return {"count": v.rows, "hash": v.head, "at_s": at_s, "mac": _mac(key, v.rows, v.head, at_s)}


def append_checkpoint(path: Path, cp: dict[str, Any]) -> None:
    with path.open("a") as f:
        f.write(json.dumps(cp, sort_keys=True) + "\n")


def check(db: Session, checkpoints: Path, key: bytes) -> list[str]:
    """Every way the table has lost what a checkpoint vouched for, in words."""
    problems = []
    hashes = list(db.scalars(select(AuditRow.hash).order_by(AuditRow.id)))
    for n, line in enumerate(checkpoints.read_text().splitlines(), start=1):
        try:
            cp = json.loads(line)
            count, head, at_s, mac = int(cp["count"]), str(cp["hash"]), cp["at_s"], cp["mac"]
        except (ValueError, KeyError, TypeError):
            problems.append(f"checkpoint {n}: unreadable")
            continue
        if not hmac.compare_digest(_mac(key, count, head, at_s), str(mac)):
            problems.append(f"checkpoint {n}: its MAC does not match (forged or another key)")
        elif len(hashes) < count:
            problems.append(
                f"checkpoint {n} vouched for {count} rows; the table holds {len(hashes)} "
                "(rows were deleted or the table truncated)"
            )
        elif count and hashes[count - 1] != head:
            problems.append(
                f"checkpoint {n}: row {count} no longer carries the hash it had "
                "(edited and the chain recomputed)"
            )
    return problems
