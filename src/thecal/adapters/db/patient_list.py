"""The patient list, one page at a time, with what a clinician scans it for: the pump's
state, its next refill and the running program.

It returned the first 100 patients by name and said nothing of the rest: in a clinic
of hundreds, a patient whose name sorts late could not be found by browsing, on the
screen or the API. Now it counts them all and pages through them in a stable order
(name, then id): six queries a page (the count, the page, its pumps, their latest
program versions, and for those without a pump their open trials and stimulators),
never one per patient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import Patient, ProgramVersion, Pump, ScsDeviceRow, TrialRow
from thecal.services.vocabulary import TrialStatus


@dataclass(frozen=True)
class ListedPatient:
    patient: Patient
    pump: Pump | None  # None: no pump (a candidate, a trial, an explant)
    program: dict[str, Any] | None  # the latest program version, while there is a pump
    # without a pump, what the patient has instead: the open pump trial (kind, drug,
    # started) and the active stimulator (kind, started); the list read "-" for them
    trial: tuple[str, str, float] | None = None
    stimulator: tuple[str, float] | None = None


@dataclass(frozen=True)
class PatientPage:
    rows: list[ListedPatient]
    total: int  # every patient the search matches, on every page


def patient_page(db: Session, query: str = "", offset: int = 0, limit: int = 50) -> PatientPage:
    """`query`: part of a name or an MRN, any case, read as typed: "%" and "_" are
    characters a name may hold (O_Brien), not the database's wildcards."""
    where = []
    if query:
        where.append(
            or_(
                Patient.name.icontains(query, autoescape=True),
                Patient.mrn.icontains(query, autoescape=True),
            )
        )
    total = db.scalar(select(func.count()).select_from(Patient).where(*where)) or 0
    ordered = select(Patient).where(*where).order_by(Patient.name, Patient.id)
    found = list(db.scalars(ordered.offset(offset).limit(limit)))
    ids = [p.id for p in found]
    pumps = {p.patient_id: p for p in db.scalars(select(Pump).where(Pump.patient_id.in_(ids)))}
    latest = (
        select(ProgramVersion.patient_id, func.max(ProgramVersion.version_no).label("v"))
        .where(ProgramVersion.patient_id.in_(list(pumps)))
        .group_by(ProgramVersion.patient_id)
        .subquery()
    )
    same = and_(
        ProgramVersion.patient_id == latest.c.patient_id, ProgramVersion.version_no == latest.c.v
    )
    newest = select(ProgramVersion.patient_id, ProgramVersion.program).join(latest, same)
    programs: dict[int, dict[str, Any]] = {pid: doc for pid, doc in db.execute(newest)}
    without = [i for i in ids if i not in pumps]
    trials = {pid: (kind, drug, t) for pid, kind, drug, t in db.execute(
        select(TrialRow.patient_id, TrialRow.kind, TrialRow.drug, TrialRow.started_s)
        .where(TrialRow.patient_id.in_(without), TrialRow.status == TrialStatus.OPEN)
        .order_by(TrialRow.started_s))}  # fmt: skip
    stimulators = {pid: (kind, t) for pid, kind, t in db.execute(
        select(ScsDeviceRow.patient_id, ScsDeviceRow.kind, ScsDeviceRow.started_s)
        .where(ScsDeviceRow.patient_id.in_(without), ScsDeviceRow.active.is_(True)))}
    rows = [ListedPatient(p, pumps.get(p.id), programs.get(p.id), trials.get(p.id),
                          stimulators.get(p.id)) for p in found]  # fmt: skip
    return PatientPage(rows, total)

