"""the care pathway record of each patient, with the decision computed from it

Revision ID: 0005
Revises: 0004

One row per patient: the record as written (JSON), the stage the pathway decided
(evaluation, trial, implant, not a candidate), the device it favours and why. The
worklist reads the stage (indexed), never the record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pathways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("favoured", sa.String(10), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(60), nullable=False),
        sa.Column("updated_s", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_pathways_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathways")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_pathways_patient_id")),
    )
    op.create_index(op.f("ix_pathways_stage"), "pathways", ["stage"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pathways_stage"), table_name="pathways")
    op.drop_table("pathways")
