"""A patient's record as the API answers it (GET /api/patients/{id}), as types: the
facts the dose rules read, the implant, what the pump last reported, the running
program as a document, and the refill, bolus and alarm histories.

Typed (issue 27: it was `dict[str, Any]`), so /openapi.json declares the shape and the
schemathesis fuzz test checks every answer against it.
"""

# no `from __future__ import annotations`: pydantic reads these TypedDicts at run time
from typing import Any

from typing_extensions import TypedDict

from thecal.adapters.db import queries
from thecal.adapters.db.worklist_rows import sounding_priority
from thecal.adapters.pump.program_codec import program_from_json
from thecal.adapters.scenario.program_writer import program_document


class PatientFacts(TypedDict):
    id: int
    mrn: str
    name: str
    birth_year: int
    indication: str
    weight_kg: float
    opioid_naive: bool
    sleep_apnoea: bool
    brain_injury_on: str | None  # a calendar date, YYYY-MM-DD


class ImplantFacts(TypedDict):
    model_id: str
    serial: str
    implanted_s: float
    catheter_type: str
    catheter_length_cm: float
    tip_level: str


class PumpReport(TypedDict):
    version: int
    as_of_s: float
    reservoir_estimate_ml: float | None
    state: str
    alarms: list[str]  # the codes active at the last reading
    eri: bool
    refill_due_s: float | None
    refill_due_reason: str


class RunningProgram(TypedDict):
    version_no: int
    digest: str
    document: dict[str, Any]  # the program as a scenario file writes it


class RefillListed(TypedDict):
    id: int
    at_s: float
    expected_ml: float | None
    withdrawn_ml: float | None
    added_ml: float
    lot: str
    classification: str
    status: str
    open: list[str]  # the checks still open on the refill's record


class BolusListed(TypedDict):
    at_s: float
    result: str
    reason: str | None


class AlarmListed(TypedDict):
    id: int
    code: str
    priority: str  # IEC 60601-1-8: the priority it sounded with
    onset_s: float
    cleared_s: float | None
    acknowledged_by: str | None


class PatientRecordAnswer(TypedDict):
    patient: PatientFacts
    implant: ImplantFacts | None
    pump: PumpReport | None
    program: RunningProgram | None
    refills: list[RefillListed]
    bolus_requests: list[BolusListed]
    alarms: list[AlarmListed]


def record_answer(rec: queries.PatientRecord) -> PatientRecordAnswer:
    p, pump, implant, version = rec.patient, rec.pump, rec.implant, rec.program
    return PatientRecordAnswer(
        patient=PatientFacts(
            id=p.id, mrn=p.mrn, name=p.name, birth_year=p.birth_year, indication=p.indication,
            weight_kg=p.weight_kg, opioid_naive=p.opioid_naive, sleep_apnoea=p.sleep_apnoea,
            brain_injury_on=p.brain_injury_on,
        ),
        implant=None if implant is None else ImplantFacts(
            model_id=implant.model_id, serial=implant.serial, implanted_s=implant.implanted_s,
            catheter_type=implant.catheter_type,
            catheter_length_cm=implant.catheter_length_cm, tip_level=implant.tip_level,
        ),
        pump=None if pump is None else PumpReport(
            version=pump.version, as_of_s=pump.as_of_s,
            reservoir_estimate_ml=pump.reservoir_estimate_ml, state=pump.shown,
            alarms=[a for a in pump.alarms.split(",") if a], eri=pump.eri,
            refill_due_s=pump.refill_due_s, refill_due_reason=pump.refill_due_reason,
        ),
        program=None if version is None else RunningProgram(
            version_no=version.version_no, digest=version.digest,
            document=program_document(program_from_json(version.program)),
        ),
        refills=[
            RefillListed(id=r.id, at_s=r.at_s, expected_ml=r.expected_ml,
                         withdrawn_ml=r.withdrawn_ml, added_ml=r.added_ml, lot=r.lot,
                         classification=r.classification, status=r.status,
                         open=list(r.record.get("open", [])))
            for r in rec.refills
        ],
        bolus_requests=[BolusListed(at_s=b.at_s, result=b.result, reason=b.reason)
                        for b in rec.boluses],
        alarms=[
            AlarmListed(id=a.id, code=a.code, priority=sounding_priority(a.code, a.priority),
                        onset_s=a.onset_s, cleared_s=a.cleared_s,
                        acknowledged_by=a.acknowledged_by)
            for a in rec.alarms
        ],
    )  # fmt: skip
