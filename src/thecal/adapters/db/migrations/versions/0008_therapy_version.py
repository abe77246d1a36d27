"""the therapy's own version, and the implant's revision and explant times

Revision ID: 0008
Revises: 0007

Optimistic locking on a screen guards the therapy - the program, the fluid, the
implant - not the pump's readings: `pumps.therapy_version` advances only when the gate
commits a change to what the pump holds or delivers, so a reading sync never
invalidates an open programming or refill screen (issue 22). The row's own `version`
still serialises concurrent writes of one transaction.

A catheter revision changes the volume the bridge and priming boluses are computed
from and is the moment a priming bolus is allowed again (`implants.revised_s`); an
explant ends an implant with its time (`implants.explanted_s`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pumps") as batch:
        batch.add_column(
            sa.Column("therapy_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("implants") as batch:
        batch.add_column(sa.Column("revised_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("explanted_s", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("implants") as batch:
        batch.drop_column("explanted_s")
        batch.drop_column("revised_s")
    with op.batch_alter_table("pumps") as batch:
        batch.drop_column("therapy_version")
