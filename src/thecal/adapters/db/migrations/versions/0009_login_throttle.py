"""wrong passwords counted per account, address and second person

Revision ID: 0009
Revises: 0008

A few wrong passwords are free; beyond them each failure locks the key for twice as
long as the last (services/clinic/throttle.py, policy [login]). Kept in the database so
every worker process sees the same count and a restart forgets nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
