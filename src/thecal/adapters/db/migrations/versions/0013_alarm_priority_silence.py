"""each alarm's priority, and its silence and acknowledgement at the pump

Revision ID: 0013
Revises: 0012

The pump's alarm system (issue 26): the IEC 60601-1-8 priority in force at onset
(alarms.toml, raised for withdrawal-critical drugs), until when its tone was silenced,
and when it was acknowledged at the pump (SR-29, SR-32). A clinician's acknowledgement
on the worklist stays in acknowledged_by / acknowledged_s.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alarms") as batch:
        batch.add_column(sa.Column("priority", sa.String(12), nullable=True))
        batch.add_column(sa.Column("silenced_until_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("pump_acknowledged_s", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alarms") as batch:
        batch.drop_column("pump_acknowledged_s")
        batch.drop_column("silenced_until_s")
        batch.drop_column("priority")
