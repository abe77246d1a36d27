"""clinic schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at_s", sa.Float(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_prev_hash")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("indication", sa.String(length=40), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("opioid_naive", sa.Boolean(), nullable=False),
        sa.Column("sleep_apnoea", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patients_mrn")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "alarms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("onset_s", sa.Float(), nullable=False),
        sa.Column("cleared_s", sa.Float(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=60), nullable=True),
        sa.Column("acknowledged_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_alarms_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
    )
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarms_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "bolus_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("request_uid", sa.String(length=64), nullable=False),
        sa.Column("at_s", sa.Float(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("lockout_remaining_s", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_bolus_requests_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bolus_requests")),
        sa.UniqueConstraint("request_uid", name=op.f("uq_bolus_requests_request_uid")),
    )
    with op.batch_alter_table("bolus_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bolus_requests_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "diary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("at_s", sa.Float(), nullable=False),
        sa.Column("pain_nrs", sa.Integer(), nullable=True),
        sa.Column("spasm", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_diary_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary")),
    )
    with op.batch_alter_table("diary", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diary_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "implants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=40), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("implanted_s", sa.Float(), nullable=False),
        sa.Column("catheter_type", sa.String(length=40), nullable=False),
        sa.Column("catheter_length_cm", sa.Float(), nullable=False),
        sa.Column("catheter_ul_per_cm", sa.Float(), nullable=False),
        sa.Column("tip_level", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_implants_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implants")),
        sa.UniqueConstraint("serial", name=op.f("uq_implants_serial")),
    )
    with op.batch_alter_table("implants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_implants_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "programming_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_s", sa.Float(), nullable=False),
        sa.Column("closed_s", sa.Float(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_programming_sessions_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programming_sessions")),
    )
    with op.batch_alter_table("programming_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programming_sessions_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("at_s", sa.Float(), nullable=False),
        sa.Column("reservoir_estimate_ml", sa.Float(), nullable=True),
        sa.Column("daily_dose_mcg", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_readings_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readings")),
    )
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_readings_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "refills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("at_s", sa.Float(), nullable=False),
        sa.Column("expected_ml", sa.Float(), nullable=True),
        sa.Column("withdrawn_ml", sa.Float(), nullable=True),
        sa.Column("added_ml", sa.Float(), nullable=False),
        sa.Column("lot", sa.String(length=40), nullable=False),
        sa.Column("classification", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("next_refill_s", sa.Float(), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("verified_by", sa.String(length=60), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_refills_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refills")),
    )
    with op.batch_alter_table("refills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refills_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "trials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("drug", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_s", sa.Float(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_trials_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trials")),
    )
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trials_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_users_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("at_s", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_assessments_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_trial_id"), ["trial_id"], unique=False)

    op.create_table(
        "login_sessions",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("expires_s", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_login_sessions")),
    )
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("program", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_s", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_programs_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["programming_sessions.id"],
            name=op.f("fk_programs_session_id_programming_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
        sa.UniqueConstraint("patient_id", "version_no", name=op.f("uq_programs_patient_id")),
    )
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programs_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "pumps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("implant_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=40), nullable=False),
        sa.Column("epoch_s", sa.Float(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("state_sha256", sa.String(length=64), nullable=False),
        sa.Column("as_of_s", sa.Float(), nullable=False),
        sa.Column("reservoir_estimate_ml", sa.Float(), nullable=True),
        sa.Column("shown", sa.String(length=20), nullable=False),
        sa.Column("alarms", sa.String(length=200), nullable=False),
        sa.Column("eri", sa.Boolean(), nullable=False),
        sa.Column("replacement_due_s", sa.Float(), nullable=True),
        sa.Column("refill_due_s", sa.Float(), nullable=True),
        sa.Column("refill_due_reason", sa.String(length=200), nullable=False),
        sa.Column("last_refill_s", sa.Float(), nullable=True),
        sa.Column("withdrawal_risk", sa.Boolean(), nullable=False),
        sa.Column("drugs", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["implant_id"], ["implants.id"], name=op.f("fk_pumps_implant_id_implants")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_pumps_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pumps")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_pumps_patient_id")),
    )
    with op.batch_alter_table("pumps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pumps_refill_due_s"), ["refill_due_s"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pumps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pumps_refill_due_s"))

    op.drop_table("pumps")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programs_patient_id"))

    op.drop_table("programs")
    op.drop_table("login_sessions")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_trial_id"))

    op.drop_table("assessments")
    op.drop_table("users")
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trials_patient_id"))

    op.drop_table("trials")
    with op.batch_alter_table("refills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refills_patient_id"))

    op.drop_table("refills")
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_readings_patient_id"))

    op.drop_table("readings")
    with op.batch_alter_table("programming_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programming_sessions_patient_id"))

    op.drop_table("programming_sessions")
    with op.batch_alter_table("implants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_implants_patient_id"))

    op.drop_table("implants")
    with op.batch_alter_table("diary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diary_patient_id"))

    op.drop_table("diary")
    with op.batch_alter_table("bolus_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bolus_requests_patient_id"))

    op.drop_table("bolus_requests")
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alarms_patient_id"))

    op.drop_table("alarms")
    op.drop_table("settings")
    op.drop_table("patients")
    op.drop_table("audit")
