"""An in-memory unit of work for the clinic's use cases (cosmicpython's fake
repositories): the same ports as the SQLAlchemy one, no database, fast.

`MemoryStore` is "the database": tables as dicts and lists of immutable records.
A unit of work works on a copy of every table and puts the copy back only on
`commit()`; a pump saved by someone else since this unit loaded it refuses the
commit as `Conflict` - the optimistic locking the real database does by version.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from thecal.adapters.pump import EmulatedPump
from thecal.core.errors import Conflict, NotFound
from thecal.core.pump import firmware
from thecal.core.pump.events import STOPPING_ALARMS
from thecal.core.pump.models import PumpCatalogue, PumpModel
from thecal.core.pump.program import Program, program_digest
from thecal.core.pump.state import PumpState
from thecal.services.clinic.outlook import Outlook
from thecal.services.clinic.ports import (
    AlarmFacts,
    AppointmentFacts,
    ImplantFacts,
    ImplantInput,
    LastRefill,
    PatientFacts,
    Principal,
    RefillEntry,
    ScsDevice,
    StoredAnswer,
    StoredPump,
    TrialFacts,
    UserFacts,
)
from thecal.services.clinic.throttle import Attempts
from thecal.services.ports import DemandAnswer, Interrogation
from thecal.services.vocabulary import RefillRecord, SessionRecord, TrialVerdict

TABLES = ("patients", "implants", "pumps", "programs", "sessions", "refills", "boluses",
          "diary", "alarms", "trials", "pathways", "users", "logins", "audit",
          "readings", "stimulation", "scs_programs", "throttle", "appointments")  # fmt: skip


@dataclass(frozen=True)
class PumpRecord:
    patient_id: int
    model_id: str
    state: PumpState
    as_of_s: float
    last_refill_s: float | None
    version: int
    outlook: Outlook | None = None
    therapy_version: int = 1
    naive_fill: bool = False


@dataclass
class MemoryStore:
    tables: dict[str, dict[Any, Any]] = field(default_factory=lambda: {name: {} for name in TABLES})
    ids: Any = field(default_factory=lambda: itertools.count(1))
    commits: int = 0

    def rows(self, table: str) -> list[Any]:
        return list(self.tables[table].values())


class _Table:
    def __init__(self, uow: MemoryUnitOfWork, table: str) -> None:
        self.uow, self.table = uow, table

    @property
    def rows(self) -> dict[Any, Any]:
        return self.uow.working[self.table]

    def new_id(self) -> int:
        return int(next(self.uow.store.ids))

    def need(self, key: Any, what: str) -> Any:
        if key not in self.rows:
            raise NotFound(f"{what} {key} does not exist")
        return self.rows[key]


class MemoryPatients(_Table):
    def add(self, data: Mapping[str, Any]) -> int:
        pid = self.new_id()
        self.rows[pid] = {"id": pid, "status": "implanted", "opioid_naive": False, **data}
        return pid

    def get(self, patient_id: int) -> PatientFacts:
        p = self.need(patient_id, "patient")
        return PatientFacts(p["id"], p["indication"], p["opioid_naive"], p["status"],
                            p["birth_year"], p.get("brain_injury_on"))  # fmt: skip

    def set_status(self, patient_id: int, status: str) -> None:
        self.rows[patient_id] = {**self.need(patient_id, "patient"), "status": status}

    def update(self, patient_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
        p = self.need(patient_id, "patient")
        self.rows[patient_id] = {**p, **data}
        return {k: p.get(k) for k in data}


class MemoryImplants(_Table):
    def add(self, patient_id: int, i: ImplantInput, now_s: float) -> int:
        if any(r["input"].serial == i.serial for r in self.rows.values()):
            raise Conflict("this serial number is already in use: nothing was saved")
        implant_id = self.new_id()
        self.rows[implant_id] = {
            "patient_id": patient_id, "input": i, "at_s": now_s, "active": True,
            "catheter": (i.catheter_length_cm, i.catheter_ul_per_cm), "revised_s": None,
        }  # fmt: skip
        return implant_id

    def active(self, patient_id: int) -> ImplantFacts:
        for implant_id, r in self.rows.items():
            if r["patient_id"] == patient_id and r["active"]:
                i = r["input"]
                return ImplantFacts(
                    implant_id, i.model_id, i.serial, *r["catheter"], r["at_s"], r["revised_s"]
                )
        raise NotFound(f"patient {patient_id} has no active implant")

    def end(self, implant_id: int, now_s: float) -> None:
        self.rows[implant_id] = {**self.need(implant_id, "implant"), "active": False}

    def revise(self, implant_id: int, length_cm: float, ul_per_cm: float, now_s: float) -> None:
        r = self.need(implant_id, "implant")
        self.rows[implant_id] = {**r, "catheter": (length_cm, ul_per_cm), "revised_s": now_s}


class MemoryPumps(_Table):
    def commission(self, patient_id: int, implant: ImplantFacts, model: PumpModel,
                   program: Program, fill_ml: float, catheter_volume_ml: float,
                   now_s: float) -> None:  # fmt: skip
        state, _ = firmware.initial_state(
            model, self.uow.library, program, fill_ml, None, catheter_volume_ml, start_s=now_s
        )
        self.rows[patient_id] = PumpRecord(patient_id, model.id, state, now_s, now_s, 1)

    def get(self, patient_id: int, expected_version: int | None = None) -> StoredPump:
        r: PumpRecord = self.need(patient_id, "pump of patient")
        if expected_version is not None and r.therapy_version != expected_version:
            raise Conflict(f"the therapy was changed by someone else ({r.therapy_version})")
        model = self.uow.catalogue.get(r.model_id)
        assert model is not None
        self.uow.loaded.setdefault(patient_id, r.version)  # what this unit started from
        return StoredPump(patient_id, EmulatedPump(r.state), model, r.as_of_s,
                          r.last_refill_s, r.version, None, r.therapy_version,
                          r.naive_fill)  # fmt: skip

    def remove(self, patient_id: int) -> None:
        self.need(patient_id, "pump of patient")
        del self.rows[patient_id]

    def save(self, stored: StoredPump, interrogation: Interrogation, outlook: Outlook,
             daily_dose_mcg: float | None, reading: bool) -> None:  # fmt: skip
        pump = stored.pump
        assert isinstance(pump, EmulatedPump)
        r: PumpRecord = self.rows[stored.patient_id]
        self.rows[stored.patient_id] = replace(
            r, state=pump.state, as_of_s=outlook.as_of_s, last_refill_s=stored.last_refill_s,
            version=r.version + 1, outlook=outlook, therapy_version=stored.therapy_version,
            naive_fill=stored.naive_fill,
        )  # fmt: skip
        alarms = self.uow.working["alarms"]
        for e in pump.events:
            if e.kind == "alarm" and e.get("phase") == "onset":
                alarm_id = self.new_id()
                alarms[alarm_id] = {
                    "id": alarm_id,
                    "patient_id": stored.patient_id,
                    "code": e.get("code"),
                    "onset_s": e.t,
                    "ack": None,
                }
        pump.events.clear()
        if reading:
            self.uow.working["readings"][self.new_id()] = (outlook.as_of_s, daily_dose_mcg)


class MemoryPrograms(_Table):
    def _mine(self, patient_id: int) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if r["patient_id"] == patient_id]

    def history(self, patient_id: int) -> list[tuple[float, Program]]:
        return [(r["created_s"], r["program"]) for r in self._mine(patient_id)]

    def current_digest(self, patient_id: int) -> str | None:
        mine = self._mine(patient_id)
        return program_digest(mine[-1]["program"]) if mine else None

    def add(self, patient_id: int, program: Program, user: str, reason: str, now_s: float,
            session_id: int | None) -> int:  # fmt: skip
        row_id = self.new_id()
        self.rows[row_id] = {
            "patient_id": patient_id,
            "program": program,
            "created_s": now_s,
            "user": user,
            "reason": reason,
            "session_id": session_id,
        }
        return row_id


class MemorySessions(_Table):
    def add(self, patient_id: int, user: str, record: SessionRecord) -> int:
        row_id = self.new_id()
        self.rows[row_id] = {"patient_id": patient_id, "user": user, "record": record}
        return row_id

    def committed(self, patient_id: int) -> list[SessionRecord]:
        mine = [r["record"] for r in self.rows.values() if r["patient_id"] == patient_id
                and r["record"]["status"] == "committed"]  # fmt: skip
        return sorted(mine, key=lambda record: record["closed_s"])


class MemoryRefills(_Table):
    def last_committed(self, patient_id: int) -> LastRefill | None:
        done = [e for e in self.rows.values()
                if e.patient_id == patient_id and e.status == "committed"]  # fmt: skip
        if not done:
            return None
        last = max(done, key=lambda e: e.at_s)
        return LastRefill(last.record.get("entered_ml"), last.next_refill_s)

    def earliest_booked(self, patient_id: int) -> float | None:
        booked = sorted((e.at_s, e.next_refill_s) for e in self.rows.values()
                        if e.patient_id == patient_id and e.next_refill_s is not None)  # fmt: skip
        return booked[0][1] if booked else None

    def add(self, entry: RefillEntry) -> int:
        row_id = self.new_id()
        self.rows[row_id] = entry
        return row_id

    def record(self, refill_id: int) -> RefillRecord:
        return self.need(refill_id, "refill").record.copy()

    def set_record(self, refill_id: int, record: RefillRecord) -> None:
        self.rows[refill_id] = replace(self.need(refill_id, "refill"), record=record)


class MemoryBoluses(_Table):
    def find(self, request_id: str) -> StoredAnswer | None:
        return self.rows.get(request_id)

    def add(self, patient_id: int, answer: DemandAnswer, now_s: float) -> None:
        self.rows[answer.request_id] = StoredAnswer(patient_id, answer)


class MemoryDiary(_Table):
    def add(self, patient_id: int, at_s: float, pain_nrs: int | None, spasm: int | None,
            note: str) -> int:  # fmt: skip
        row_id = self.new_id()
        self.rows[row_id] = (patient_id, at_s, pain_nrs, spasm, note)
        return row_id


class MemoryAlarms(_Table):
    def get(self, alarm_id: int) -> AlarmFacts:
        a = self.need(alarm_id, "alarm")
        return AlarmFacts(a["id"], a["patient_id"], a["code"], a["ack"])

    def acknowledge(self, alarm_id: int, user: str, now_s: float) -> None:
        self.rows[alarm_id] = {**self.need(alarm_id, "alarm"), "ack": user}

    def delivery_stopped_since(self, patient_id: int) -> float | None:
        onsets = [a["onset_s"] for a in self.rows.values() if a["patient_id"] == patient_id
                  and a["code"] in STOPPING_ALARMS and a.get("cleared_s") is None]  # fmt: skip
        return min(onsets) if onsets else None


class MemoryTrials(_Table):
    def add(self, patient_id: int, kind: str, drug: str, document: dict[str, Any],
            now_s: float) -> int:  # fmt: skip
        trial_id = self.new_id()
        self.rows[trial_id] = TrialFacts(trial_id, patient_id, "open", document)
        return trial_id

    def get(self, trial_id: int) -> TrialFacts:
        return self.need(trial_id, "trial")  # type: ignore[no-any-return]

    def open_for(self, patient_id: int) -> list[TrialFacts]:
        return [t for _, t in sorted(self.rows.items())
                if t.patient_id == patient_id and t.status == "open"]  # fmt: skip

    def set_document(self, trial_id: int, document: dict[str, Any]) -> None:
        self.rows[trial_id] = replace(self.get(trial_id), document=document)

    def close(self, trial_id: int, evaluation: TrialVerdict) -> None:
        self.rows[trial_id] = replace(self.get(trial_id), status="evaluated")

    def add_assessment(self, trial_id: int, at_s: float, data: dict[str, Any]) -> None:
        """Kept in the trial's document; the database also indexes them by time."""


class MemoryPathways(_Table):
    def get(self, patient_id: int) -> dict[str, Any] | None:
        row = self.rows.get(patient_id)
        return dict(row["document"]) if row is not None else None

    def put(self, patient_id: int, document: dict[str, Any], stage: str, favoured: str | None,
            why: str, user: str, now_s: float) -> None:  # fmt: skip
        self.rows[patient_id] = {"document": document, "stage": stage, "favoured": favoured,
                                 "why": why, "user": user, "at_s": now_s}  # fmt: skip


class MemoryStimulation(_Table):
    def _mine(self, patient_id: int, **match: Any) -> list[ScsDevice]:
        return [d for d, _ in self.rows.values() if d.patient_id == patient_id
                and all(getattr(d, k) == v for k, v in match.items())]  # fmt: skip

    def active(self, patient_id: int) -> ScsDevice | None:
        found = [d for d, active in self.rows.values() if d.patient_id == patient_id and active]
        return found[-1] if found else None

    def last_trial(self, patient_id: int) -> ScsDevice | None:
        found = self._mine(patient_id, kind="trial")
        return found[-1] if found else None

    def add_device(self, patient_id: int, kind: str, stimulator_id: str, lead_id: str,
                   serial: str | None, baseline_nrs: float | None,
                   now_s: float) -> ScsDevice:  # fmt: skip
        device = ScsDevice(self.new_id(), patient_id, kind, stimulator_id, lead_id, serial,
                           now_s, baseline_nrs, (), None)  # fmt: skip
        self.rows[device.id] = (device, True)
        return device

    def add_day(self, device_id: int, nrs: float) -> None:
        device, active = self.rows[device_id]
        self.rows[device_id] = (replace(device, daily_nrs=(*device.daily_nrs, nrs)), active)

    def close_trial(self, device_id: int, outcome: str, now_s: float) -> None:
        device, _ = self.rows[device_id]
        self.rows[device_id] = (replace(device, outcome=outcome), False)

    def add_program(self, patient_id: int, device_id: int, program: Any, user: str,
                    reason: str, now_s: float) -> int:  # fmt: skip
        row_id = self.new_id()
        self.uow.working["scs_programs"][row_id] = (device_id, program, user, reason, now_s)
        return row_id

    def current_program(self, device_id: int) -> Any:
        mine = [p for d, p, *_ in self.uow.working["scs_programs"].values() if d == device_id]
        return mine[-1] if mine else None


class MemoryUsers(_Table):
    def authenticate(self, username: str, password: str) -> Principal | None:
        for uid, u in self.rows.items():
            if u["username"] == username and u["password"] == password and u["active"]:
                return Principal(uid, username, u["full_name"], u["role"], u["patient_id"], "")
        return None

    def open_login(self, user_id: int, now_s: float) -> tuple[str, str]:
        token = f"token-{self.new_id()}"
        self.uow.working["logins"][token] = (user_id, f"csrf-{token}")
        return token, f"csrf-{token}"

    def close_login(self, token: str) -> None:
        self.uow.working["logins"].pop(token, None)

    def add(self, username: str, full_name: str, password: str, role: str,
            patient_id: int | None) -> int:  # fmt: skip
        if any(u["username"] == username for u in self.rows.values()):
            raise Conflict("this username is already in use: nothing was saved")
        uid = self.new_id()
        self.rows[uid] = {"username": username, "full_name": full_name, "password": password,
                          "role": role, "patient_id": patient_id, "active": True}  # fmt: skip
        return uid

    def all(self) -> list[UserFacts]:
        return [self.get(uid) for uid in sorted(self.rows)]

    def get(self, user_id: int) -> UserFacts:
        u = self.need(user_id, "user")
        return UserFacts(user_id, u["username"], u["full_name"], u["role"], u["patient_id"],
                         u["active"])  # fmt: skip

    def update(self, user_id: int, *, role: str | None = None, active: bool | None = None,
               password: str | None = None) -> None:  # fmt: skip
        u = dict(self.need(user_id, "user"))
        changes = {"role": role, "active": active, "password": password}
        u.update({k: v for k, v in changes.items() if v is not None})
        self.rows[user_id] = u

    def close_logins(self, user_id: int) -> None:
        logins = self.uow.working["logins"]
        for token in [t for t, (uid, _) in logins.items() if uid == user_id]:
            del logins[token]

    def set_feed(self, user_id: int, token_sha256: str) -> None:
        self.rows[user_id] = {**self.need(user_id, "user"), "feed": token_sha256}

    def by_feed(self, token_sha256: str) -> UserFacts | None:
        for uid, u in self.rows.items():
            if u.get("feed") == token_sha256 and u["active"]:
                return self.get(uid)
        return None


class MemoryAppointments(_Table):
    def add(self, a: AppointmentFacts, booked_s: float) -> int:
        aid = self.new_id()
        self.rows[aid] = replace(a, id=aid)
        return aid

    def get(self, appointment_id: int) -> AppointmentFacts:
        a = self.need(appointment_id, "appointment")
        name = self.uow.working["patients"][a.patient_id]["name"]
        return replace(a, patient_name=name)

    def open_for(self, patient_id: int) -> AppointmentFacts | None:
        return next((a for a in self.rows.values()
                     if a.patient_id == patient_id and a.status == "booked"), None)  # fmt: skip

    def close(self, appointment_id: int, status: str, now_s: float) -> None:
        self.rows[appointment_id] = replace(self.need(appointment_id, "appointment"),
                                            status=status)  # fmt: skip

    def between(self, from_s: float, to_s: float,
                clinician: str | None = None) -> list[AppointmentFacts]:  # fmt: skip
        return [self.get(a.id) for a in sorted(self.rows.values(), key=lambda a: a.start_s)
                if from_s <= a.start_s < to_s and clinician in (None, a.clinician)]  # fmt: skip


class MemoryAudit(_Table):
    def append(self, at_s: float, user: str, action: str, entity: str, entity_id: int | str,
               reason: str, payload: Any) -> None:  # fmt: skip
        self.rows[len(self.rows)] = (at_s, user, action, entity, str(entity_id), reason, payload)


class MemoryThrottle(_Table):
    def get(self, key: str) -> Attempts | None:
        return self.rows.get(key)

    def put(self, attempts: Attempts) -> None:
        stored = self.rows.get(attempts.key)
        if (stored.failures if stored else 0) != attempts.failures - 1:
            raise Conflict("the count of wrong passwords moved: counted again")
        self.rows[attempts.key] = attempts

    def clear(self, key: str) -> None:
        self.rows.pop(key, None)

    def locked(self, now_s: float) -> list[Attempts]:
        return sorted((a for a in self.rows.values() if (a.locked_until_s or 0) > now_s),
                      key=lambda a: a.key)  # fmt: skip


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore, catalogue: PumpCatalogue, library: Any) -> None:
        self.store, self.catalogue, self.library = store, catalogue, library

    def __enter__(self) -> MemoryUnitOfWork:
        self.working = {name: dict(rows) for name, rows in self.store.tables.items()}
        self.loaded: dict[int, int] = {}  # patient -> pump version this unit read
        self.patients = MemoryPatients(self, "patients")
        self.implants = MemoryImplants(self, "implants")
        self.pumps = MemoryPumps(self, "pumps")
        self.programs = MemoryPrograms(self, "programs")
        self.sessions = MemorySessions(self, "sessions")
        self.refills = MemoryRefills(self, "refills")
        self.boluses = MemoryBoluses(self, "boluses")
        self.diary = MemoryDiary(self, "diary")
        self.alarms = MemoryAlarms(self, "alarms")
        self.trials = MemoryTrials(self, "trials")
        self.pathways = MemoryPathways(self, "pathways")
        self.stimulation = MemoryStimulation(self, "stimulation")
        self.users = MemoryUsers(self, "users")
        self.appointments = MemoryAppointments(self, "appointments")
        self.throttle = MemoryThrottle(self, "throttle")
        self.audit = MemoryAudit(self, "audit")
        return self

    def __exit__(self, *exc: object) -> None:
        self.working = {}  # uncommitted work is dropped

    def commit(self) -> None:
        pumps = self.store.tables["pumps"]
        for pid, version in self.loaded.items():
            if pid in pumps and pumps[pid].version != version:
                raise Conflict("someone else changed this record at the same time")
        self.store.tables = self.working
        self.working = {name: dict(rows) for name, rows in self.store.tables.items()}
        self.loaded = {pid: r.version for pid, r in self.store.tables["pumps"].items()}
        self.store.commits += 1
