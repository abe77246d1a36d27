"""The care-pathway record and the pump trials in the bundle, and back.

Both decide what comes next for a patient (a trial first, an implant, or not a
candidate), so a receiving clinic needs them: the pathway record rides on the
Patient, each trial (a baclofen screening, an opioid single shot, escalating or
continuous trial) is a Procedure of thecal's trial code with its doses, scores and
evaluation. thecal's own record rides along in one extension, so an import restores
the rows exactly (the mapping's rule, docs/fhir.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import AssessmentRow, PathwayRow, TrialRow
from thecal.adapters.fhir import codes as k
from thecal.adapters.fhir.import_rows import coded_records, whole
from thecal.core.errors import Problem
from thecal.services.vocabulary import TrialStatus

# not its version: a concurrency counter of this database (expected_version), which
# starts again at 1 in the clinic that imports it
PATHWAY_FIELDS = ("document", "stage", "favoured", "why", "updated_by", "updated_s")
TRIAL_FIELDS = ("kind", "drug", "status", "started_s", "document", "evaluation")


def pathway_extension(row: PathwayRow | None) -> list[dict[str, Any]]:
    """The care-pathway record as an extension of the Patient (none: no extension)."""
    if row is None:
        return []
    return [k.record_ext("care-pathway", {f: getattr(row, f) for f in PATHWAY_FIELDS})]


def trial_procedures(db: Session, patient_id: int, key: str) -> list[dict[str, Any]]:
    """Every trial, oldest first, with its assessments."""
    trials = db.scalars(select(TrialRow).where(TrialRow.patient_id == patient_id)
                        .order_by(TrialRow.id)).all()  # fmt: skip
    out = []
    for n, t in enumerate(trials, 1):
        scored = db.scalars(select(AssessmentRow).where(AssessmentRow.trial_id == t.id)
                            .order_by(AssessmentRow.id)).all()  # fmt: skip
        record = {f: getattr(t, f) for f in TRIAL_FIELDS}
        record["assessments"] = [{"at_s": a.at_s, "data": a.data} for a in scored]
        out.append({
            "resourceType": "Procedure",
            "id": f"{key}-trial-{n}",
            "status": "in-progress" if t.status == TrialStatus.OPEN else "completed",
            "code": k.concept(k.TRIAL),
            "subject": {"reference": f"Patient/{key}"},
            "performedDateTime": k.fhir_time(t.started_s),
            "extension": [k.record_ext(k.TRIAL[0], record)],
        })  # fmt: skip
    return out


def read_pathway(patient: Any, problems: list[Problem]) -> dict[str, Any] | None:
    """The Patient's care-pathway record, if it has one."""
    record = k.ext_record(patient.r, "care-pathway")
    if record is None:
        return None
    return record if whole(record, PATHWAY_FIELDS, f"{patient.where}.care-pathway",
                           problems) else None  # fmt: skip


def read_trials(groups: Any, problems: list[Problem], reader: Any) -> list[dict[str, Any]]:
    kind = ("Procedure", "code", k.TRIAL)
    return coded_records(groups, kind, (*TRIAL_FIELDS, "assessments"), problems, reader)


def add_care(db: Session, patient_id: int, pathway: dict[str, Any] | None,
             trials: list[dict[str, Any]]) -> None:  # fmt: skip
    if pathway is not None:
        db.add(PathwayRow(patient_id=patient_id, **pathway))
    for record in trials:
        assessments = record.pop("assessments")
        db.add(trial := TrialRow(patient_id=patient_id, **record))
        db.flush()
        for a in assessments:
            db.add(AssessmentRow(trial_id=trial.id, **a))
