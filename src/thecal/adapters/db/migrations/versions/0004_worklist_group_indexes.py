"""indexes for the worklist's groups: (withdrawal risk, refill due) and (ERI, replacement due)

Revision ID: 0004
Revises: 0003

The worklist reads the first items of each group in due order. With an index on the
due date alone, the rare group (withdrawal risk, ERI on) was found by walking the
whole due-date index and filtering; an index led by the group column makes each
read a range scan of exactly the rows it returns.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_pumps_withdrawal_risk_refill_due_s", "pumps", ["withdrawal_risk", "refill_due_s"]),
    ("ix_pumps_eri_replacement_due_s", "pumps", ["eri", "replacement_due_s"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
