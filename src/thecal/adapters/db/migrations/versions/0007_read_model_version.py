"""the read models' version: one counter every committed unit of work advances

Revision ID: 0007
Revises: 0006

A process that keeps a read model (the worklist page) compares this number with the
one it computed the model at; a write in any process changes it in the same
transaction, so no process serves a model older than the last write.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "read_model_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_model_version")),
    )
    op.bulk_insert(table, [{"id": 1, "n": 0}])


def downgrade() -> None:
    op.drop_table("read_model_version")
