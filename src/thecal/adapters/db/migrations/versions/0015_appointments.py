"""refill appointments and each clinician's calendar feed link

Revision ID: 0015
Revises: 0014

Issue 25: a booked refill is an appointment (a time window and the clinician who will
do it), completed when the refill is recorded, cancelled with a reason, or missed and
then shown on the worklist. A clinician's calendar feed is reached by a secret link
whose SHA-256 is kept here, like a login token.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("clinician", sa.String(60), nullable=False),
        sa.Column("booked_by", sa.String(60), nullable=False),
        sa.Column("booked_s", sa.Float(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("closed_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_appointments_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index(op.f("ix_appointments_start_s"), "appointments", ["start_s"])
    op.create_index(op.f("ix_appointments_patient_id"), "appointments", ["patient_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("feed_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("feed_sha256")
    op.drop_index(op.f("ix_appointments_patient_id"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_start_s"), table_name="appointments")
    op.drop_table("appointments")
