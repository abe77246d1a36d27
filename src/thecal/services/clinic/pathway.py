"""The care pathway in the clinic: the record of what has been tried and evaluated,
and the candidacy for SCS and the pump computed from it (core.therapy.pathway).

The decision is computed when the record is written and stored with it (its stage:
evaluation, trial, implant, or not a candidate), so the worklist shows the patients
awaiting an evaluation or a trial without evaluating every record on every read.
"""

# no `from __future__ import annotations`: pydantic reads these TypedDicts at run time
from typing import Any

# pydantic reads typing_extensions' TypedDict on Python 3.11: the API answers these
from typing_extensions import TypedDict

from thecal.core.therapy.candidate import CandidateEvaluation, Decision, Status
from thecal.core.therapy.pathway import Device, PathwayDecision, Stage, decide
from thecal.services.clinic.base import ClinicBase, Readers, can_see, need_reason
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import Principal, UnitOfWork


class CriterionState(TypedDict):
    key: str
    status: Status
    message: str


class Candidacy(TypedDict):
    """One device's candidacy: eligible, not yet or not eligible, with every criterion."""

    decision: Decision
    reasons: list[CriterionState]


class PathwayAnswer(TypedDict):
    """The decision a pathway record leads to: what the clinic does next, which device
    is favoured and why, and both candidacies."""

    stage: Stage
    favoured: Device | None
    why: str
    scs: Candidacy
    idds: Candidacy


class PathwayWithRecord(PathwayAnswer):
    record: dict[str, Any]  # the record as the clinician wrote it


def _candidacy(e: CandidateEvaluation) -> Candidacy:
    reasons = [CriterionState(key=r.key, status=r.status, message=r.message) for r in e.reasons]
    return Candidacy(decision=e.decision, reasons=reasons)


def pathway_answer(d: PathwayDecision) -> PathwayAnswer:
    return PathwayAnswer(
        stage=d.stage, favoured=d.favoured, why=d.why, scs=_candidacy(d.scs),
        idds=_candidacy(d.idds),
    )  # fmt: skip


def store_pathway(
    uow: UnitOfWork, readers: Readers, patient_id: int, document: dict[str, Any], user: str,
    now_s: float,
) -> PathwayDecision:  # fmt: skip
    """Read the record (every field checked, with its path), decide, and store both:
    the one way a pathway record is written (by a clinician, or by an SCS trial's end)."""
    record, cancer = readers.pathway(document)
    d = decide(record, cancer)
    uow.pathways.put(patient_id, document, d.stage, d.favoured, d.why, user, now_s)
    return d


class Pathway(ClinicBase):
    def record_pathway(
        self, who: Principal, patient_id: int, document: dict[str, Any], reason: str,
        now_s: float,
    ) -> PathwayAnswer:  # fmt: skip
        """Store the whole record (every field checked, with its path) and its decision."""
        authorize(who.role, "pathway.write")
        need_reason(reason)
        self.readers.pathway(document)  # refused whole, before anything is opened
        with self.uow() as uow:
            uow.patients.get(patient_id)
            d = store_pathway(uow, self.readers, patient_id, document, who.username, now_s)
            uow.audit.append(
                now_s, who.username, "pathway.record", "patient", patient_id, reason,
                {"stage": d.stage, "favoured": d.favoured},
            )  # fmt: skip
            uow.commit()
        return pathway_answer(d)

    def pathway(self, who: Principal, patient_id: int) -> PathwayWithRecord | None:
        """The stored record with its decision, or None when none is recorded."""
        can_see(who, patient_id)
        authorize(who.role, "pathway.read")
        with self.uow() as uow:
            uow.patients.get(patient_id)
            document = uow.pathways.get(patient_id)
        if document is None:
            return None
        record, cancer = self.readers.pathway(document)
        return PathwayWithRecord(record=document, **pathway_answer(decide(record, cancer)))
