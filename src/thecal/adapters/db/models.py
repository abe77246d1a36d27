"""The clinic's tables (SQLAlchemy 2). Times are epoch seconds UTC (floats), volumes
mL, doses mcg: the same canonical units as the core, named so.

Rows that two people may change at once carry a `version` column used by
SQLAlchemy's optimistic locking: an UPDATE that finds a different version fails with
`StaleDataError`, which the clinic reports as a conflict; nothing is overwritten.
Records of what happened (programs, sessions, refills, boluses, diary, alarms,
audit) are only ever inserted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Patient(Base):
    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mrn: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    birth_year: Mapped[int] = mapped_column(Integer)
    indication: Mapped[str] = mapped_column(String(40))  # pain | cancer-pain | spasticity
    weight_kg: Mapped[float] = mapped_column(Float)
    opioid_naive: Mapped[bool] = mapped_column(Boolean, default=False)
    sleep_apnoea: Mapped[bool] = mapped_column(Boolean, default=False)
    # a traumatic brain injury the spasticity follows, ISO date (migration 0016)
    brain_injury_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="implanted")  # candidate | trial
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Implant(Base):
    __tablename__ = "implants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    model_id: Mapped[str] = mapped_column(String(40))
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    implanted_s: Mapped[float] = mapped_column(Float)
    catheter_type: Mapped[str] = mapped_column(String(40))
    catheter_length_cm: Mapped[float] = mapped_column(Float)
    catheter_ul_per_cm: Mapped[float] = mapped_column(Float)
    tip_level: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    revised_s: Mapped[float | None] = mapped_column(Float, nullable=True)  # catheter revision
    explanted_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class LoginThrottleRow(Base):
    """Wrong passwords counted per key (services/clinic/throttle.py)."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class Pump(Base):
    """The emulated pump's firmware state, and a summary of it for the worklist.

    `state` is the frozen core state with its model and drug library taken out (they
    are restored from the catalogue and the verified library on load); `state_sha256`
    is checked on every load. The pump's own clock starts at `epoch_s`.
    """

    __tablename__ = "pumps"
    __table_args__ = (
        Index("ix_pumps_withdrawal_risk_refill_due_s", "withdrawal_risk", "refill_due_s"),
        Index("ix_pumps_eri_replacement_due_s", "eri", "replacement_due_s"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), unique=True)
    implant_id: Mapped[int] = mapped_column(ForeignKey("implants.id"))
    model_id: Mapped[str] = mapped_column(String(40))
    epoch_s: Mapped[float] = mapped_column(Float)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    state_sha256: Mapped[str] = mapped_column(String(64))
    as_of_s: Mapped[float] = mapped_column(Float)
    reservoir_estimate_ml: Mapped[float | None] = mapped_column(Float, nullable=True)
    shown: Mapped[str] = mapped_column(String(20))
    alarms: Mapped[str] = mapped_column(String(200), default="")
    eri: Mapped[bool] = mapped_column(Boolean, default=False)
    replacement_due_s: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)
    # projected from the charge left and the running program's drain (SR-31)
    end_of_service_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    refill_due_s: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)
    refill_due_reason: Mapped[str] = mapped_column(String(200), default="")
    last_refill_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    # the fluid in it is a naive pump's first fill (ziconotide keeps 14 days, not 84)
    naive_fill: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    withdrawal_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    drugs: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # advanced only by a committed change of program, fluid or implant (the gate): what
    # a screen's expected_version is compared with, so a reading never conflicts
    therapy_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ProgramVersion(Base):
    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("patient_id", "version_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    program: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(60))
    created_s: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("programming_sessions.id"), nullable=True
    )


class ProgrammingSessionRow(Base):
    __tablename__ = "programming_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    username: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))
    started_s: Mapped[float] = mapped_column(Float)
    closed_s: Mapped[float] = mapped_column(Float)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class RefillRow(Base):
    __tablename__ = "refills"
    __table_args__ = (Index("ix_refills_classification_at_s", "classification", "at_s"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    at_s: Mapped[float] = mapped_column(Float)
    expected_ml: Mapped[float | None] = mapped_column(Float, nullable=True)
    withdrawn_ml: Mapped[float | None] = mapped_column(Float, nullable=True)
    added_ml: Mapped[float] = mapped_column(Float)
    lot: Mapped[str] = mapped_column(String(40))
    classification: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    next_refill_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    username: Mapped[str] = mapped_column(String(60))
    verified_by: Mapped[str | None] = mapped_column(String(60), nullable=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class TrialRow(Base):
    __tablename__ = "trials"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    drug: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)  # open | evaluated
    started_s: Mapped[float] = mapped_column(Float)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class PathwayRow(Base):
    """The care pathway record of one patient as written (JSON), with the decision
    computed from it when it was written: what the worklist shows."""

    __tablename__ = "pathways"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    favoured: Mapped[str | None] = mapped_column(String(10), nullable=True)
    why: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(60))
    updated_s: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ScsDeviceRow(Base):
    """A spinal cord stimulator: temporary leads for a trial (with its day scores and
    outcome), or an implant. One active at a time per patient."""

    __tablename__ = "scs_devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # trial | implant
    stimulator_id: Mapped[str] = mapped_column(String(40))
    lead_id: Mapped[str] = mapped_column(String(40))
    serial: Mapped[str | None] = mapped_column(String(40), nullable=True)
    started_s: Mapped[float] = mapped_column(Float)
    ended_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean)
    baseline_nrs: Mapped[float | None] = mapped_column(Float, nullable=True)
    daily_nrs: Mapped[list[float]] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ScsProgramRow(Base):
    __tablename__ = "scs_programs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("scs_devices.id"))
    program: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(60))
    created_s: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)


class AssessmentRow(Base):
    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    at_s: Mapped[float] = mapped_column(Float)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class BolusRequestRow(Base):
    __tablename__ = "bolus_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    request_uid: Mapped[str] = mapped_column(String(64), unique=True)
    at_s: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lockout_remaining_s: Mapped[float] = mapped_column(Float, default=0.0)


class DiaryEntry(Base):
    __tablename__ = "diary"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    at_s: Mapped[float] = mapped_column(Float)
    pain_nrs: Mapped[int | None] = mapped_column(Integer, nullable=True)
    spasm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class AlarmRow(Base):
    __tablename__ = "alarms"
    __table_args__ = (Index("ix_alarms_unacknowledged", "acknowledged_s", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20))
    onset_s: Mapped[float] = mapped_column(Float)
    cleared_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(60), nullable=True)
    acknowledged_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    # the pump's alarm system (issue 26): priority at onset, silence, acknowledgement
    priority: Mapped[str | None] = mapped_column(String(12), nullable=True)
    silenced_until_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    pump_acknowledged_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class Reading(Base):
    """What the pump reported at a synchronisation: the timeline chart's points."""

    __tablename__ = "readings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    at_s: Mapped[float] = mapped_column(Float)
    reservoir_estimate_ml: Mapped[float | None] = mapped_column(Float, nullable=True)
    daily_dose_mcg: Mapped[float | None] = mapped_column(Float, nullable=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    feed_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # calendar


class AppointmentRow(Base):
    """A booked refill (services/clinic/booking.py): done, cancelled or still booked."""

    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    start_s: Mapped[float] = mapped_column(Float, index=True)
    end_s: Mapped[float] = mapped_column(Float)
    clinician: Mapped[str] = mapped_column(String(60))
    booked_by: Mapped[str] = mapped_column(String(60))
    booked_s: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(500))
    closed_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class LoginSession(Base):
    __tablename__ = "login_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    expires_s: Mapped[float] = mapped_column(Float)


class AuditRow(Base):
    """Append-only and hash-chained: `hash` = SHA-256(prev_hash + canonical row)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at_s: Mapped[float] = mapped_column(Float)
    username: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # no fork
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ReadModelVersion(Base):
    """One row: advanced by every committed unit of work (adapters/db/worklist_pages.py)."""

    __tablename__ = "read_model_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
