"""What the web service accepts: request bodies checked by pydantic (extra fields
refused, no NaN or infinity), then read by the same readers as the CLI files, so a
quantity is always text with a unit and every problem names its field path. The
REST API and the browser UI both read their input through here."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from thecal.adapters.db import auth as auth_db
from thecal.adapters.db.queries import PatientRecord
from thecal.adapters.schema.base import validate
from thecal.adapters.schema.program import DrugDoc, PumpProgramDoc
from thecal.adapters.schema.scs import ScsProgramDoc
from thecal.core.errors import InputError, Problem
from thecal.core.pump.program import DrugConcentration, Program
from thecal.entrypoints.web.permissions import VERIFIERS
from thecal.services.clinic.ports import Principal
from thecal.services.clinic.transactions import RefillInput


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Login(Body):
    username: str = Field(max_length=60)
    password: str = Field(max_length=200)


class Credentials(Body):
    username: str = Field(max_length=60)
    password: str = Field(max_length=200)


class PatientIn(Body):
    mrn: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=120)
    birth_year: int = Field(ge=1900, le=2100)
    indication: Literal["non_cancer", "cancer", "spasticity_spinal", "spasticity_cerebral"]
    weight_kg: float = Field(gt=0, le=400)
    opioid_naive: bool = False
    sleep_apnoea: bool = False
    reason: str = Field(min_length=1, max_length=500)


class ImplantIn(Body):
    model_id: str = Field(max_length=40)
    serial: str = Field(min_length=1, max_length=40)
    catheter_type: str = Field(max_length=40)
    catheter_length_cm: float = Field(gt=0, le=200)
    catheter_ul_per_cm: float = Field(gt=0, le=20)
    tip_level: str = Field(max_length=10)
    program: dict[str, Any]
    fill_ml: float = Field(gt=0, le=100)
    reason: str = Field(min_length=1, max_length=500)


class ProgramIn(Body):
    program: dict[str, Any]
    acknowledgements: dict[str, str] = Field(default_factory=dict)
    verifier: Credentials | None = None
    confirmed: bool = False


class ProgramCommit(ProgramIn):
    reason: str = Field(min_length=1, max_length=500)
    expected_version: int | None = None


class RefillIn(Body):
    add_ml: float = Field(gt=0, le=100)
    drugs: list[dict[str, Any]]
    entered_ml: float | None = Field(default=None, ge=0, le=100)
    program: dict[str, Any] | None = None
    lot: str = Field(min_length=1, max_length=40)


class RefillCommit(RefillIn):
    verifier: Credentials | None = None
    expected_version: int | None = None


class Acknowledge(Body):
    code: str = Field(max_length=60)
    reason: str = Field(min_length=1, max_length=500)


class Reason(Body):
    reason: str = Field(min_length=1, max_length=500)


class BolusIn(Body):
    request_id: str = Field(min_length=1, max_length=64)


class DiaryIn(Body):
    pain_nrs: int | None = Field(default=None, ge=0, le=10)
    spasm: int | None = Field(default=None, ge=0, le=10)
    note: str = Field(default="", max_length=2000)


class TrialIn(Body):
    document: dict[str, Any]


class ScsCheckIn(Body):
    program: ScsProgramDoc
    stimulator_id: str | None = Field(default=None, max_length=40)  # default: the patient's
    lead_id: str | None = Field(default=None, max_length=40)


class ScsProgramIn(Body):
    program: ScsProgramDoc
    reason: str = Field(min_length=1, max_length=500)
    confirmed: bool = False  # the clinician has checked the settings (SR-08)


class ScsDeviceIn(ScsProgramIn):
    stimulator_id: str = Field(max_length=40)
    lead_id: str = Field(max_length=40)


class ScsTrialIn(ScsDeviceIn):
    baseline_nrs: float  # its scale is checked by the use case (services.trial.SCALES)


class ScsImplantIn(ScsDeviceIn):
    serial: str = Field(min_length=1, max_length=40)


class ScsDayIn(Body):
    nrs: float  # its scale is checked by the use case (services.trial.SCALES)


class PathwayIn(Body):
    record: dict[str, Any]  # read by the pathway model (docs/schemas/pathway.schema.json)
    reason: str = Field(min_length=1, max_length=500)


class UserIn(Body):
    username: str = Field(min_length=1, max_length=60)
    full_name: str = Field(max_length=120)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["admin", "physician", "nurse", "pharmacist", "patient"]
    patient_id: int | None = None


def parse_program(doc: Any, path: str = "program") -> Program:
    program: PumpProgramDoc = validate(PumpProgramDoc, doc, "program", prefix=path)
    return program.core()


def parse_drugs(doc: Any, path: str = "drugs") -> tuple[DrugConcentration, ...]:
    drugs: list[DrugDoc] = validate(list[DrugDoc], doc, "drugs", prefix=path)
    if not drugs:
        raise InputError("invalid drugs", [Problem(path, "at least one drug")])
    return tuple(d.core() for d in drugs)


def verifier_name(request: Request, who: Principal, cred: Credentials | None) -> str | None:
    """The second person signs with their own password, here and now."""
    if cred is None:
        return None
    with request.app.state.db.reads() as db:
        user = auth_db.authenticate(db, cred.username, cred.password)
    if user is None or user.role not in VERIFIERS:
        raise InputError(
            "verification refused",
            [Problem("verifier", "unknown user, wrong password, or a role that cannot verify")],
        )
    if user.username == who.username:
        raise InputError(
            "verification refused",
            [Problem("verifier.username", "the second person must be someone else")],
        )
    return user.username


def now(request: Request) -> float:
    return float(request.app.state.clock.now())


def kept_record(request: Request, patient_id: int) -> PatientRecord:
    """The patient's record as of the data version read with this request's login
    (patient_records.py). Only for a request that writes nothing."""
    records, version = request.app.state.records, request.state.data_version
    with request.app.state.db.reads() as db:
        return records.record(db, version, patient_id)


def refill_input(body: RefillIn) -> RefillInput:
    program = parse_program(body.program) if body.program is not None else None
    return RefillInput(body.add_ml, parse_drugs(body.drugs), body.entered_ml, program, body.lot)
