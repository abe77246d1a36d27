"""The clinic's unit of work and its repositories (cosmicpython's ports).

A use case opens one `UnitOfWork`, reads and writes through its repositories, and
commits; leaving the block without `commit()` keeps nothing. A concurrent change
surfaces as `Conflict` (from `commit()` or from the block), never as a silent
overwrite. The SQLAlchemy implementation is `adapters.db.uow`; an in-memory one
serves the fast service tests (`tests/services/fakes.py`).

Repositories speak in plain records and core objects, never in rows: a use case
cannot reach past them into the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from thecal.core.pump.commands import Command
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import Program
from thecal.core.scs.program import ScsProgram
from thecal.services.clinic.outlook import Outlook
from thecal.services.clinic.throttle import Attempts
from thecal.services.ports import DemandAnswer, Interrogation, PumpPort
from thecal.services.vocabulary import (
    AppointmentStatus,
    RefillRecord,
    SessionRecord,
    StimulatorKind,
    TrialVerdict,
)


@dataclass(frozen=True)
class Principal:
    """Who is acting: an authenticated user with a role (and, for a patient login,
    the one patient record it belongs to)."""

    user_id: int
    username: str
    full_name: str
    role: str
    patient_id: int | None
    csrf: str


@dataclass(frozen=True)
class ImplantInput:
    model_id: str
    serial: str
    catheter_type: str
    catheter_length_cm: float
    catheter_ul_per_cm: float | None  # None: the pump model's catheter (pumps.toml)
    tip_level: str
    program: Program
    fill_ml: float
    # the program the patient's previous pump ran, documented (a re-implant or a transfer
    # in): the new pump continues it, checked as a continuation, not as a first fill
    continues: Program | None = None
    lot: str = ""  # the first fill's lot ("": not recorded; a refill always has one)


@dataclass(frozen=True)
class PatientFacts:
    id: int
    indication: str
    opioid_naive: bool
    status: str
    birth_year: int
    brain_injury_on: str | None = None  # ISO date of a traumatic brain injury


@dataclass(frozen=True)
class ImplantFacts:
    id: int
    model_id: str
    serial: str
    catheter_length_cm: float
    catheter_ul_per_cm: float
    implanted_s: float = 0.0
    revised_s: float | None = None  # the last catheter revision


class ClinicPump(PumpPort, Protocol):
    """A pump as the clinic holds it: the programmer's port, plus the emulator-only
    fault injection used by tests and the demo."""

    def inject(self, command: Command, now_s: float) -> None: ...


@dataclass
class StoredPump:
    """A patient's pump as loaded for one unit of work. `handle` is the adapter's
    own (a row); the use case never looks inside it."""

    patient_id: int
    pump: ClinicPump
    model: PumpModel
    as_of_s: float
    last_refill_s: float | None
    version: int  # of the stored row: every save advances it
    handle: Any = None
    therapy_version: int = 1  # advanced only by the gate: what a screen's version names
    # its fluid is a naive pump's first fill: a new pump's, or a refill that brought a
    # drug with a first-fill limit it did not hold (core.therapy.refill.naive_fill)
    naive_fill: bool = False


@dataclass(frozen=True)
class LastRefill:
    entered_ml: float | None
    next_refill_s: float | None


@dataclass(frozen=True)
class RefillEntry:
    patient_id: int
    at_s: float
    expected_ml: float | None
    withdrawn_ml: float | None
    added_ml: float
    lot: str
    classification: str
    status: str
    next_refill_s: float | None
    username: str
    verified_by: str | None
    record: RefillRecord


@dataclass(frozen=True)
class StoredAnswer:
    patient_id: int
    answer: DemandAnswer


@dataclass(frozen=True)
class AlarmFacts:
    id: int
    patient_id: int
    code: str
    acknowledged_by: str | None


@dataclass(frozen=True)
class TrialFacts:
    id: int
    patient_id: int
    status: str  # open | evaluated
    document: dict[str, Any]


@dataclass(frozen=True)
class ScsDevice:
    """A stimulator: temporary leads for a trial, or an implant."""

    id: int
    patient_id: int
    kind: StimulatorKind
    stimulator_id: str
    lead_id: str
    serial: str | None
    started_s: float
    baseline_nrs: float | None  # a trial's
    daily_nrs: tuple[float, ...]  # a trial's day scores
    outcome: str | None  # a finished trial's: success | failure | incomplete


class PatientRepository(Protocol):
    def add(self, data: Mapping[str, Any]) -> int: ...
    def get(self, patient_id: int) -> PatientFacts: ...  # NotFound
    def set_status(self, patient_id: int, status: str) -> None: ...
    def update(self, patient_id: int, data: Mapping[str, Any]) -> dict[str, Any]: ...  # before


class ImplantRepository(Protocol):
    def add(self, patient_id: int, i: ImplantInput, now_s: float) -> int: ...
    def active(self, patient_id: int) -> ImplantFacts: ...  # NotFound
    def end(self, implant_id: int, now_s: float) -> None: ...  # explanted or replaced
    def revise(self, implant_id: int, length_cm: float, ul_per_cm: float, now_s: float) -> None: ...


class PumpRepository(Protocol):
    def commission(
        self,
        patient_id: int,
        implant: ImplantFacts,
        model: PumpModel,
        program: Program,
        fill_ml: float,
        catheter_volume_ml: float,
        now_s: float,
    ) -> None: ...

    def get(self, patient_id: int, expected_version: int | None = None) -> StoredPump:
        """The patient's pump; Conflict when `expected_version` is not its therapy
        version (the therapy changed since the screen was drawn; readings do not count)."""
        ...

    def remove(self, patient_id: int) -> None: ...  # explanted or replaced

    def save(
        self,
        stored: StoredPump,
        interrogation: Interrogation,
        outlook: Outlook,
        daily_dose_mcg: float | None,
        reading: bool,
    ) -> None: ...


class ProgramRepository(Protocol):
    def history(self, patient_id: int) -> list[tuple[float, Program]]: ...
    def current_digest(self, patient_id: int) -> str | None: ...
    def add(
        self,
        patient_id: int,
        program: Program,
        user: str,
        reason: str,
        now_s: float,
        session_id: int | None,
    ) -> int: ...


class SessionRepository(Protocol):
    def add(self, patient_id: int, user: str, record: SessionRecord) -> int: ...
    def committed(self, patient_id: int) -> list[SessionRecord]: ...  # oldest first


class RefillRepository(Protocol):
    def last_committed(self, patient_id: int) -> LastRefill | None: ...
    def earliest_booked(self, patient_id: int) -> float | None: ...
    def add(self, entry: RefillEntry) -> int: ...
    def record(self, refill_id: int) -> RefillRecord: ...  # NotFound
    def set_record(self, refill_id: int, record: RefillRecord) -> None: ...


class BolusRepository(Protocol):
    def find(self, request_id: str) -> StoredAnswer | None: ...
    def add(self, patient_id: int, answer: DemandAnswer, now_s: float) -> None: ...


class DiaryRepository(Protocol):
    def add(
        self, patient_id: int, at_s: float, pain_nrs: int | None, spasm: int | None, note: str
    ) -> int: ...


class AlarmRepository(Protocol):
    def get(self, alarm_id: int) -> AlarmFacts: ...  # NotFound
    def acknowledge(self, alarm_id: int, user: str, now_s: float) -> None: ...
    def delivery_stopped_since(self, patient_id: int) -> float | None:
        """The onset of the oldest open alarm during which the pump delivers nothing
        (the pump's own log), or None while it delivers."""


class TrialRepository(Protocol):
    def add(self, patient_id: int, kind: str, drug: str, document: dict[str, Any],
            now_s: float) -> int: ...  # fmt: skip
    def get(self, trial_id: int) -> TrialFacts: ...  # NotFound
    def open_for(self, patient_id: int) -> list[TrialFacts]: ...  # the open ones, oldest first
    def set_document(self, trial_id: int, document: dict[str, Any]) -> None: ...
    def close(self, trial_id: int, evaluation: TrialVerdict) -> None: ...
    def add_assessment(self, trial_id: int, at_s: float, data: dict[str, Any]) -> None: ...


class PathwayRepository(Protocol):
    def get(self, patient_id: int) -> dict[str, Any] | None: ...
    def put(self, patient_id: int, document: dict[str, Any], stage: str, favoured: str | None,
            why: str, user: str, now_s: float) -> None: ...  # fmt: skip


class StimulatorRepository(Protocol):
    def active(self, patient_id: int) -> ScsDevice | None: ...
    def last_trial(self, patient_id: int) -> ScsDevice | None: ...
    def add_device(self, patient_id: int, kind: StimulatorKind, stimulator_id: str, lead_id: str,
                   serial: str | None, baseline_nrs: float | None,
                   now_s: float) -> ScsDevice: ...  # fmt: skip
    def add_day(self, device_id: int, nrs: float) -> None: ...
    def close_trial(self, device_id: int, outcome: str, now_s: float) -> None: ...
    def add_program(self, patient_id: int, device_id: int, program: ScsProgram, user: str,
                    reason: str, now_s: float) -> int: ...  # fmt: skip
    def current_program(self, device_id: int) -> ScsProgram | None: ...


@dataclass(frozen=True)
class UserFacts:
    """A clinic account as its administrator sees it (never its password)."""

    user_id: int
    username: str
    full_name: str
    role: str
    patient_id: int | None
    active: bool


class UserRepository(Protocol):
    def authenticate(self, username: str, password: str) -> Principal | None: ...  # active only
    def open_login(self, user_id: int, now_s: float) -> tuple[str, str]: ...  # token, csrf
    def close_login(self, token: str) -> None: ...
    def add(self, username: str, full_name: str, password: str, role: str,
            patient_id: int | None) -> int: ...  # fmt: skip
    def all(self) -> list[UserFacts]: ...
    def get(self, user_id: int) -> UserFacts: ...  # NotFound
    def update(self, user_id: int, *, role: str | None = None, active: bool | None = None,
               password: str | None = None) -> None: ...  # fmt: skip
    def close_logins(self, user_id: int) -> None: ...  # every login of this user, at once
    def set_feed(self, user_id: int, token_sha256: str) -> None: ...  # calendar feed link
    def by_feed(self, token_sha256: str) -> UserFacts | None: ...  # an active user only


@dataclass(frozen=True)
class AppointmentFacts:
    """A booked refill: when, with whom, and what became of it."""

    id: int
    patient_id: int
    kind: str  # refill
    start_s: float
    end_s: float
    clinician: str  # username
    booked_by: str
    status: AppointmentStatus
    note: str
    patient_name: str = ""


class AppointmentRepository(Protocol):
    def add(self, a: AppointmentFacts, booked_s: float) -> int: ...
    def get(self, appointment_id: int) -> AppointmentFacts: ...  # NotFound
    def open_for(self, patient_id: int) -> AppointmentFacts | None: ...
    def close(self, appointment_id: int, status: AppointmentStatus, now_s: float) -> None: ...
    def between(self, from_s: float, to_s: float,
                clinician: str | None = None) -> list[AppointmentFacts]: ...  # fmt: skip


class ThrottleRepository(Protocol):
    """Wrong passwords counted per account, address and second person (throttle.py)."""

    def get(self, key: str) -> Attempts | None: ...
    # one more failure, stored only over the count it was worked out from: Conflict when
    # another failure was stored meanwhile (services/clinic/failures.py counts it again)
    def put(self, attempts: Attempts) -> None: ...
    def clear(self, key: str) -> None: ...
    def locked(self, now_s: float) -> list[Attempts]: ...


class AuditRepository(Protocol):
    def append(
        self,
        at_s: float,
        user: str,
        action: str,
        entity: str,
        entity_id: int | str,
        reason: str,
        payload: Any,
    ) -> None: ...


class UnitOfWork(Protocol):
    patients: PatientRepository
    implants: ImplantRepository
    pumps: PumpRepository
    programs: ProgramRepository
    sessions: SessionRepository
    refills: RefillRepository
    boluses: BolusRepository
    diary: DiaryRepository
    alarms: AlarmRepository
    trials: TrialRepository
    pathways: PathwayRepository
    stimulation: StimulatorRepository
    users: UserRepository
    appointments: AppointmentRepository
    throttle: ThrottleRepository
    audit: AuditRepository

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...
