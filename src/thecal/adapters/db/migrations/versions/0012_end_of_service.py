"""the projected end of service of each pump, kept for the worklist

Revision ID: 0012
Revises: 0011

Recomputed at every write from the charge the pump reports and the daily drain of the
program it runs (issue 26, SR-31), so the worklist shows the date a raised rate brings
closer. Empty until a pump is next written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pumps") as batch:
        batch.add_column(sa.Column("end_of_service_s", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pumps") as batch:
        batch.drop_column("end_of_service_s")
