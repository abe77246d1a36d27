"""spinal cord stimulators (trials and implants) and their programs

Revision ID: 0006
Revises: 0005

A stimulator row is a trial with temporary leads (its baseline, its day scores and
its outcome) or an implant; one is active at a time per patient. Programs are only
ever inserted, each with the device it ran on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scs_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("stimulator_id", sa.String(40), nullable=False),
        sa.Column("lead_id", sa.String(40), nullable=False),
        sa.Column("serial", sa.String(40), nullable=True),
        sa.Column("started_s", sa.Float(), nullable=False),
        sa.Column("ended_s", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("baseline_nrs", sa.Float(), nullable=True),
        sa.Column("daily_nrs", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_scs_devices_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scs_devices")),
    )
    op.create_index(op.f("ix_scs_devices_patient_id"), "scs_devices", ["patient_id"])
    op.create_table(
        "scs_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(60), nullable=False),
        sa.Column("created_s", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_scs_programs_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["scs_devices.id"], name=op.f("fk_scs_programs_device_id_scs_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scs_programs")),
    )
    op.create_index(op.f("ix_scs_programs_patient_id"), "scs_programs", ["patient_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scs_programs_patient_id"), table_name="scs_programs")
    op.drop_table("scs_programs")
    op.drop_index(op.f("ix_scs_devices_patient_id"), table_name="scs_devices")
    op.drop_table("scs_devices")
