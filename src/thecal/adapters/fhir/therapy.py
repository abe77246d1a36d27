"""The therapy as FHIR resources: programs (MedicationRequest + Dosage), programming
sessions (Provenance, with DetectedIssue for their findings), refills (Procedure with
the pump as focal device "manipulated", and MedicationAdministration of the fluid),
demand boluses (MedicationAdministration) and alarms (Flag).

Standard elements carry what a FHIR reader needs; thecal's own record rides along
in one extension per resource so that import restores the row exactly.
"""

from __future__ import annotations

from typing import Any

from thecal.adapters.db.models import (
    AlarmRow,
    BolusRequestRow,
    ProgrammingSessionRow,
    ProgramVersion,
    RefillRow,
)
from thecal.adapters.fhir import codes as k
from thecal.adapters.pump.program_codec import program_from_json
from thecal.core.pump.program import Program, step_rate_ml_per_s
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.vocabulary import SessionStatus

_SEVERITY = {"hard": "high", "soft": "moderate", "info": "low"}


def _q(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": k.UCUM, "code": unit}


def fluid(drugs: list[dict[str, Any]] | tuple[Any, ...], rid: str = "fluid") -> dict[str, Any]:
    """A contained Medication: the drugs and their strengths (mcg per mL)."""
    items = [d if isinstance(d, dict) else {"name": d.name,
                                             "concentration_mcg_per_ml": d.concentration_mcg_per_ml}
             for d in drugs]
    return {
        "resourceType": "Medication",
        "id": rid,
        "code": {"text": " + ".join(f"{d['name']} {d['concentration_mcg_per_ml']:g} mcg/mL"
                                    for d in items)},
        "ingredient": [
            {"itemCodeableConcept": {"text": d["name"]}, "isActive": True,
             "strength": {"numerator": _q(d["concentration_mcg_per_ml"], "ug"),
                          "denominator": _q(1, "mL")}}
            for d in items
        ],
    }


def _dosages(p: Program) -> list[dict[str, Any]]:
    primary = p.primary_mcg_per_ml
    route = {"text": "intrathecal"}
    out: list[dict[str, Any]] = []
    for i, s in enumerate(p.steps):
        rate = step_rate_ml_per_s(s, primary) * SECONDS_PER_DAY
        hh, mm = divmod(round(s.start_s) // 60, 60)
        out.append({
            "sequence": i + 1,
            "text": f"basal from {hh:02d}:{mm:02d} (day {hh // 24 + 1} of {p.cycle_days}): "
                    f"{rate:.6g} mL/day",
            "route": route,
            "doseAndRate": [{"rateQuantity": _q(rate, "mL/d")}],
        })
    for pb in p.periodic_boluses:
        out.append({
            "text": f"periodic bolus at {pb.at_s / 3600:g} h of the cycle over "
                    f"{pb.duration_s / 60:g} min",
            "route": route,
            "doseAndRate": [{"doseQuantity": _q(pb.amount.volume_ml(primary), "mL")}],
        })
    d = p.demand_bolus
    if d is not None:
        volume = d.amount.volume_ml(primary)
        out.append({
            "text": f"patient demand bolus over {d.duration_s / 60:g} min, lockout "
                    f"{d.lockout_s / 3600:g} h, at most {d.max_per_24h} in 24 h",
            "route": route,
            "asNeededBoolean": True,
            "doseAndRate": [{"doseQuantity": _q(volume, "mL")}],
            "maxDosePerPeriod": {"numerator": _q(volume * d.max_per_24h, "mL"),
                                 "denominator": _q(1, "d")},
        })
    return out


def program_request(v: ProgramVersion, key: str, current: bool) -> dict[str, Any]:
    p = program_from_json(v.program)
    return {
        "resourceType": "MedicationRequest",
        "id": f"{key}-program-{v.version_no}",
        "contained": [fluid(p.drugs)],
        "status": "active" if current else "stopped",
        "intent": "order",
        "medicationReference": {"reference": "#fluid"},
        "subject": {"reference": f"Patient/{key}"},
        "authoredOn": k.fhir_time(v.created_s),
        "requester": {"display": v.created_by},
        "reasonCode": [{"text": v.reason}] if v.reason else None,
        "note": [{"text": v.summary}],
        "dosageInstruction": _dosages(p),
        "extension": [
            k.ext("program-version", valueInteger=v.version_no),
            k.ext("program-digest", valueString=v.digest),
            k.record_ext("program", v.program),
        ],
    }


def session_resources(
    s: ProgrammingSessionRow, key: str, n: int, version_no: int | None
) -> list[dict[str, Any]]:
    target = (f"MedicationRequest/{key}-program-{version_no}" if version_no
              else f"Patient/{key}")
    verifier = s.record.get("verified_by")
    agents = [{"type": {"text": "author"}, "who": {"display": s.username}}]
    if verifier:
        agents.append({"type": {"text": "verifier"}, "who": {"display": verifier}})
    sid = f"{key}-session-{n}"
    out: list[dict[str, Any]] = [{
        "resourceType": "Provenance",
        "id": sid,
        "target": [{"reference": target}],
        "recorded": k.fhir_time(s.closed_s),
        "activity": k.concept(k.SESSION),
        "agent": agents,
        "extension": [k.record_ext("programming-session", {
            **{f: getattr(s, f) for f in k.SESSION_FIELDS if f != "version_no"},
            "version_no": version_no})],
    }]
    for j, f in enumerate(s.record.get("findings", []), 1):
        out.append({
            "resourceType": "DetectedIssue",
            "id": f"{sid}-finding-{j}",
            "status": "final",
            "code": {"coding": [{"system": k.THECAL, "code": f["code"]}], "text": f["code"]},
            "severity": _SEVERITY.get(f["severity"], "low"),
            "patient": {"reference": f"Patient/{key}"},
            "identifiedDateTime": k.fhir_time(s.closed_s),
            "implicated": [{"reference": target}],
            "detail": f["message"],
            "reference": f"{f['rule_id']}: {f.get('source', '')}",
        })
    return out


def refill_resources(r: RefillRow, key: str, n: int) -> list[dict[str, Any]]:
    rid = f"{key}-refill-{n}"
    done = r.status == SessionStatus.COMMITTED
    procedure = {
        "resourceType": "Procedure",
        "id": rid,
        "status": "completed" if done else "not-done",
        "code": k.concept(k.REFILL),
        "subject": {"reference": f"Patient/{key}"},
        "performedDateTime": k.fhir_time(r.at_s),
        "performer": [{"actor": {"display": r.username}}]
        + ([{"actor": {"display": r.verified_by}, "function": {"text": "verifier"}}]
           if r.verified_by else []),
        "outcome": {"text": r.classification},
        "focalDevice": [{"action": {"coding": [{"system": k.THECAL, "code": "manipulated"}],
                                    "text": "manipulated"},
                         "manipulated": {"reference": f"Device/{key}-pump"}}],
        "extension": [k.record_ext("refill", {f: getattr(r, f) for f in k.REFILL_FIELDS})],
    }
    drugs = r.record.get("drugs")
    admin: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": f"{rid}-fluid",
        "status": "completed" if done else "not-done",
        "subject": {"reference": f"Patient/{key}"},
        "effectiveDateTime": k.fhir_time(r.at_s),
        "partOf": [{"reference": f"Procedure/{rid}"}],
        "device": [{"reference": f"Device/{key}-pump"}],
        "note": [{"text": f"lot {r.lot}"}],
        "dosage": {"text": "added to the pump reservoir", "dose": _q(r.added_ml, "mL")},
    }
    if drugs:
        admin["contained"] = [fluid(drugs)]
        admin["medicationReference"] = {"reference": "#fluid"}
    else:
        admin["medicationCodeableConcept"] = {"text": "refill fluid (not recorded)"}
    return [procedure, admin]


def bolus_administration(b: BolusRequestRow, key: str, n: int) -> dict[str, Any]:
    granted = b.result == "granted"
    return {
        "resourceType": "MedicationAdministration",
        "id": f"{key}-demand-{n}",
        "identifier": [{"system": k.REQUEST_ID, "value": b.request_uid}],
        "status": "completed" if granted else "not-done",
        "statusReason": None if granted else [{"text": b.reason or "denied"}],
        "category": {"text": "patient demand bolus"},
        "medicationCodeableConcept": {"text": "demand bolus of the program then running"},
        "subject": {"reference": f"Patient/{key}"},
        "effectiveDateTime": k.fhir_time(b.at_s),
        "device": [{"reference": f"Device/{key}-pump"}],
        "extension": [k.ext("lockout-remaining-s", valueDecimal=b.lockout_remaining_s)],
    }


def alarm_flag(a: AlarmRow, key: str, n: int) -> dict[str, Any]:
    period = {"start": k.fhir_time(a.onset_s)}
    if a.cleared_s is not None:
        period["end"] = k.fhir_time(a.cleared_s)
    extensions = [k.ext("alarm-severity", valueCode=a.severity)]
    if a.acknowledged_by is not None and a.acknowledged_s is not None:
        extensions += [k.ext("acknowledged-by", valueString=a.acknowledged_by),
                       k.ext("acknowledged-at", valueDateTime=k.fhir_time(a.acknowledged_s))]
    return {
        "resourceType": "Flag",
        "id": f"{key}-alarm-{n}",
        "status": "active" if a.cleared_s is None else "inactive",
        "category": [{"text": f"pump alarm ({a.severity})"}],
        "code": {"coding": [{"system": k.THECAL, "code": a.code}], "text": a.code},
        "subject": {"reference": f"Patient/{key}"},
        "period": period,
        "author": {"reference": f"Device/{key}-pump"},
        "extension": extensions,
    }
