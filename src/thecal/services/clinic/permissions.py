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

from enum import StrEnum
from typing import Literal

from thecal.core.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    PHYSICIAN = "physician"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    PATIENT = "patient"


# every permission a use case may ask for: a misspelt one is a mypy error at the call
Permission = Literal[
    "worklist.read",
    "patients.list",
    "patients.read",
    "patients.write",
    "implants.write",
    "programs.check",
    "programs.commit",
    "boluses.give",
    "refills.plan",
    "refills.record",
    "refills.acknowledge",
    "appointments.read",
    "appointments.write",
    "trials.read",
    "trials.write",
    "pathway.read",
    "scs.read",
    "scs.score",
    "scs.write",
    "pathway.write",
    "alarms.read",
    "alarms.acknowledge",
    "bolus.request",
    "diary.read",
    "diary.write",
    "audit.read",
    "users.read",
    "users.write",
    "session.read",
    "reports.read",
    "fhir.export",
    "fhir.import",
    "emulator.fault",
]

CLINICAL = (Role.PHYSICIAN, Role.NURSE, Role.PHARMACIST)
STAFF = (Role.ADMIN, *CLINICAL)
ROLES = (*STAFF, Role.PATIENT)

PERMISSIONS: dict[Permission, tuple[Role, ...]] = {
    "worklist.read": CLINICAL,
    "patients.list": CLINICAL,
    "patients.read": (*CLINICAL, Role.PATIENT),  # a patient: their own only
    "patients.write": (Role.PHYSICIAN, Role.NURSE),
    "implants.write": (Role.PHYSICIAN,),  # implant, replace, explant, catheter revision
    "programs.check": CLINICAL,
    "programs.commit": (Role.PHYSICIAN,),  # also a refill that changes the program
    "boluses.give": (Role.PHYSICIAN,),  # clinician, bridge and priming boluses
    "refills.plan": CLINICAL,
    "refills.record": (Role.PHYSICIAN, Role.NURSE),
    "refills.acknowledge": (Role.PHYSICIAN, Role.NURSE),
    "appointments.read": CLINICAL,
    "appointments.write": (Role.PHYSICIAN, Role.NURSE),  # book and cancel a refill appointment
    "trials.read": CLINICAL,
    "trials.write": (Role.PHYSICIAN, Role.NURSE),
    "pathway.read": CLINICAL,
    "scs.read": CLINICAL,
    "scs.score": (Role.PHYSICIAN, Role.NURSE),  # a trial day's pain score
    "scs.write": (Role.PHYSICIAN,),  # trials, implants and stimulation programs
    "pathway.write": (Role.PHYSICIAN, Role.NURSE),
    "alarms.read": CLINICAL,
    "alarms.acknowledge": (Role.PHYSICIAN, Role.NURSE),
    "bolus.request": (Role.PATIENT,),
    "diary.read": (*CLINICAL, Role.PATIENT),  # a patient: their own only
    "diary.write": (Role.PATIENT,),
    "audit.read": (Role.ADMIN,),
    "users.read": (Role.ADMIN,),
    "users.write": (Role.ADMIN,),
    "session.read": (Role.ADMIN, *CLINICAL, Role.PATIENT),
    "reports.read": (*CLINICAL, Role.PATIENT),  # a patient: their own only
    "fhir.export": (*CLINICAL, Role.PATIENT),  # a patient: their own only
    "fhir.import": (Role.PHYSICIAN,),
    "emulator.fault": (),  # hardware truth: the demo seed and tests, never a person
}

VERIFIERS = CLINICAL  # may sign as the second person


def allowed(permission: Permission, role: str) -> bool:
    return role in PERMISSIONS[permission]


def authorize(role: str, permission: Permission) -> None:
    """Forbidden unless `role` holds `permission`: the first line of every use case."""
    if not allowed(permission, role):
        raise Forbidden(f"a {role} may not do this ({permission})")
