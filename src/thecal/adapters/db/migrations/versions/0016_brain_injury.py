"""the date of a traumatic brain injury

Revision ID: 0016
Revises: 0015

Issue 24: baclofen's label (Gablofen) asks long-term intrathecal therapy for
spasticity after a traumatic brain injury to wait at least a year after the injury.
The clinic records the date (ISO, YYYY-MM-DD) where the spasticity follows one; an
existing patient has none recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


# a plain ADD/DROP COLUMN on both backends: SQLite's batch mode would copy and drop
# `patients`, which every other table references (foreign keys are on)
def upgrade() -> None:
    op.add_column("patients", sa.Column("brain_injury_on", sa.String(10), nullable=True))


def downgrade() -> None:
    op.drop_column("patients", "brain_injury_on")
