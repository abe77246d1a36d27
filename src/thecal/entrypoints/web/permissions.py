"""Who may do what: one table, read by every route and by the access-control test.

A patient may read their own record, request a bolus and write their diary, and
nothing else (SR-35). The admin manages users and the audit trail but has no
clinical access. Committing a program is a physician's act; a second person
(physician, nurse or pharmacist) verifies where the rules ask for one.
"""

from __future__ import annotations

CLINICAL = ("physician", "nurse", "pharmacist")

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "worklist.read": CLINICAL,
    "patients.list": CLINICAL,
    "patients.read": (*CLINICAL, "patient"),  # a patient: their own only
    "patients.write": ("physician", "nurse"),
    "implants.write": ("physician",),
    "programs.check": CLINICAL,
    "programs.commit": ("physician",),
    "refills.plan": CLINICAL,
    "refills.record": ("physician", "nurse"),
    "refills.acknowledge": ("physician", "nurse"),
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
}

VERIFIERS = CLINICAL  # may sign as the second person


def allowed(permission: str, role: str) -> bool:
    return role in PERMISSIONS[permission]
