"""The REST API (OpenAPI at /docs): login, the worklist, patients and implants,
users and the audit trail. The therapy routes (programs, refills, trials, alarms,
boluses, diary) are in api_therapy.py; request bodies in inputs.py."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from thecal.adapters.db import audit
from thecal.adapters.db.audit_search import AuditFilter, audit_page
from thecal.adapters.db.patient_list import patient_page
from thecal.adapters.db.queries import Page
from thecal.adapters.db.worklist_pages import KeptPage
from thecal.entrypoints.web.answers import (
    AuditCheck,
    AuditListed,
    LockHeld,
    Me,
    PatientListed,
    SessionAnswer,
    UserListed,
    WorkItemAnswer,
)
from thecal.entrypoints.web.audit_form import AUDIT_LENGTH
from thecal.entrypoints.web.errors import ERROR_RESPONSES
from thecal.entrypoints.web.guards import MAX_ID, Id
from thecal.entrypoints.web.inputs import (
    LockLift,
    Login,
    PasswordReset,
    PatientEdit,
    PatientIn,
    UserChange,
    UserIn,
    kept_record,
    now,
)
from thecal.entrypoints.web.record_answer import PatientRecordAnswer, record_answer
from thecal.entrypoints.web.seam import clinic_of
from thecal.entrypoints.web.security import (
    COOKIE,
    NotAuthenticated,
    requires,
    set_cookie,
    sign_in,
)
from thecal.services.clinic import can_see
from thecal.services.clinic.ports import Principal

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)


@router.post("/login")
async def login(body: Login, request: Request, response: Response) -> SessionAnswer:
    opened = await sign_in(request, body.username, body.password)
    if opened is None:
        raise NotAuthenticated("wrong username or password")
    user, token = opened
    set_cookie(request, response, token)
    return SessionAnswer(username=user.username, role=user.role, csrf=user.csrf)


@router.get("/locks")
def locks(
    request: Request, who: Principal = Depends(requires("users.read"))
) -> list[LockHeld]:
    """Accounts, addresses and second persons locked after wrong passwords."""
    return [
        LockHeld(key=a.key, failures=a.failures, locked_until_s=a.locked_until_s)
        for a in clinic_of(request).accounts.locks(who)
    ]


@router.post("/locks/lift")
def lift_lock(
    body: LockLift, request: Request, who: Principal = Depends(requires("users.write"))
) -> dict[str, str]:
    clinic_of(request).accounts.lift_lock(who, body.key, body.reason, now(request))
    return {"status": "lifted"}


@router.post("/logout")
def logout(
    request: Request, response: Response, who: Principal = Depends(requires("session.read"))
) -> dict[str, str]:
    clinic_of(request).accounts.logout(request.cookies.get(COOKIE, ""))
    response.delete_cookie(COOKIE, path="/")
    return {"status": "logged out"}


@router.get("/me")
def me(who: Principal = Depends(requires("session.read"))) -> Me:
    return Me(username=who.username, role=who.role, patient_id=who.patient_id, csrf=who.csrf)


def encode_worklist(page: Page) -> bytes:
    """The API's worklist body, as JSONResponse would render it."""
    body = [{**item.__dict__, "urgency": item.urgency} for item in page.items]
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@router.get("/worklist", response_model=list[WorkItemAnswer])
async def worklist(
    request: Request,
    offset: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    who: Principal = Depends(requires("worklist.read")),
) -> Response:
    """Most urgent first, one page; `X-Total-Count` and a `Link: rel="next"` header
    tell the rest. The hot endpoint: the page is kept, encoded, until the next write
    or the next minute (worklist_pages.py), and a kept page is served from the event
    loop with no database call beyond the login lookup."""
    pages, version, at = request.app.state.worklist, request.state.data_version, now(request)
    kept = pages.kept(version, at, offset, limit)
    if kept is None:
        kept = await run_in_threadpool(_compute_page, request, version, at, offset, limit)
    headers = {"X-Total-Count": str(kept.page.total)}
    if (next_offset := kept.page.next_offset) is not None:
        headers["Link"] = f'</api/worklist?offset={next_offset}&limit={limit}>; rel="next"'
    return Response(kept.body, media_type="application/json", headers=headers)


def _compute_page(request: Request, version: int, at: float, offset: int, limit: int) -> KeptPage:
    with request.app.state.db.reads() as db:
        return request.app.state.worklist.page(db, version, at, offset, limit)


@router.get("/patients")
def list_patients(
    request: Request,
    response: Response,
    q: str = "",
    offset: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    who: Principal = Depends(requires("patients.list")),
) -> list[PatientListed]:
    """By name, one page; `X-Total-Count` and a `Link: rel="next"` header tell the rest
    (it answered the first 100 and nothing said there were more)."""
    with request.app.state.db.reads() as db:
        found = patient_page(db, q[:60], offset, limit)
    response.headers["X-Total-Count"] = str(found.total)
    if offset + limit < found.total:
        query = urlencode({"q": q[:60], "offset": offset + limit, "limit": limit})
        response.headers["Link"] = f'</api/patients?{query}>; rel="next"'
    return [
        PatientListed(
            id=r.patient.id, mrn=r.patient.mrn, name=r.patient.name, indication=r.patient.indication
        )
        for r in found.rows
    ]


@router.post("/patients", status_code=201)
def add_patient(
    body: PatientIn, request: Request, who: Principal = Depends(requires("patients.write"))
) -> dict[str, int]:
    data = body.model_dump(exclude={"reason"})
    return {"id": clinic_of(request).care.add_patient(who, data, body.reason, now(request))}


@router.patch("/patients/{patient_id}")
def edit_patient(
    patient_id: Id, body: PatientEdit, request: Request,
    who: Principal = Depends(requires("patients.write")),
) -> dict[str, str]:  # fmt: skip
    """Corrects the facts the dose rules read; the MRN is not edited."""
    clinic_of(request).care.edit_patient(who, patient_id, body.changes(), body.reason, now(request))
    return {"status": "changed"}


@router.get("/patients/{patient_id}")
def get_patient(
    patient_id: Id, request: Request, who: Principal = Depends(requires("patients.read"))
) -> PatientRecordAnswer:
    can_see(who, patient_id)
    return record_answer(kept_record(request, patient_id))


@router.get("/audit")
def audit_rows(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    before_id: int | None = Query(None, ge=1, le=MAX_ID,
                                  description="the rows before this one: the next page"),
    user: str | None = Query(None, max_length=AUDIT_LENGTH["user"]),
    action: str | None = Query(None, max_length=AUDIT_LENGTH["action"],
                               description="an action or its start"),
    patient_id: int | None = Query(None, ge=1, le=MAX_ID,
                                   description="the patient's rows and therapy changes"),
    who: Principal = Depends(requires("audit.read")),
) -> list[AuditListed]:
    """Newest first; the next page is `before_id` = the last id of this one."""
    wanted = AuditFilter(user or None, action or None, patient_id, before_id)
    with request.app.state.db.reads() as db:
        rows, _ = audit_page(db, wanted, limit)
        return [
            AuditListed(id=a.id, at_s=a.at_s, user=a.username, action=a.action,
                        entity=a.entity, entity_id=a.entity_id, reason=a.reason, hash=a.hash)
            for a in rows
        ]  # fmt: skip


@router.get("/audit/verify")
def audit_verify(
    request: Request, who: Principal = Depends(requires("audit.read"))
) -> AuditCheck:
    with request.app.state.db.reads() as db:
        v = audit.verify(db)
    return AuditCheck(ok=v.ok, rows=v.rows, head=v.head, problems=list(v.problems))


@router.get("/users")
def users(
    request: Request, who: Principal = Depends(requires("users.read"))
) -> list[UserListed]:
    return [
        UserListed(id=u.user_id, username=u.username, full_name=u.full_name, role=u.role,
                   patient_id=u.patient_id, active=u.active)
        for u in clinic_of(request).user_admin.users(who)
    ]  # fmt: skip


@router.post("/users", status_code=201)
def add_user(
    body: UserIn, request: Request, who: Principal = Depends(requires("users.write"))
) -> dict[str, int]:
    user_id = clinic_of(request).user_admin.add_user(
        who, body.username, body.full_name, body.password, body.role, body.patient_id,
        now(request),
    )  # fmt: skip
    return {"id": user_id}


@router.post("/users/{user_id}/change")
def change_user(
    user_id: Id, body: UserChange, request: Request,
    who: Principal = Depends(requires("users.write")),
) -> dict[str, str]:  # fmt: skip
    """A new role, or the account deactivated or reactivated: its logins end at once."""
    clinic_of(request).user_admin.change_user(
            who, user_id, body.reason, now(request), role=body.role,
            active=body.active)  # fmt: skip
    return {"status": "changed"}


@router.post("/users/{user_id}/password")
def reset_password(
    user_id: Id, body: PasswordReset, request: Request,
    who: Principal = Depends(requires("users.write")),
) -> dict[str, str]:  # fmt: skip
    clinic_of(request).user_admin.reset_password(
        who, user_id, body.password, body.reason, now(request)
    )
    return {"status": "reset"}
