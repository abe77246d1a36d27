"""A FHIR Bundle of one patient (as thecal exports it) into the clinic, whole or not at
all: every resource is validated by the fhir.resources models, every problem is
listed with the resource and field it is in, and only then is anything written, in
one transaction.

The pump comes back as a new emulated pump, commissioned at the time of the pump
status Observation with the current program, the reservoir volume and the battery
charge it reported (docs/fhir.md says what that does not restore).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError
from sqlalchemy import select

from thecal.adapters.db.bootstrap import ClinicDb
from thecal.adapters.db.models import (
    AlarmRow,
    BolusRequestRow,
    DiaryEntry,
    Implant,
    Patient,
    ProgrammingSessionRow,
    ProgramVersion,
    Reading,
    RefillRow,
)
from thecal.adapters.db.pumps import new_pump_row
from thecal.adapters.fhir import codes as k
from thecal.adapters.fhir.import_rows import read_rows
from thecal.adapters.pump import EmulatedPump
from thecal.adapters.pump.links import InProcessLinks
from thecal.adapters.pump.program_codec import program_from_json
from thecal.core.errors import InputError, InvalidTransition, Problem
from thecal.core.pump import firmware
from thecal.core.therapy.catheter import catheter_volume_ml
from thecal.services.clinic.outlook import outlook
from thecal.services.clinic.ports import Principal, StoredPump


class _Reader:
    """Fields of one resource, each problem recorded with where it is."""

    def __init__(self, index: int, resource: dict[str, Any], problems: list[Problem]) -> None:
        self.r, self.problems = resource, problems
        self.where = f"entry[{index}] ({resource['resourceType']}/{resource.get('id', '?')})"

    def need(self, value: Any, field: str, what: str) -> Any:
        if value is None:
            self.problems.append(Problem(f"{self.where}.{field}", f"required: {what}"))
        return value

    def time(self, field: str) -> float:
        value = self.need(self.r.get(field), field, "a dateTime with a time zone")
        try:
            return k.clinic_time(value) if value is not None else 0.0
        except ValueError as exc:
            self.problems.append(Problem(f"{self.where}.{field}", str(exc)))
            return 0.0

    def record(self, name: str) -> Any:
        return self.need(k.ext_record(self.r, name), f"extension[{k.EXT}{name}]",
                         f"thecal's {name} record")


def _validated(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or doc.get("resourceType") != "Bundle":
        raise InputError("FHIR import refused", [Problem("resourceType", "must be 'Bundle'")])
    try:
        bundle = Bundle.model_validate(doc).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = [str(p) for p in e["loc"]]
            where = ".".join(loc)
            if len(loc) > 1 and loc[0] == "entry" and loc[1].isdigit():
                i = int(loc[1])
                res = (doc.get("entry") or [{}])[i].get("resource", {}) if i < len(
                    doc.get("entry") or []) else {}
                rest = ".".join(loc[3:]) if len(loc) > 3 else "resource"
                where = f"entry[{i}] ({res.get('resourceType', '?')}/{res.get('id', '?')}).{rest}"
            problems.append(Problem(where, e["msg"]))
        raise InputError("FHIR import refused: the bundle is not valid FHIR R4", problems) from exc
    return [e["resource"] for e in bundle.get("entry", []) if "resource" in e]


def _by_type(resources: list[dict[str, Any]]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    out: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for i, r in enumerate(resources):
        out[r["resourceType"]].append((i, r))
    return out


def import_bundle(cdb: ClinicDb, who: Principal, doc: Any, reason: str, now_s: float) -> int:
    """The new patient's id. Nothing is written unless every resource reads."""
    if not isinstance(cdb.links, InProcessLinks):
        raise InvalidTransition("FHIR import commissions an emulated pump in process; "
                                "it is not available with THECAL_PUMP_LINK=telemetry")
    groups = _by_type(_validated(doc))
    problems: list[Problem] = []
    patients = groups.get("Patient", [])
    if len(patients) != 1:
        found = f"exactly one Patient is needed, found {len(patients)}"
        raise InputError("FHIR import refused", [Problem("entry", found)])
    i, pr = patients[0]
    p = _Reader(i, pr, problems)
    mrn = p.need(next((x.get("value") for x in pr.get("identifier", [])
                       if x.get("system") == k.MRN), None), "identifier", f"an MRN ({k.MRN})")
    weight = next((r for _, r in groups.get("Observation", [])
                   if k.code_of(r.get("code")) == k.BODY_WEIGHT[0]), None)
    patient = dict(
        mrn=mrn,
        name=p.need((pr.get("name") or [{}])[0].get("text"), "name[0].text", "the name"),
        birth_year=int(str(p.need(pr.get("birthDate"), "birthDate", "a birth year") or 0)[:4]),
        indication=p.need(k.ext_value(pr, "indication", "valueCode"), "extension[indication]",
                          "the indication"),
        weight_kg=p.need(weight and weight.get("valueQuantity", {}).get("value"),
                         "Observation 29463-7", "the body weight in kg"),
        opioid_naive=bool(k.ext_value(pr, "opioid-naive", "valueBoolean")),
        sleep_apnoea=bool(k.ext_value(pr, "sleep-apnoea", "valueBoolean")),
        status=k.ext_value(pr, "therapy-status", "valueCode") or "implanted",
    )
    rows = read_rows(groups, problems, _Reader)
    if problems:
        raise InputError("FHIR import refused: nothing was imported", problems)
    with cdb.unit_of_work() as uow:
        db = uow.db
        if db.scalars(select(Patient.id).where(Patient.mrn == mrn)).first() is not None:
            raise InputError("FHIR import refused: nothing was imported",
                             [Problem(f"{p.where}.identifier", f"MRN {mrn} already exists")])
        new = Patient(**patient)
        db.add(new)
        db.flush()
        pid = new.id
        implant = rows["implant"]
        if implant is not None:
            db.add(implant := Implant(patient_id=pid, active=True, **implant))
            db.flush()
        session_ids: dict[int, int] = {}
        for s in rows["sessions"]:
            version_no = s.pop("version_no")
            db.add(row := ProgrammingSessionRow(patient_id=pid, **s))
            db.flush()
            if version_no:
                session_ids[version_no] = row.id
        for v in rows["programs"]:
            db.add(ProgramVersion(patient_id=pid, session_id=session_ids.get(v["version_no"]),
                                  **v))
        for model, items in ((RefillRow, rows["refills"]), (BolusRequestRow, rows["boluses"]),
                             (DiaryEntry, rows["diary"]), (AlarmRow, rows["alarms"]),
                             (Reading, rows["readings"])):
            for item in items:
                db.add(model(patient_id=pid, **item))
        db.flush()
        if implant is not None and rows["programs"] and rows["status"] is not None:
            _commission(cdb, uow, pid, implant, rows)
        uow.audit.append(now_s, who.username, "patient.import", "patient", pid, reason,
                         {"mrn": mrn, "resources": sum(len(g) for g in groups.values())})
        uow.commit()
        return pid


def _commission(cdb: ClinicDb, uow: Any, pid: int, implant: Implant, rows: dict[str, Any]
                ) -> None:
    model = cdb.catalogue.get(implant.model_id)
    if model is None:
        raise InputError("FHIR import refused: nothing was imported",
                         [Problem("Device.modelNumber", f"unknown pump model {implant.model_id}")])
    as_of, reservoir, battery_pct = rows["status"]
    program = program_from_json(rows["programs"][-1]["program"])
    volume = catheter_volume_ml(implant.catheter_length_cm, implant.catheter_ul_per_cm)
    state, _ = firmware.initial_state(model, cdb.library, program, reservoir, None, volume,
                                      start_s=as_of)
    if battery_pct is not None and model.battery_uah > 0:
        charge = battery_pct / 100.0 * model.battery_uah
        state = state._replace(charge_uah=charge, daily_charge_uah=(charge,))
    row = new_pump_row(pid, implant.id, model.id, state, as_of)
    committed = [r["at_s"] for r in rows["refills"] if r["status"] == "committed"]
    row.last_refill_s = max(committed) if committed else implant.implanted_s
    uow.db.add(row)
    uow.db.flush()
    pump = EmulatedPump(state)
    i = pump.interrogate(as_of)
    stored = StoredPump(pid, pump, model, as_of, row.last_refill_s, row.version, handle=row)
    uow.pumps.save(stored, i, outlook(i, model, cdb.library, cdb.policy, row.last_refill_s),
                   None, reading=False)
