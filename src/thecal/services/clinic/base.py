"""What every clinic use case shares: its dependencies and the three steps they all
repeat - load the pump with what the programmer must know about the patient, and
store the pump as it reports itself.

Each use case is one unit of work: load, act through the programmer services, save,
audit, commit - or nothing at all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from thecal.core.drugs import DrugLibrary
from thecal.core.errors import Forbidden, InputError, Problem, TooManyAttempts
from thecal.core.pump.models import PumpCatalogue
from thecal.core.safety import Catheter, DoseChange, Policy
from thecal.core.safety import Patient as ClinicalPatient
from thecal.core.safety.titration import TemporaryDoses, with_temporaries
from thecal.core.scs.catalogue import ScsCatalogue
from thecal.core.therapy.dosing import daily_doses
from thecal.core.therapy.pathway import PathwayRecord
from thecal.core.therapy.trial import Trial
from thecal.services.clinic.failures import audited, count_failure
from thecal.services.clinic.gate import Signoff, second_person
from thecal.services.clinic.outlook import Outlook, outlook
from thecal.services.clinic.permissions import Permission, authorize
from thecal.services.clinic.ports import Principal, StoredPump, UnitOfWork
from thecal.services.clinic.throttle import seconds_locked
from thecal.services.clinic.transactions import Context
from thecal.services.ports import Interrogation
from thecal.services.vocabulary import SessionRecord

UnitOfWorkFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class Readers:
    """How the documents the clinic stores as people wrote them are read back (every
    field checked, with its path): adapters, handed in by the composition root."""

    trial: Callable[[dict[str, Any]], Trial]
    pathway: Callable[[dict[str, Any]], tuple[PathwayRecord, bool]]  # the record, cancer


def day_start_s(iso_date: str) -> float:
    """The start (UTC) of a day stored as an ISO date: a brain injury's, for instance."""
    return datetime.fromisoformat(iso_date).replace(tzinfo=UTC).timestamp()


def youngest_age_years(birth_year: int, now_s: float) -> float:
    """The youngest a patient born in `birth_year` can be at `now_s`, in whole years:
    born on 31 December of that year (the clinic records only the year)."""
    year = datetime.fromtimestamp(now_s, UTC).year
    return float(max(0, year - birth_year - 1))


def can_see(who: Principal, patient_id: int) -> None:
    """A patient sees only their own record (SR-35)."""
    if who.role == "patient" and who.patient_id != patient_id:
        raise Forbidden("a patient may see only their own record")


def need_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise InputError("a reason is required", [Problem("reason", "say why (audit trail)")])


def temporary_doses(record: SessionRecord) -> TemporaryDoses | None:
    """The daily doses a committed temporary program's session record gave (SR-36), or
    None for any other session: it is sent at the session's close, until its end."""
    until = record.get("temporary_until_s")
    if until is None:
        return None
    doses = tuple((row["drug"], float(row["after_mcg_per_day"])) for row in record["doses"]
                  if row.get("after_mcg_per_day") is not None)  # fmt: skip
    return TemporaryDoses(float(record["closed_s"]), float(until), doses)


@dataclass(frozen=True)
class Wiring:
    """What every area of the clinic is built on, handed in once by the composition
    root: the unit of work, the data the rules run on, the document readers, and real
    time for what must not speed up with a demo's clinic clock (password locks)."""

    uow: UnitOfWorkFactory
    catalogue: PumpCatalogue
    library: DrugLibrary
    policy: Policy
    readers: Readers
    scs: ScsCatalogue
    wall_clock: Callable[[], float] = time.time


class ClinicBase:
    def __init__(self, wiring: Wiring) -> None:
        self.uow = wiring.uow
        self.wall_clock = wiring.wall_clock
        self.catalogue = wiring.catalogue
        self.library = wiring.library
        self.policy = wiring.policy
        self.readers = wiring.readers
        self.scs = wiring.scs

    def _clinical(
        self, uow: UnitOfWork, patient_id: int, now_s: float
    ) -> tuple[ClinicalPatient, tuple[DoseChange, ...]]:
        """What the rules must know of the patient: the clinical flags, the youngest and
        oldest age the year of birth allows (a child gets a child's titration from the
        youngest, a looser children's range only by the oldest), and every daily dose
        the patient has had (titration windows read it)."""
        p = uow.patients.get(patient_id)
        versions = tuple(
            DoseChange(created_s, name, dose.programmed_mcg)
            for created_s, program in uow.programs.history(patient_id)
            for name, dose in daily_doses(program).items()
        )
        temporaries = [t for record in uow.sessions.committed(patient_id)
                       if (t := temporary_doses(record)) is not None]  # fmt: skip
        history = with_temporaries(versions, temporaries)
        age = youngest_age_years(p.birth_year, now_s)
        child = age < self.policy.patient.paediatric_below_years
        injured_s = day_start_s(p.brain_injury_on) if p.brain_injury_on else None
        return ClinicalPatient(indication=p.indication, opioid_naive=p.opioid_naive,
                               paediatric=child, age_years=age, oldest_age_years=age + 1,
                               brain_injury_s=injured_s), history  # fmt: skip

    def _signed_change(
        self, who: Principal, permission: Permission, reason: str, s: Signoff, now_s: float
    ) -> str | None:
        """The opening of every signed therapy change, in the gate's order: a reason,
        the role's permission, then the second person (authenticated); returns who."""
        need_reason(reason)
        authorize(who.role, permission)
        return self._second_person(who, s, now_s)

    def _second_person(self, who: Principal, s: Signoff, now_s: float) -> str | None:
        """The second person of a sign-off, authenticated in a unit of work of its own
        (so a wrong password is counted and audited although the change is refused):
        locked after a few wrong passwords like a login (throttle.py)."""
        if s.verifier is None:
            return None
        key, wall_s = f"verifier:{s.verifier.username}", self.wall_clock()
        with self.uow() as uow:
            wait = seconds_locked(uow.throttle.get(key), wall_s)
        if wait > 0:
            audited(self.uow, (now_s, who.username, "verification.locked", "user",
                               s.verifier.username, "refused while locked", {}))  # fmt: skip
            raise TooManyAttempts(
                f"too many wrong passwords for {s.verifier.username}: try again in "
                f"{math.ceil(wait)} s, or ask an admin to lift the lock", wait,
            )  # fmt: skip
        refused: InputError | None = None
        with self.uow() as uow:
            try:
                name = second_person(uow, who, s.verifier)
            except InputError as exc:
                refused = exc
            else:
                if uow.throttle.get(key) is not None:  # a right password: count from zero
                    uow.throttle.clear(key)
                    uow.commit()
                return name
        if any(p.path == "verifier" for p in refused.problems):  # not "the same person"
            count_failure(self.uow, [key], wall_s, self.policy,
                          (now_s, who.username, "verification.failed", "user",
                           s.verifier.username, "second person refused", {}))  # fmt: skip
        raise refused

    def _context(self, uow: UnitOfWork, stored: StoredPump, now_s: float) -> Context:
        patient, history = self._clinical(uow, stored.patient_id, now_s)
        implant = uow.implants.active(stored.patient_id)
        return Context(
            stored.model,
            self.library,
            self.policy,
            patient,
            Catheter(implant.catheter_length_cm, implant.catheter_ul_per_cm),
            history,
            uow.alarms.delivery_stopped_since(stored.patient_id),
        )

    def _save(
        self,
        uow: UnitOfWork,
        stored: StoredPump,
        now_s: float,
        reading: bool = True,
        interrogation: Interrogation | None = None,
    ) -> Outlook:
        """Store the pump as it reports itself now (one interrogation), with its
        worklist outlook (returned) and, for a reading, the first drug's 24 h dose."""
        i = interrogation if interrogation is not None else stored.pump.interrogate(now_s)
        o = outlook(i, stored.model, self.library, self.policy, stored.last_refill_s,
                    stored.naive_fill)  # fmt: skip
        dose = None
        if reading and i.program is not None:
            first = i.program.drugs[0].name
            doses = daily_doses(i.program)
            dose = doses[first].programmed_mcg if first in doses else None
        uow.pumps.save(stored, i, o, dose, reading)
        return o
