"""an account can be deactivated

Revision ID: 0014
Revises: 0013

User administration (issue 25): an admin deactivates an account instead of deleting
it, so the audit trail keeps naming a real account; a deactivated account cannot log
in and its open logins end at once. Existing accounts stay active.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("active")
