"""Every role against every endpoint. The expected roles are written out here by
hand, from the issue (a patient may only read their own record, request boluses and
write the diary; the admin runs users and audit) - not read back from the code.
A route that is added without a row here fails `test_every_route_is_in_the_table`."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from tests.clinic.conftest import ROLES

CLIN = {"physician", "nurse", "pharmacist"}
EXPECTED = {
    "POST /api/logout": set(ROLES),
    "GET /api/me": set(ROLES),
    "GET /api/worklist": CLIN,
    "GET /api/patients": CLIN,
    "POST /api/patients": {"physician", "nurse"},
    "PATCH /api/patients/{patient_id}": {"physician", "nurse"},
    "GET /api/patients/{patient_id}": CLIN | {"patient"},
    "POST /api/patients/{patient_id}/implants/check": CLIN,
    "POST /api/patients/{patient_id}/implants": {"physician"},
    "POST /api/patients/{patient_id}/pump/replace/check": CLIN,
    "POST /api/patients/{patient_id}/pump/replace": {"physician"},
    "POST /api/patients/{patient_id}/pump/explant/check": CLIN,
    "POST /api/patients/{patient_id}/pump/explant": {"physician"},
    "POST /api/patients/{patient_id}/catheter/check": CLIN,
    "POST /api/patients/{patient_id}/catheter": {"physician"},
    "POST /api/patients/{patient_id}/boluses/check": CLIN,
    "POST /api/patients/{patient_id}/boluses": {"physician"},
    "POST /api/patients/{patient_id}/programs/check": CLIN,
    "POST /api/patients/{patient_id}/programs": {"physician"},
    "POST /api/patients/{patient_id}/refills/plan": CLIN,
    "POST /api/patients/{patient_id}/refills": {"physician", "nurse"},
    "POST /api/refills/{refill_id}/acknowledge": {"physician", "nurse"},
    "GET /api/patients/{patient_id}/trials": CLIN,
    "POST /api/patients/{patient_id}/trials": {"physician", "nurse"},
    "POST /api/trials/{trial_id}/doses": {"physician", "nurse"},
    "POST /api/trials/{trial_id}/assessments": {"physician", "nurse"},
    "POST /api/trials/{trial_id}/evaluate": {"physician", "nurse"},
    "GET /api/patients/{patient_id}/pathway": CLIN,
    "PUT /api/patients/{patient_id}/pathway": {"physician", "nurse"},
    "GET /api/patients/{patient_id}/scs": CLIN,
    "POST /api/patients/{patient_id}/scs/check": CLIN,
    "POST /api/patients/{patient_id}/scs/trial": {"physician"},
    "POST /api/patients/{patient_id}/scs/trial/days": {"physician", "nurse"},
    "POST /api/patients/{patient_id}/scs/trial/end": {"physician"},
    "POST /api/patients/{patient_id}/scs/implant": {"physician"},
    "POST /api/patients/{patient_id}/scs/programs": {"physician"},
    "GET /api/alarms": CLIN,
    "POST /api/alarms/{alarm_id}/acknowledge": {"physician", "nurse"},
    "POST /api/patients/{patient_id}/bolus-requests": {"patient"},
    "GET /api/patients/{patient_id}/diary": CLIN | {"patient"},
    "POST /api/patients/{patient_id}/diary": {"patient"},
    "GET /api/audit": {"admin"},
    "GET /api/audit/verify": {"admin"},
    "GET /api/users": {"admin"},
    "GET /api/locks": {"admin"},
    "POST /api/locks/lift": {"admin"},
    "POST /api/users": {"admin"},
    "POST /api/users/{user_id}/change": {"admin"},
    "POST /api/users/{user_id}/password": {"admin"},
    "GET /api/patients/{patient_id}/sessions/{session_id}/report.pdf": CLIN | {"patient"},
    "GET /api/patients/{patient_id}/refills/{refill_id}/report.pdf": CLIN | {"patient"},
    "GET /api/patients/{patient_id}/summary.pdf": CLIN | {"patient"},
    "GET /api/pump-models/{model_id}/accuracy.png": CLIN | {"patient"},
    "GET /api/worklist.ics": CLIN,
    "GET /api/appointments": CLIN,
    "POST /api/patients/{patient_id}/appointments": {"physician", "nurse"},
    "POST /api/appointments/{appointment_id}/cancel": {"physician", "nurse"},
    "GET /fhir/Patient/{patient_id}/$everything": CLIN | {"patient"},
    "POST /fhir/Bundle": {"physician"},
    # the browser UI
    "POST /logout": set(ROLES),
    "GET /worklist": CLIN,
    "GET /patients": CLIN,
    "GET /patients/new": {"physician", "nurse"},
    "POST /patients/new": {"physician", "nurse"},
    "GET /patients/{patient_id}": CLIN | {"patient"},
    "GET /patients/{patient_id}/edit": {"physician", "nurse"},
    "POST /patients/{patient_id}/edit": {"physician", "nurse"},
    "GET /patients/{patient_id}/pathway": {"physician", "nurse"},
    "POST /patients/{patient_id}/pathway": {"physician", "nurse"},
    "GET /patients/{patient_id}/program": CLIN,
    "POST /patients/{patient_id}/program/check": CLIN,
    "POST /patients/{patient_id}/program": {"physician"},
    "GET /patients/{patient_id}/refill": CLIN,
    "POST /patients/{patient_id}/refill/plan": CLIN,
    "POST /patients/{patient_id}/refill": {"physician", "nurse"},
    "GET /refills/{refill_id}": CLIN,
    "GET /patients/{patient_id}/device": CLIN,
    "POST /patients/{patient_id}/device/{action}/check": CLIN,
    # the screen lets the clinical roles in; the use case refuses all but a physician
    "POST /patients/{patient_id}/device/{action}": CLIN,
    "POST /refills/{refill_id}/acknowledge": {"physician", "nurse"},
    "POST /alarms/{alarm_id}/acknowledge": {"physician", "nurse"},
    "GET /patients/{patient_id}/scs": CLIN,
    "POST /patients/{patient_id}/scs/check": CLIN,
    "POST /patients/{patient_id}/scs/trial": {"physician"},
    "POST /patients/{patient_id}/scs/day": {"physician", "nurse"},
    "POST /patients/{patient_id}/scs/end": {"physician"},
    "POST /patients/{patient_id}/scs/implant": {"physician"},
    "POST /patients/{patient_id}/scs/program": {"physician"},
    "GET /patients/{patient_id}/trials": CLIN,
    "POST /patients/{patient_id}/trials": {"physician", "nurse"},
    "POST /trials/{trial_id}/dose": {"physician", "nurse"},
    "POST /trials/{trial_id}/assessment": {"physician", "nurse"},
    "POST /trials/{trial_id}/evaluate": {"physician", "nurse"},
    "GET /portal": {"patient"},
    "POST /portal/bolus": {"patient"},
    "POST /portal/diary": {"patient"},
    "GET /api/portal/refill.ics": {"patient"},
    "GET /audit": {"admin"},
    "POST /locks/lift": {"admin"},
    "GET /calendar": CLIN,
    "POST /calendar/link": CLIN,
    "GET /patients/{patient_id}/appointment": CLIN,
    "POST /patients/{patient_id}/appointment": {"physician", "nurse"},
    "POST /appointments/{appointment_id}/cancel": {"physician", "nurse"},
    "GET /users": {"admin"},
    "POST /users": {"admin"},
    "POST /users/{user_id}/change": {"admin"},
    "POST /users/{user_id}/password": {"admin"},
}
# the calendar feed: no login, its secret link is the key (a wrong one is 404)
PUBLIC = {"POST /api/login", "GET /", "GET /login", "POST /login", "GET /api/calendar/{token}.ics"}


def routes(app):
    """Every route of every router the web package defines, so a new module's routes
    cannot escape the table (the role matrix below then calls each one on `app`)."""
    import importlib
    import pkgutil

    from thecal.entrypoints import web

    modules = [importlib.import_module(f"thecal.entrypoints.web.{m.name}")
               for m in pkgutil.iter_modules(web.__path__)]  # fmt: skip
    routers = [m.router for m in modules if hasattr(m, "router")]
    for r in [route for router in routers for route in router.routes]:
        if isinstance(r, APIRoute):
            for m in r.methods - {"HEAD"}:
                yield f"{m} {r.path}"


def test_every_route_is_in_the_table(sqlite_world):
    assert set(routes(sqlite_world.app)) - PUBLIC == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(sqlite_world, role):
    w = sqlite_world
    c = w.client(role)
    wrong = []
    for key, allowed in EXPECTED.items():
        if key.endswith("logout"):
            continue
        method, path = key.split(" ", 1)
        # the patient's own record, so that "own record" is what is tested here
        url = path.format(patient_id=w.a, refill_id=1, trial_id=1, alarm_id=1, session_id=1,
                          action="bolus", model_id="peristaltic-20", user_id=1, appointment_id=1)
        body = {} if method in ("POST", "PATCH") else None
        r = c.request(method, url, json=body, follow_redirects=False)
        if (r.status_code == 403) == (role in allowed):
            wrong.append(f"{key}: {r.status_code}")
        assert r.status_code != 500, key
    assert wrong == []


def test_nobody_logged_in_gets_401_or_the_login_page(sqlite_world):
    c = sqlite_world.client()
    for key in EXPECTED:
        method, path = key.split(" ", 1)
        r = c.request(
            method,
            path.format(
                patient_id=1, refill_id=1, trial_id=1, alarm_id=1, session_id=1, action="bolus",
                model_id="peristaltic-20", user_id=1, appointment_id=1,
            ),
            follow_redirects=False,
        )
        if path.startswith(("/api", "/fhir")):
            assert r.status_code == 401, key
        else:
            assert r.status_code == 303 and r.headers["location"] == "/login", key
