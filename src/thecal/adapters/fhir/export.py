"""One patient as a FHIR R4 (R4B models) Bundle: what `GET /fhir/Patient/{id}/$everything`
and `thecal fhir export` return. The mapping is in docs/fhir.md.

The export is a function of the clinic's stored rows only (never of the clock), and
import writes those same rows back, so export -> import -> export is the identity.
Every resource is validated by the fhir.resources models before it leaves.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from thecal.adapters.db.queries import PatientRecord, patient_record
from thecal.adapters.fhir import care, stimulation
from thecal.adapters.fhir import codes as k
from thecal.adapters.fhir.therapy import (
    alarm_flag,
    bolus_administration,
    program_request,
    refill_resources,
    session_resources,
)
from thecal.adapters.pump.state_blob import load_state
from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpCatalogue


def _patient(rec: PatientRecord, key: str) -> dict[str, Any]:
    p = rec.patient
    return {
        "resourceType": "Patient",
        "id": key,
        "identifier": [{"system": k.MRN, "value": p.mrn}],
        "name": [{"text": p.name}],
        "birthDate": f"{p.birth_year:04d}",
        "active": True,
        "extension": [
            k.ext("indication", valueCode=p.indication),
            k.ext("opioid-naive", valueBoolean=bool(p.opioid_naive)),
            k.ext("sleep-apnoea", valueBoolean=bool(p.sleep_apnoea)),
            k.ext("therapy-status", valueCode=p.status),
            *care.pathway_extension(rec.pathway),
        ],
    }


def _weight(rec: PatientRecord, key: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"{key}-weight",
        "status": "final",
        "category": [_vital_signs()],
        "code": k.concept(k.BODY_WEIGHT, k.LOINC),
        "subject": {"reference": f"Patient/{key}"},
        "valueQuantity": {
            "value": rec.patient.weight_kg,
            "unit": "kg",
            "system": k.UCUM,
            "code": "kg",
        },
    }


def _brain_injury(rec: PatientRecord, key: str) -> list[dict[str, Any]]:
    """The injury's date as a Condition's onset: baclofen's label asks long-term therapy
    to wait a year after it, so a receiving clinic's rules need it (none: no resource)."""
    injured = rec.patient.brain_injury_on
    if not injured:
        return []
    return [{
        "resourceType": "Condition",
        "id": f"{key}-brain-injury",
        "code": k.concept(k.BRAIN_INJURY),
        "subject": {"reference": f"Patient/{key}"},
        "onsetDateTime": injured,
    }]  # fmt: skip


def _vital_signs() -> dict[str, Any]:
    return {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "vital-signs",
            }
        ]
    }


def _devices(rec: PatientRecord, key: str) -> list[dict[str, Any]]:
    i = rec.implant
    if i is None:
        return []
    pump = {
        "resourceType": "Device",
        "id": f"{key}-pump",
        "identifier": [{"system": k.SERIAL, "value": i.serial}],
        "status": "active" if i.active else "inactive",
        "serialNumber": i.serial,
        "modelNumber": i.model_id,
        "deviceName": [{"name": i.model_id, "type": "model-name"}],
        "type": k.concept(k.PUMP),
        "patient": {"reference": f"Patient/{key}"},
    }
    catheter = {
        "resourceType": "Device",
        "id": f"{key}-catheter",
        "status": "active" if i.active else "inactive",
        "modelNumber": i.catheter_type,
        "type": k.concept(k.CATHETER),
        "patient": {"reference": f"Patient/{key}"},
        "parent": {"reference": f"Device/{key}-pump"},
        "property": [
            {
                "type": {"text": "length"},
                "valueQuantity": [
                    {"value": i.catheter_length_cm, "unit": "cm", "system": k.UCUM, "code": "cm"}
                ],
            },
            {
                "type": {"text": "volume per length"},
                "valueQuantity": [
                    {
                        "value": i.catheter_ul_per_cm,
                        "unit": "uL/cm",
                        "system": k.UCUM,
                        "code": "uL/cm",
                    }
                ],
            },
            {"type": {"text": "tip level"}, "valueCode": [{"text": i.tip_level}]},
        ],
    }
    implant = {
        "resourceType": "Procedure",
        "id": f"{key}-implant",
        "status": "completed",
        "code": k.concept(k.IMPLANT),
        "subject": {"reference": f"Patient/{key}"},
        "performedDateTime": k.fhir_time(i.implanted_s),
        "focalDevice": [
            {"action": {"text": "implanted"}, "manipulated": {"reference": f"Device/{key}-pump"}},
            {
                "action": {"text": "implanted"},
                "manipulated": {"reference": f"Device/{key}-catheter"},
            },
        ],
    }
    return [pump, catheter, implant]


def _status(pump: Any, key: str, battery_pct: float | None) -> dict[str, Any]:
    """The pump status Observation at the pump's last interrogation."""
    components = []
    if pump.reservoir_estimate_ml is not None:
        components.append(
            {"code": k.concept(k.RESERVOIR), "valueQuantity": _ml(pump.reservoir_estimate_ml)}
        )
    if battery_pct is not None:
        components.append(
            {
                "code": k.concept(k.BATTERY),
                "valueQuantity": {"value": battery_pct, "unit": "%", "system": k.UCUM, "code": "%"},
            }
        )
    return {
        "resourceType": "Observation",
        "id": f"{key}-pump-status",
        "status": "final",
        "code": k.concept(k.PUMP_STATUS),
        "subject": {"reference": f"Patient/{key}"},
        "device": {"reference": f"Device/{key}-pump"},
        "effectiveDateTime": k.fhir_time(pump.as_of_s),
        "valueString": pump.shown,
        "component": components,
    }


def _metrics(rec: PatientRecord, key: str, battery_pct: float | None) -> list[dict[str, Any]]:
    """DeviceMetric definitions for the pump's reservoir and battery, the pump status
    Observation at its last interrogation (a commissioned pump only: an imported record
    has none until it is commissioned through the gate), and one Observation per stored
    reading."""
    pump = rec.pump
    if pump is None and not rec.readings:
        return []
    out: list[dict[str, Any]] = []
    for code, unit in ((k.RESERVOIR, "mL"), (k.BATTERY, "%")):
        out.append(
            {
                "resourceType": "DeviceMetric",
                "id": f"{key}-{code[0]}",
                "type": k.concept(code),
                "unit": {"coding": [{"system": k.UCUM, "code": unit}], "text": unit},
                "source": {"reference": f"Device/{key}-pump"},
                "category": "measurement",
            }
        )
    if pump is not None:
        out.append(_status(pump, key, battery_pct))
    for n, r in enumerate(sorted(rec.readings, key=lambda r: (r.at_s, r.id)), 1):
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"{key}-reading-{n}",
            "status": "final",
            "code": k.concept(k.RESERVOIR),
            "subject": {"reference": f"Patient/{key}"},
            "device": {"reference": f"DeviceMetric/{key}-reservoir-volume"},
            "effectiveDateTime": k.fhir_time(r.at_s),
        }
        if r.reservoir_estimate_ml is not None:
            obs["valueQuantity"] = _ml(r.reservoir_estimate_ml)
        else:
            obs["dataAbsentReason"] = {"text": "not reported"}
        if r.daily_dose_mcg is not None:
            obs["component"] = [
                {
                    "code": k.concept(k.DAILY_DOSE),
                    "valueQuantity": {
                        "value": r.daily_dose_mcg,
                        "unit": "ug/d",
                        "system": k.UCUM,
                        "code": "ug/d",
                    },
                }
            ]
        out.append(obs)
    return out


def _ml(v: float) -> dict[str, Any]:
    return {"value": v, "unit": "mL", "system": k.UCUM, "code": "mL"}


def _diary(rec: PatientRecord, key: str) -> list[dict[str, Any]]:
    out = []
    for n, d in enumerate(sorted(rec.diary, key=lambda d: (d.at_s, d.id)), 1):
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"{key}-diary-{n}",
            "status": "final",
            "code": k.concept(k.PAIN_SEVERITY, k.LOINC),
            "subject": {"reference": f"Patient/{key}"},
            "effectiveDateTime": k.fhir_time(d.at_s),
            "performer": [{"reference": f"Patient/{key}"}],
        }
        if d.pain_nrs is not None:
            obs["valueInteger"] = d.pain_nrs
        else:
            obs["dataAbsentReason"] = {"text": "no pain score in this entry"}
        if d.spasm is not None:
            obs["component"] = [{"code": k.concept(k.SPASM), "valueInteger": d.spasm}]
        if d.note:
            obs["note"] = [{"text": d.note}]
        out.append(obs)
    return out


def patient_bundle(
    db: Session, patient_id: int, catalogue: PumpCatalogue, library: DrugLibrary
) -> dict[str, Any]:
    rec = patient_record(db, patient_id, limit=100_000)
    key = k.patient_key(rec.patient.mrn)
    battery = None
    if rec.pump is not None and rec.pump.state:
        model = catalogue.get(rec.pump.model_id)
        if model is not None and model.battery_uah > 0:
            state = load_state(rec.pump.state, rec.pump.state_sha256, model, library)
            battery = round(state.battery_fraction * 100.0, 2)
    resources = [_patient(rec, key), _weight(rec, key), *_brain_injury(rec, key)]
    resources += _devices(rec, key)
    resources += stimulation.stimulator_devices(db, patient_id, key)
    resources += care.trial_procedures(db, patient_id, key)
    resources += _metrics(rec, key, battery)
    last = len(rec.programs)
    resources += [program_request(v, key, v.version_no == last) for v in rec.programs]
    by_version = {v.session_id: v.version_no for v in rec.programs if v.session_id}
    for n, s in enumerate(sorted(rec.sessions, key=lambda s: (s.started_s, s.id)), 1):
        resources += session_resources(s, key, n, by_version.get(s.id))
    for n, r in enumerate(sorted(rec.refills, key=lambda r: (r.at_s, r.id)), 1):
        resources += refill_resources(r, key, n)
    resources += [
        bolus_administration(b, key, n)
        for n, b in enumerate(sorted(rec.boluses, key=lambda b: (b.at_s, b.id)), 1)
    ]
    resources += [
        alarm_flag(a, key, n)
        for n, a in enumerate(sorted(rec.alarms, key=lambda a: (a.onset_s, a.id)), 1)
    ]
    resources += _diary(rec, key)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"urn:thecal:{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match" if r["resourceType"] == "Patient" else "include"},
            }
            for r in resources
        ],
    }
    checked: dict[str, Any] = Bundle.model_validate(bundle).model_dump(
        mode="json", exclude_none=True
    )
    return checked
