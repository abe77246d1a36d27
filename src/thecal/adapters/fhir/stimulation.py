"""A patient's spinal cord stimulators in the bundle, and back.

A patient moved with a bundle arrived without the stimulator implanted in them, its
trial and programs. Each stimulator (a trial's external one or an implant) is a
Device of thecal's stimulator code with its programs. As elsewhere in the mapping,
standard elements carry what any FHIR reader needs (model, serial, status) and
thecal's own record rides along in one extension, so an import restores the rows
exactly. A stimulator is not a drug pump: restoring its records sends nothing to any
device, like the pump's imported history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import ScsDeviceRow, ScsProgramRow
from thecal.adapters.fhir import codes as k
from thecal.adapters.fhir.import_rows import coded_records
from thecal.core.errors import Problem

DEVICE_FIELDS = ("kind", "stimulator_id", "lead_id", "serial", "started_s", "ended_s",
                 "active", "baseline_nrs", "daily_nrs", "outcome")  # fmt: skip
PROGRAM_FIELDS = ("program", "created_by", "created_s", "reason")


def stimulator_devices(db: Session, patient_id: int, key: str) -> list[dict[str, Any]]:
    """Every stimulator the patient had, oldest first, each with its programs."""
    devices = db.scalars(select(ScsDeviceRow).where(ScsDeviceRow.patient_id == patient_id)
                         .order_by(ScsDeviceRow.id)).all()  # fmt: skip
    out = []
    for n, d in enumerate(devices, 1):
        programs = db.scalars(select(ScsProgramRow).where(ScsProgramRow.device_id == d.id)
                              .order_by(ScsProgramRow.id)).all()  # fmt: skip
        record = {f: getattr(d, f) for f in DEVICE_FIELDS}
        record["programs"] = [{f: getattr(p, f) for f in PROGRAM_FIELDS} for p in programs]
        device: dict[str, Any] = {
            "resourceType": "Device",
            "id": f"{key}-scs-{n}",
            "status": "active" if d.active else "inactive",
            "modelNumber": d.stimulator_id,
            "deviceName": [{"name": d.stimulator_id, "type": "model-name"}],
            "type": k.concept(k.STIMULATOR),
            "patient": {"reference": f"Patient/{key}"},
            "extension": [k.record_ext(k.STIMULATOR[0], record)],
        }
        if d.serial:
            device["serialNumber"] = d.serial
        out.append(device)
    return out


def read_stimulators(groups: Any, problems: list[Problem], reader: Any) -> list[dict[str, Any]]:
    """Each stimulator Device's record (its programs under "programs")."""
    kind = ("Device", "type", k.STIMULATOR)
    return coded_records(groups, kind, (*DEVICE_FIELDS, "programs"), problems, reader)


def add_stimulators(db: Session, patient_id: int, records: list[dict[str, Any]]) -> None:
    for record in records:
        programs = record.pop("programs")
        db.add(device := ScsDeviceRow(patient_id=patient_id, **record))
        db.flush()
        for p in programs:
            db.add(ScsProgramRow(patient_id=patient_id, device_id=device.id, **p))
