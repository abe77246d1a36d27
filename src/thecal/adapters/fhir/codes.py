"""The codes, systems and extension URLs of thecal's FHIR R4 mapping (docs/fhir.md),
and the two conversions every resource needs: clinic time <-> FHIR dateTime, and
a record <-> a JSON-valued extension.

Standard codes are used where they are certain (LOINC for pain severity and body
weight, UCUM units); everything thecal-specific has a code in thecal's own code
system rather than a guessed SNOMED CT code.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
THECAL = "https://thecal.example/fhir/CodeSystem/thecal"
MRN = "https://thecal.example/fhir/NamingSystem/mrn"
SERIAL = "https://thecal.example/fhir/NamingSystem/pump-serial"
REQUEST_ID = "https://thecal.example/fhir/NamingSystem/demand-request-id"
EXT = "https://thecal.example/fhir/StructureDefinition/"

PAIN_SEVERITY = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
BODY_WEIGHT = ("29463-7", "Body weight")

# thecal codes
RESERVOIR = ("reservoir-volume", "Pump reservoir volume, firmware estimate")
BATTERY = ("battery-remaining", "Pump battery charge remaining")
PUMP_STATUS = ("pump-status", "Pump status at its last interrogation")
DAILY_DOSE = ("daily-dose", "Programmed daily dose of the primary drug")
SPASM = ("spasm-score", "Spasm score (patient diary)")
IMPLANT = ("pump-implant", "Implantation of an intrathecal drug delivery pump")
REFILL = ("pump-refill", "Percutaneous refill of an implanted pump")
PUMP = ("intrathecal-pump", "Implanted intrathecal drug delivery pump")
CATHETER = ("intrathecal-catheter", "Intrathecal catheter")
SESSION = ("programming-session", "Pump programming session")
TRIAL = ("intrathecal-trial", "Intrathecal drug trial (screening bolus or temporary catheter)")
STIMULATOR = ("spinal-cord-stimulator", "Spinal cord stimulator (trial or implanted) and lead")
BRAIN_INJURY = ("traumatic-brain-injury", "Traumatic brain injury the spasticity follows")

# the fields of thecal's own records that ride in an extension (therapy.py writes them,
# import_rows.py refuses a record with one missing or one more)
SESSION_FIELDS = ("status", "started_s", "closed_s", "username", "record", "version_no")
REFILL_FIELDS = ("at_s", "expected_ml", "withdrawn_ml", "added_ml", "lot", "classification",
                 "status", "next_refill_s", "username", "verified_by", "record")

_ID_SAFE = re.compile(r"[^A-Za-z0-9.-]")


def concept(code: tuple[str, str], system: str = THECAL) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code[0], "display": code[1]}], "text": code[1]}


def code_of(c: dict[str, Any] | None) -> str | None:
    if not c or not c.get("coding"):
        return None
    code: str | None = c["coding"][0].get("code")
    return code


def patient_key(mrn: str) -> str:
    """A FHIR id from the MRN: the same patient has the same ids in every export."""
    return ("p-" + _ID_SAFE.sub("-", mrn))[:48]


def fhir_time(t: float) -> str:
    """UTC, to the second when whole, else to the microsecond (exact for clinic times)."""
    d = datetime.fromtimestamp(t, UTC)
    return d.isoformat(timespec="seconds" if d.microsecond == 0 else "microseconds")


def clinic_time(value: Any) -> float:
    """A FHIR dateTime (text, or a datetime as the models parse it) as epoch seconds."""
    d = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if d.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return d.timestamp()


def ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": EXT + name, **value}


def record_ext(name: str, record: Any) -> dict[str, Any]:
    """thecal's own record carried whole (canonical JSON), so import restores it exactly."""
    return ext(name, valueString=json.dumps(record, sort_keys=True, separators=(",", ":")))


def find_ext(resource: dict[str, Any], name: str) -> dict[str, Any] | None:
    for e in resource.get("extension") or []:
        if e.get("url") == EXT + name:
            return dict(e)
    return None


def ext_value(resource: dict[str, Any], name: str, kind: str) -> Any:
    e = find_ext(resource, name)
    return None if e is None else e.get(kind)


def ext_record(resource: dict[str, Any], name: str) -> Any:
    value = ext_value(resource, name, "valueString")
    return None if value is None else json.loads(value)
