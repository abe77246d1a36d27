"""The clinic rows a validated FHIR Bundle describes (the inverse of export.py and
therapy.py), read field by field; every missing or unreadable field is a Problem
naming its resource, and nothing is written here."""

from __future__ import annotations

from typing import Any

from thecal.adapters.fhir import codes as k
from thecal.core.errors import Problem

Groups = dict[str, list[tuple[int, dict[str, Any]]]]


def _code(r: dict[str, Any]) -> str | None:
    return k.code_of(r.get("code"))


def _quantity(component_owner: dict[str, Any], code: str) -> float | None:
    for c in component_owner.get("component", []):
        if k.code_of(c.get("code")) == code:
            value = c.get("valueQuantity", {}).get("value")
            return None if value is None else float(value)
    return None


def _implant(groups: Groups, problems: list[Any], reader: Any) -> dict[str, Any] | None:
    devices = {k.code_of(r.get("type")): (i, r) for i, r in groups.get("Device", [])}
    if k.PUMP[0] not in devices:
        return None
    i, pump = devices[k.PUMP[0]]
    d = reader(i, pump, problems)
    out: dict[str, Any] = {
        "serial": d.need(pump.get("serialNumber"), "serialNumber", "the pump serial"),
        "model_id": d.need(pump.get("modelNumber"), "modelNumber", "the pump model id"),
    }
    if k.CATHETER[0] not in devices:
        problems.append(k_problem(d.where, "Device", "an intrathecal catheter Device"))
        return out
    j, cath = devices[k.CATHETER[0]]
    c = reader(j, cath, problems)
    props = {p.get("type", {}).get("text"): p for p in cath.get("property", [])}
    def prop(name: str, kind: str) -> Any:
        p = props.get(name, {})
        values = p.get(kind) or [{}]
        return c.need(values[0].get("value" if kind == "valueQuantity" else "text"),
                      f"property[{name}]", f"the catheter {name}")
    out.update(
        catheter_type=c.need(cath.get("modelNumber"), "modelNumber", "the catheter type"),
        catheter_length_cm=prop("length", "valueQuantity"),
        catheter_ul_per_cm=prop("volume per length", "valueQuantity"),
        tip_level=prop("tip level", "valueCode"),
    )
    procedures = [(i, r) for i, r in groups.get("Procedure", []) if _code(r) == k.IMPLANT[0]]
    if not procedures:
        problems.append(k_problem(d.where, "Procedure", "the implant Procedure"))
    else:
        out["implanted_s"] = reader(*procedures[0], problems).time("performedDateTime")
    return out


def k_problem(where: str, field: str, what: str) -> Problem:
    return Problem(f"{where}.{field}", f"required: {what}")


def _programs(groups: Groups, problems: list[Any], reader: Any) -> list[dict[str, Any]]:
    out = []
    for i, r in groups.get("MedicationRequest", []):
        m = reader(i, r, problems)
        out.append({
            "version_no": m.need(k.ext_value(r, "program-version", "valueInteger"),
                                 "extension[program-version]", "the program version"),
            "program": m.record("program"),
            "digest": m.need(k.ext_value(r, "program-digest", "valueString"),
                             "extension[program-digest]", "the program digest"),
            "summary": m.need((r.get("note") or [{}])[0].get("text"), "note[0]",
                              "the program summary"),
            "created_by": m.need(r.get("requester", {}).get("display"), "requester",
                                 "who wrote the program"),
            "created_s": m.time("authoredOn"),
            "reason": (r.get("reasonCode") or [{}])[0].get("text", ""),
        })
    return sorted(out, key=lambda v: v["version_no"] or 0)


def _boluses(groups: Groups, problems: list[Any], reader: Any) -> list[dict[str, Any]]:
    out = []
    for i, r in groups.get("MedicationAdministration", []):
        if r.get("category", {}).get("text") != "patient demand bolus":
            continue  # a refill's fluid: restored from its Procedure
        m = reader(i, r, problems)
        granted = r.get("status") == "completed"
        out.append({
            "request_uid": m.need(next((x.get("value") for x in r.get("identifier", [])
                                        if x.get("system") == k.REQUEST_ID), None),
                                  "identifier", "the demand request id"),
            "at_s": m.time("effectiveDateTime"),
            "result": "granted" if granted else "denied",
            "reason": None if granted else (r.get("statusReason") or [{}])[0].get("text"),
            "lockout_remaining_s": float(
                k.ext_value(r, "lockout-remaining-s", "valueDecimal") or 0.0),
        })
    return out


def _observations(groups: Groups, problems: list[Any], reader: Any) -> dict[str, Any]:
    diary, readings, status = [], [], None
    for i, r in groups.get("Observation", []):
        m = reader(i, r, problems)
        code = _code(r)
        if code == k.PAIN_SEVERITY[0]:
            spasm = next((c.get("valueInteger") for c in r.get("component", [])
                          if k.code_of(c.get("code")) == k.SPASM[0]), None)
            diary.append({"at_s": m.time("effectiveDateTime"),
                          "pain_nrs": r.get("valueInteger"), "spasm": spasm,
                          "note": (r.get("note") or [{}])[0].get("text", "")})
        elif code == k.RESERVOIR[0]:
            value = r.get("valueQuantity", {}).get("value")
            readings.append({"at_s": m.time("effectiveDateTime"),
                             "reservoir_estimate_ml": None if value is None else float(value),
                             "daily_dose_mcg": _quantity(r, k.DAILY_DOSE[0])})
        elif code == k.PUMP_STATUS[0]:
            reservoir = m.need(_quantity(r, k.RESERVOIR[0]), "component[reservoir-volume]",
                               "the reservoir volume at the last interrogation")
            status = (m.time("effectiveDateTime"), reservoir, _quantity(r, k.BATTERY[0]))
    return {"diary": diary, "readings": readings, "status": status}


def _alarms(groups: Groups, problems: list[Any], reader: Any) -> list[dict[str, Any]]:
    out = []
    for i, r in groups.get("Flag", []):
        m = reader(i, r, problems)
        period = r.get("period", {})
        acked = k.ext_value(r, "acknowledged-at", "valueDateTime")
        out.append({
            "code": m.need(_code(r), "code", "the alarm code"),
            "severity": k.ext_value(r, "alarm-severity", "valueCode") or "info",
            "onset_s": k.clinic_time(m.need(period.get("start"), "period.start",
                                            "the alarm onset") or "1970-01-01T00:00:00Z"),
            "cleared_s": k.clinic_time(period["end"]) if period.get("end") else None,
            "acknowledged_by": k.ext_value(r, "acknowledged-by", "valueString"),
            "acknowledged_s": k.clinic_time(acked) if acked else None,
        })
    return out


def coded_records(
    groups: Groups,
    kind: tuple[str, str, tuple[str, str]],
    fields: tuple[str, ...],
    problems: list[Any],
    reader: Any,
) -> list[dict[str, Any]]:
    """The thecal records of every resource of one type and code: `kind` is (resource
    type, the element its code is in, the code); a record missing one of `fields` is a
    problem naming the resource and the fields."""
    rtype, element, code = kind
    out = []
    for i, r in groups.get(rtype, []):
        if k.code_of(r.get(element)) != code[0]:
            continue
        d = reader(i, r, problems)
        record = d.record(code[0])
        if whole(record, fields, f"{d.where}.{code[0]}", problems):
            out.append(record)
    return out


def whole(record: Any, fields: tuple[str, ...], where: str, problems: list[Any]) -> bool:
    """Whether `record` has exactly `fields`: a missing one, or one thecal does not know
    (it would reach the row's constructor and answer a server error), is a problem at
    `where`."""
    if record is None:
        return False
    if not isinstance(record, dict):
        problems.append(Problem(where, "a JSON object with " + ", ".join(fields)))
        return False
    missing = [f for f in fields if f not in record]
    unknown = sorted(set(record) - set(fields))
    if missing:
        problems.append(Problem(where, "missing: " + ", ".join(missing)))
    if unknown:
        problems.append(Problem(where, "not a field of this record: " + ", ".join(unknown)))
    return not missing and not unknown


def read_rows(groups: Groups, problems: list[Any], reader: Any) -> dict[str, Any]:
    sessions = []
    for i, r in groups.get("Provenance", []):
        d = reader(i, r, problems)
        s = d.record("programming-session")
        if whole(s, k.SESSION_FIELDS, f"{d.where}.programming-session", problems):
            sessions.append(s)
    refills = []
    for i, r in groups.get("Procedure", []):
        if _code(r) == k.REFILL[0]:
            d = reader(i, r, problems)
            refill = d.record("refill")
            if whole(refill, k.REFILL_FIELDS, f"{d.where}.refill", problems):
                refills.append(refill)
    return {
        "implant": _implant(groups, problems, reader),
        "programs": _programs(groups, problems, reader),
        "sessions": sorted(sessions, key=lambda s: s["started_s"]),
        "refills": refills,
        "boluses": _boluses(groups, problems, reader),
        "alarms": _alarms(groups, problems, reader),
        **_observations(groups, problems, reader),
    }
