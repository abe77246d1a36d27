"""the audit trail cannot be truncated, and the application role cannot change it

Revision ID: 0010
Revises: 0009

PostgreSQL only (SQLite has no TRUNCATE and no roles; the checkpoint outside the
database catches a deleted or rewritten trail there: adapters/db/audit_anchor.py).
A statement trigger refuses TRUNCATE as 0002's row triggers refuse UPDATE and DELETE,
and `thecal_app` - the role a deployment should connect as - holds every right on the
clinic's tables except UPDATE, DELETE and TRUNCATE on `audit` (issue 23).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ROLE = "thecal_app"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
    )
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') "
        f"THEN CREATE ROLE {ROLE} NOLOGIN; END IF; END $$"
    )
    op.execute(
        "DO $$ BEGIN "
        f"EXECUTE format('GRANT USAGE ON SCHEMA %I TO {ROLE}', current_schema()); "
        "EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I "
        f"TO {ROLE}', current_schema()); "
        "EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I "
        f"TO {ROLE}', current_schema()); END $$"
    )
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM {ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER audit_no_truncate ON audit")
    op.execute(
        "DO $$ BEGIN "
        "EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I "
        f"FROM {ROLE}', current_schema()); "
        "EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I "
        f"FROM {ROLE}', current_schema()); "
        f"EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM {ROLE}', current_schema()); END $$"
    )
