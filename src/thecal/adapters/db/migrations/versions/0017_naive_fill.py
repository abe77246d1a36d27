"""whether the pump holds a naive pump's first fill

Revision ID: 0017
Revises: 0016

A drug that adsorbs to a pump it has not met keeps less long in its first fill
(ziconotide: refill within 14 days, not 84). A new pump's fill is its first; so is
a refill that brings such a drug to a pump that did not hold it. The clinic books
that refill by the shorter limit. Existing pumps are taken as past their first fill.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "pumps",
        sa.Column("naive_fill", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("pumps", "naive_fill")
