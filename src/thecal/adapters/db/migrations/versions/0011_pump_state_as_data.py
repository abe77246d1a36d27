"""the pump state stored as data: every pickled row converted to JSON once

Revision ID: 0011
Revises: 0010

Format 1 was a pickle: write access to the database was code execution in the server.
Format 2 is the state as JSON by its own type annotations (adapters/pump/state_codec.py);
the server never unpickles again. This migration reads the rows thecal itself wrote
before it (the only pickle load left) and rewrites them; downgrading keeps format 2,
which an older thecal refuses rather than misreads.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from thecal.adapters.pump.state_blob import legacy_to_document

    conn = op.get_bind()
    pumps = sa.table("pumps", sa.column("id", sa.Integer), sa.column("state", sa.LargeBinary),
                     sa.column("state_sha256", sa.String))  # fmt: skip
    for row_id, blob in conn.execute(sa.select(pumps.c.id, pumps.c.state)).all():
        converted = legacy_to_document(bytes(blob))
        if converted is not None:
            conn.execute(
                pumps.update().where(pumps.c.id == row_id)
                .values(state=converted[0], state_sha256=converted[1])
            )  # fmt: skip


def downgrade() -> None:
    pass  # format 2 stays: an older thecal refuses it (digest and header) rather than misread
