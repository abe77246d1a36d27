"""The clinic's unit of work over SQLAlchemy: one database transaction, its
repositories, and the translation of a concurrent change into `Conflict`.

Leaving the block without `commit()` rolls everything back (a check, a plan, a
refusal); an optimistic-locking miss, a SQLite writer lock or a unique clash -
raised while the block runs or at commit - becomes `Conflict` and nothing is kept.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from thecal.adapters.db.appointments import SqlAppointments
from thecal.adapters.db.models import ReadModelVersion
from thecal.adapters.db.pathway_repositories import SqlPathways, SqlStimulation
from thecal.adapters.db.pumps import SqlPumps
from thecal.adapters.db.repositories import (
    SqlAlarms,
    SqlAudit,
    SqlBoluses,
    SqlDiary,
    SqlImplants,
    SqlPatients,
    SqlPrograms,
    SqlRefills,
    SqlSessions,
    SqlThrottle,
    SqlTrials,
    SqlUsers,
)
from thecal.adapters.pump.links import InProcessLinks, PumpLinks
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import Conflict
from thecal.core.pump.models import PumpCatalogue
from thecal.services.clinic import ports


def conflict(exc: BaseException) -> Conflict | None:
    """The clinic's word for a database refusal caused by someone else's change."""
    if isinstance(exc, StaleDataError):
        return Conflict(
            "someone else changed this record at the same time: nothing was saved; "
            "reload and review"
        )
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig):
        return Conflict(  # SQLite: another writer got there first
            "someone else is changing this record: nothing was saved; reload and review"
        )
    if isinstance(exc, IntegrityError):
        return Conflict(f"{_taken(str(exc.orig))} is already in use: nothing was saved")
    return None


# what a clinician calls the unique values, found in the database's message; the
# message itself (constraint and table names) is never shown (issue 23)
_UNIQUE = (("serial", "this serial number"), ("mrn", "this MRN"), ("username", "this username"),
           ("request_id", "this request id"))  # fmt: skip


def _taken(message: str) -> str:
    lowered = message.lower()
    return next((words for key, words in _UNIQUE if key in lowered), "a value that must be unique")


class SqlUnitOfWork:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalogue: PumpCatalogue,
        library: DrugLibrary,
        links: PumpLinks = InProcessLinks(),  # noqa: B008 - frozen, shared
    ) -> None:
        self._sessions = sessions
        self._catalogue, self._library, self._links = catalogue, library, links

    def __enter__(self) -> SqlUnitOfWork:
        self.db = db = self._sessions()
        db.begin()
        self.patients: ports.PatientRepository = SqlPatients(db)
        self.implants: ports.ImplantRepository = SqlImplants(db)
        self._pumps = SqlPumps(db, self._catalogue, self._library, self._links)
        self.pumps: ports.PumpRepository = self._pumps
        self.programs: ports.ProgramRepository = SqlPrograms(db)
        self.sessions: ports.SessionRepository = SqlSessions(db)
        self.refills: ports.RefillRepository = SqlRefills(db)
        self.boluses: ports.BolusRepository = SqlBoluses(db)
        self.diary: ports.DiaryRepository = SqlDiary(db)
        self.alarms: ports.AlarmRepository = SqlAlarms(db)
        self.trials: ports.TrialRepository = SqlTrials(db)
        self.pathways: ports.PathwayRepository = SqlPathways(db)
        self.stimulation: ports.StimulatorRepository = SqlStimulation(db)
        self.users: ports.UserRepository = SqlUsers(db)
        self.appointments: ports.AppointmentRepository = SqlAppointments(db)
        self.throttle: ports.ThrottleRepository = SqlThrottle(db)
        self.audit: ports.AuditRepository = SqlAudit(db)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.db.rollback()  # nothing after a commit; everything after anything else
        finally:
            self.db.close()
            self._pumps.close()
        translated = conflict(exc) if exc is not None else None
        if translated is not None:
            raise translated from exc

    def commit(self) -> None:
        try:
            # in the same transaction: a process keeping a read model sees the new
            # number exactly when it can see the write (adapters/db/worklist_pages.py)
            self.db.execute(
                update(ReadModelVersion)
                .where(ReadModelVersion.id == 1)
                .values(n=ReadModelVersion.n + 1)
            )
            self.db.commit()
        except (StaleDataError, OperationalError, IntegrityError) as exc:
            translated = conflict(exc)
            if translated is None:
                raise
            raise translated from exc
