"""The REST API (OpenAPI at /docs). Bodies are checked by pydantic (extra fields
refused, no NaN or infinity) and then by the same readers as the CLI files, so a
quantity is always text with a unit and every problem names its field path."""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from thecal.adapters.db import audit, queries, trials
from thecal.adapters.db import auth as auth_db
from thecal.adapters.db.auth import Principal
from thecal.adapters.db.clinic import ImplantInput, can_see
from thecal.adapters.pump.program_codec import program_from_json
from thecal.adapters.scenario.fields import Reader
from thecal.adapters.scenario.program_reader import read_drugs, read_program
from thecal.adapters.scenario.program_writer import program_document
from thecal.core.errors import InputError, Problem
from thecal.core.pump.program import DrugConcentration, Program
from thecal.entrypoints.web.permissions import VERIFIERS
from thecal.entrypoints.web.security import COOKIE, NotAuthenticated, requires
from thecal.services.clinic.transactions import RefillInput, Signoff

router = APIRouter(prefix="/api")


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


class UserIn(Body):
    username: str = Field(min_length=1, max_length=60)
    full_name: str = Field(max_length=120)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["admin", "physician", "nurse", "pharmacist", "patient"]
    patient_id: int | None = None


def parse_program(doc: Any, path: str = "program") -> Program:
    r = Reader()
    program = read_program(r, doc, path)
    if r.problems or program is None:
        raise InputError("invalid program", r.problems or [Problem(path, "no program")])
    return program


def parse_drugs(doc: Any, path: str = "drugs") -> tuple[DrugConcentration, ...]:
    r = Reader()
    drugs = read_drugs(r, doc, path)
    if r.problems:
        raise InputError("invalid drugs", r.problems)
    if not drugs:
        raise InputError("invalid drugs", [Problem(path, "at least one drug")])
    return drugs


def verifier_name(request: Request, who: Principal, cred: Credentials | None) -> str | None:
    """The second person signs with their own password, here and now."""
    if cred is None:
        return None
    clinic = request.app.state.clinic
    with clinic.sessions() as db:
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


@router.post("/login")
def login(body: Login, request: Request, response: Response) -> dict[str, Any]:
    clinic = request.app.state.clinic
    with clinic.transaction() as db:
        user = auth_db.authenticate(db, body.username, body.password)
        if user is None:
            raise NotAuthenticated("wrong username or password")
        token, csrf = auth_db.open_session(db, user, time.time())
        role, name = user.role, user.username
    set_cookie(request, response, token)
    return {"username": name, "role": role, "csrf": csrf}


def set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        max_age=int(auth_db.SESSION_TTL_S),
        path="/",
    )


@router.post("/logout")
def logout(
    request: Request, response: Response, who: Principal = Depends(requires("session.read"))
) -> dict[str, str]:
    with request.app.state.clinic.transaction() as db:
        auth_db.close_session(db, request.cookies.get(COOKIE, ""))
    response.delete_cookie(COOKIE, path="/")
    return {"status": "logged out"}


@router.get("/me")
def me(who: Principal = Depends(requires("session.read"))) -> dict[str, Any]:
    return {
        "username": who.username,
        "role": who.role,
        "patient_id": who.patient_id,
        "csrf": who.csrf,
    }


@router.get("/worklist", response_model=list[dict[str, Any]])
def worklist(
    request: Request,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=500),
    who: Principal = Depends(requires("worklist.read")),
) -> Response:
    """Most urgent first, one page; `X-Total-Count` and a `Link: rel="next"` header
    tell the rest. Plain data, so it is serialised directly (the hot endpoint)."""
    clinic = request.app.state.clinic
    with clinic.sessions() as db:
        p = queries.worklist_page(db, now(request), clinic.policy, offset, limit)
    headers = {"X-Total-Count": str(p.total)}
    if p.next_offset is not None:
        headers["Link"] = f'</api/worklist?offset={p.next_offset}&limit={limit}>; rel="next"'
    body = [{**item.__dict__, "urgency": item.urgency} for item in p.items]
    return JSONResponse(body, headers=headers)


@router.get("/patients")
def list_patients(
    request: Request, q: str = "", who: Principal = Depends(requires("patients.list"))
) -> list[dict[str, Any]]:
    with request.app.state.clinic.sessions() as db:
        return [
            {"id": p.id, "mrn": p.mrn, "name": p.name, "indication": p.indication}
            for p in queries.patients(db, q[:60])
        ]


@router.post("/patients", status_code=201)
def add_patient(
    body: PatientIn, request: Request, who: Principal = Depends(requires("patients.write"))
) -> dict[str, int]:
    data = body.model_dump(exclude={"reason"})
    return {"id": request.app.state.clinic.add_patient(who, data, body.reason, now(request))}


def record_json(rec: queries.PatientRecord) -> dict[str, Any]:
    p, pump, implant = rec.patient, rec.pump, rec.implant
    program = program_from_json(rec.program.program) if rec.program else None
    return {
        "patient": {
            "id": p.id,
            "mrn": p.mrn,
            "name": p.name,
            "birth_year": p.birth_year,
            "indication": p.indication,
            "weight_kg": p.weight_kg,
        },
        "implant": None
        if implant is None
        else {
            "model_id": implant.model_id,
            "serial": implant.serial,
            "implanted_s": implant.implanted_s,
            "catheter_type": implant.catheter_type,
            "catheter_length_cm": implant.catheter_length_cm,
            "tip_level": implant.tip_level,
        },
        "pump": None
        if pump is None
        else {
            "version": pump.version,
            "as_of_s": pump.as_of_s,
            "reservoir_estimate_ml": pump.reservoir_estimate_ml,
            "state": pump.shown,
            "alarms": [a for a in pump.alarms.split(",") if a],
            "eri": pump.eri,
            "refill_due_s": pump.refill_due_s,
            "refill_due_reason": pump.refill_due_reason,
        },
        "program": None
        if program is None
        else {
            "version_no": rec.program.version_no,  # type: ignore[union-attr]
            "digest": rec.program.digest,  # type: ignore[union-attr]
            "document": program_document(program),
        },
        "refills": [
            {
                "id": r.id,
                "at_s": r.at_s,
                "expected_ml": r.expected_ml,
                "withdrawn_ml": r.withdrawn_ml,
                "added_ml": r.added_ml,
                "lot": r.lot,
                "classification": r.classification,
                "status": r.status,
                "open": r.record.get("open", []),
            }
            for r in rec.refills
        ],
        "bolus_requests": [
            {"at_s": b.at_s, "result": b.result, "reason": b.reason} for b in rec.boluses
        ],
        "alarms": [
            {
                "id": a.id,
                "code": a.code,
                "onset_s": a.onset_s,
                "cleared_s": a.cleared_s,
                "acknowledged_by": a.acknowledged_by,
            }
            for a in rec.alarms
        ],
    }


@router.get("/patients/{patient_id}")
def get_patient(
    patient_id: int, request: Request, who: Principal = Depends(requires("patients.read"))
) -> dict[str, Any]:
    can_see(who, patient_id)
    with request.app.state.clinic.sessions() as db:
        return record_json(queries.patient_record(db, patient_id))


@router.post("/patients/{patient_id}/implants", status_code=201)
def add_implant(
    patient_id: int,
    body: ImplantIn,
    request: Request,
    who: Principal = Depends(requires("implants.write")),
) -> dict[str, int]:
    i = ImplantInput(
        body.model_id,
        body.serial,
        body.catheter_type,
        body.catheter_length_cm,
        body.catheter_ul_per_cm,
        body.tip_level,
        parse_program(body.program),
        body.fill_ml,
    )
    return {"id": request.app.state.clinic.implant(who, patient_id, i, body.reason, now(request))}


def _signoff(request: Request, who: Principal, body: ProgramIn) -> Signoff:
    return Signoff(
        dict(body.acknowledgements), verifier_name(request, who, body.verifier), body.confirmed
    )


def proposal_json(proposal: Any, blockers: list[Any], version: int) -> dict[str, Any]:
    return {
        "findings": [f.as_dict() for f in proposal.findings],
        "blockers": [f.as_dict() for f in blockers],
        "diff": [{**r.__dict__, "changed": r.changed} for r in proposal.diff],
        "doses": [r.__dict__ for r in proposal.doses],
        "needs_second_person": list(proposal.needs_second_person),
        "pump_version": version,
    }


@router.post("/patients/{patient_id}/programs/check")
def check_program(
    patient_id: int,
    body: ProgramIn,
    request: Request,
    who: Principal = Depends(requires("programs.check")),
) -> dict[str, Any]:
    program = parse_program(body.program)
    proposal, blockers, version = request.app.state.clinic.check_program(
        who, patient_id, program, _signoff(request, who, body), now(request)
    )
    return proposal_json(proposal, blockers, version)


@router.post("/patients/{patient_id}/programs")
def commit_program(
    patient_id: int,
    body: ProgramCommit,
    request: Request,
    who: Principal = Depends(requires("programs.commit")),
) -> dict[str, Any]:
    program = parse_program(body.program)
    return request.app.state.clinic.commit_program(
        who,
        patient_id,
        program,
        body.reason,
        _signoff(request, who, body),
        now(request),
        body.expected_version,
    )


def _refill(body: RefillIn) -> RefillInput:
    program = parse_program(body.program) if body.program is not None else None
    return RefillInput(body.add_ml, parse_drugs(body.drugs), body.entered_ml, program, body.lot)


@router.post("/patients/{patient_id}/refills/plan")
def plan_refill(
    patient_id: int,
    body: RefillIn,
    request: Request,
    who: Principal = Depends(requires("refills.plan")),
) -> dict[str, Any]:
    session, version = request.app.state.clinic.plan_refill(
        who, patient_id, _refill(body), now(request)
    )
    plan = session.plan
    return {
        "findings": [f.as_dict() for f in plan.all_findings],
        "expected_withdrawal_ml": plan.reconciliation.expected_withdrawal_ml,
        "volume_after_ml": plan.volume_after_ml,
        "daily_use_ml": plan.daily_use_ml,
        "next_refill_s": plan.next_refill_s,
        "next_refill_reason": plan.next_refill_reason,
        "pump_version": version,
    }


@router.post("/patients/{patient_id}/refills", status_code=201)
def record_refill(
    patient_id: int,
    body: RefillCommit,
    request: Request,
    who: Principal = Depends(requires("refills.record")),
) -> dict[str, Any]:
    refill_id, record = request.app.state.clinic.record_refill(
        who,
        patient_id,
        _refill(body),
        verifier_name(request, who, body.verifier),
        now(request),
        body.expected_version,
    )
    return {"id": refill_id, **record}


@router.post("/refills/{refill_id}/acknowledge")
def acknowledge_refill(
    refill_id: int,
    body: Acknowledge,
    request: Request,
    who: Principal = Depends(requires("refills.acknowledge")),
) -> dict[str, Any]:
    return request.app.state.clinic.acknowledge_refill(
        who, refill_id, body.code, body.reason, now(request)
    )


@router.get("/patients/{patient_id}/trials")
def list_trials(
    patient_id: int, request: Request, who: Principal = Depends(requires("trials.read"))
) -> list[Any]:
    with request.app.state.clinic.sessions() as db:
        rec = queries.patient_record(db, patient_id)
    return [
        {
            "id": t.id,
            "kind": t.kind,
            "drug": t.drug,
            "status": t.status,
            "document": t.document,
            "evaluation": t.evaluation,
        }
        for t in rec.trials
    ]


@router.post("/patients/{patient_id}/trials", status_code=201)
def start_trial(
    patient_id: int,
    body: TrialIn,
    request: Request,
    who: Principal = Depends(requires("trials.write")),
) -> dict[str, int]:
    clinic = request.app.state.clinic
    return {"id": trials.start_trial(clinic, who, patient_id, body.document, now(request))}


@router.post("/trials/{trial_id}/doses")
def trial_dose(
    trial_id: int,
    body: dict[str, Any],
    request: Request,
    who: Principal = Depends(requires("trials.write")),
) -> dict[str, Any]:
    return trials.add_dose(request.app.state.clinic, who, trial_id, body, now(request))


@router.post("/trials/{trial_id}/assessments")
def trial_assessment(
    trial_id: int,
    body: dict[str, Any],
    request: Request,
    who: Principal = Depends(requires("trials.write")),
) -> dict[str, Any]:
    return trials.add_assessment(request.app.state.clinic, who, trial_id, body, now(request))


@router.post("/trials/{trial_id}/evaluate")
def trial_evaluate(
    trial_id: int,
    request: Request,
    close: bool = False,
    who: Principal = Depends(requires("trials.write")),
) -> dict[str, Any]:
    return trials.evaluate(request.app.state.clinic, who, trial_id, now(request), close)


@router.get("/alarms")
def alarms(
    request: Request, who: Principal = Depends(requires("alarms.read"))
) -> list[dict[str, Any]]:
    with request.app.state.clinic.sessions() as db:
        rows = queries.open_alarms(db)
        return [
            {
                "id": a.id,
                "patient_id": a.patient_id,
                "code": a.code,
                "severity": a.severity,
                "onset_s": a.onset_s,
                "cleared_s": a.cleared_s,
            }
            for a in rows
        ]


@router.post("/alarms/{alarm_id}/acknowledge")
def acknowledge_alarm(
    alarm_id: int,
    body: Reason,
    request: Request,
    who: Principal = Depends(requires("alarms.acknowledge")),
) -> dict[str, str]:
    request.app.state.clinic.acknowledge_alarm(who, alarm_id, body.reason, now(request))
    return {"status": "acknowledged"}


@router.post("/patients/{patient_id}/bolus-requests")
def bolus_request(
    patient_id: int,
    body: BolusIn,
    request: Request,
    who: Principal = Depends(requires("bolus.request")),
) -> dict[str, Any]:
    answer = request.app.state.clinic.request_bolus(who, patient_id, body.request_id, now(request))
    return answer.__dict__


@router.get("/patients/{patient_id}/diary")
def diary(
    patient_id: int, request: Request, who: Principal = Depends(requires("diary.read"))
) -> list[dict[str, Any]]:
    can_see(who, patient_id)
    with request.app.state.clinic.sessions() as db:
        rec = queries.patient_record(db, patient_id)
    return [
        {"at_s": d.at_s, "pain_nrs": d.pain_nrs, "spasm": d.spasm, "note": d.note}
        for d in rec.diary
    ]


@router.post("/patients/{patient_id}/diary", status_code=201)
def add_diary(
    patient_id: int,
    body: DiaryIn,
    request: Request,
    who: Principal = Depends(requires("diary.write")),
) -> dict[str, int]:
    return {
        "id": request.app.state.clinic.add_diary(
            who, patient_id, body.pain_nrs, body.spasm, body.note, now(request)
        )
    }


@router.get("/audit")
def audit_rows(
    request: Request, limit: int = 100, who: Principal = Depends(requires("audit.read"))
) -> list[dict[str, Any]]:
    with request.app.state.clinic.sessions() as db:
        rows = queries.audit_rows(db, limit)
        return [
            {
                "id": a.id,
                "at_s": a.at_s,
                "user": a.username,
                "action": a.action,
                "entity": a.entity,
                "entity_id": a.entity_id,
                "reason": a.reason,
                "hash": a.hash,
            }
            for a in rows
        ]


@router.get("/audit/verify")
def audit_verify(
    request: Request, who: Principal = Depends(requires("audit.read"))
) -> dict[str, Any]:
    with request.app.state.clinic.sessions() as db:
        v = audit.verify(db)
    return {"ok": v.ok, "rows": v.rows, "head": v.head, "problems": list(v.problems)}


@router.get("/users")
def users(
    request: Request, who: Principal = Depends(requires("users.read"))
) -> list[dict[str, Any]]:
    with request.app.state.clinic.sessions() as db:
        return [
            {"id": u.id, "username": u.username, "role": u.role, "patient_id": u.patient_id}
            for u in queries.users(db)
        ]


@router.post("/users", status_code=201)
def add_user(
    body: UserIn, request: Request, who: Principal = Depends(requires("users.write"))
) -> dict[str, int]:
    clinic = request.app.state.clinic
    with clinic.transaction() as db:
        user = auth_db.create_user(
            db, body.username, body.full_name, body.password, body.role, body.patient_id
        )
        audit.append(
            db,
            now(request),
            who.username,
            "user.create",
            "user",
            user.id,
            "new user",
            {"username": body.username, "role": body.role},
        )
        return {"id": user.id}
