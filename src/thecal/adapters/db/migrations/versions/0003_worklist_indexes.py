"""indexes the worklist's read model needs

Revision ID: 0003
Revises: 0002

The worklist reads pumps due for refill or replacement, unacknowledged critical
alarms, recent refill discrepancies and open trials; each gets an index so the page
costs a few index range scans however many patients there are.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_pumps_replacement_due_s", "pumps", ["replacement_due_s"]),
    ("ix_alarms_unacknowledged", "alarms", ["acknowledged_s", "code"]),
    ("ix_refills_classification_at_s", "refills", ["classification", "at_s"]),
    ("ix_trials_status", "trials", ["status"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
