"""Who may do what: one table, checked by the use cases themselves (so the web, the
API, the CLI and the demo seed cannot differ) and read by the web layer only to map a
request to its use case, and by the access-control tests.

A patient may read their own record, request a bolus and write their diary, and
nothing else (SR-35). The admin manages users and the audit trail but has no clinical
access. Committing a program, changing an implant, giving a programmer bolus and a
refill that changes the program are a physician's acts; a second person (physician,
nurse or pharmacist) verifies where the rules ask for one.
"""

from __future__ import annotations

from thecal.core.errors import Forbidden

CLINICAL = ("physician", "nurse", "pharmacist")
STAFF = ("admin", *CLINICAL)
ROLES = (*STAFF, "patient")

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "worklist.read": CLINICAL,
    "patients.list": CLINICAL,
    "patients.read": (*CLINICAL, "patient"),  # a patient: their own only
    "patients.write": ("physician", "nurse"),
    "implants.write": ("physician",),  # implant, replace, explant, catheter revision
    "programs.check": CLINICAL,
    "programs.commit": ("physician",),  # also a refill that changes the program
    "boluses.give": ("physician",),  # clinician, bridge and priming boluses
    "refills.plan": CLINICAL,
    "refills.record": ("physician", "nurse"),
    "refills.acknowledge": ("physician", "nurse"),
    "appointments.read": CLINICAL,
    "appointments.write": ("physician", "nurse"),  # book and cancel a refill appointment
    "trials.read": CLINICAL,
    "trials.write": ("physician", "nurse"),
    "pathway.read": CLINICAL,
    "scs.read": CLINICAL,
    "scs.score": ("physician", "nurse"),  # a trial day's pain score
    "scs.write": ("physician",),  # trials, implants and stimulation programs
    "pathway.write": ("physician", "nurse"),
    "alarms.read": CLINICAL,
    "alarms.acknowledge": ("physician", "nurse"),
    "bolus.request": ("patient",),
    "diary.read": (*CLINICAL, "patient"),  # a patient: their own only
    "diary.write": ("patient",),
    "audit.read": ("admin",),
    "users.read": ("admin",),
    "users.write": ("admin",),
    "session.read": ("admin", *CLINICAL, "patient"),
    "reports.read": (*CLINICAL, "patient"),  # a patient: their own only
    "fhir.export": (*CLINICAL, "patient"),  # a patient: their own only
    "fhir.import": ("physician",),
    "emulator.fault": (),  # hardware truth: the demo seed and tests, never a person
}

VERIFIERS = CLINICAL  # may sign as the second person


def allowed(permission: str, role: str) -> bool:
    return role in PERMISSIONS[permission]


def authorize(role: str, permission: str) -> None:
    """Forbidden unless `role` holds `permission`: the first line of every use case."""
    if not allowed(permission, role):
        raise Forbidden(f"a {role} may not do this ({permission})")
