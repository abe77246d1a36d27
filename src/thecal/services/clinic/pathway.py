"""The care pathway in the clinic: the record of what has been tried and evaluated,
and the candidacy for SCS and the pump computed from it (core.therapy.pathway).

The decision is computed when the record is written and stored with it (its stage:
evaluation, trial, implant, or not a candidate), so the worklist shows the patients
awaiting an evaluation or a trial without evaluating every record on every read.
"""

from __future__ import annotations

from typing import Any

from thecal.core.therapy.candidate import CandidateEvaluation
from thecal.core.therapy.pathway import PathwayDecision, decide
from thecal.services.clinic.base import ClinicBase, Readers, can_see, need_reason
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import Principal, UnitOfWork


def _candidacy(e: CandidateEvaluation) -> dict[str, Any]:
    return {
        "decision": e.decision,
        "reasons": [
            {"key": r.key, "status": r.status, "message": r.message} for r in e.reasons
        ],
    }


def decision_dict(d: PathwayDecision) -> dict[str, Any]:
    return {
        "stage": d.stage,
        "favoured": d.favoured,
        "why": d.why,
        "scs": _candidacy(d.scs),
        "idds": _candidacy(d.idds),
    }


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
    ) -> dict[str, Any]:  # fmt: skip
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
        return decision_dict(d)

    def pathway(self, who: Principal, patient_id: int) -> dict[str, Any] | None:
        """The stored record with its decision, or None when none is recorded."""
        can_see(who, patient_id)
        authorize(who.role, "pathway.read")
        with self.uow() as uow:
            uow.patients.get(patient_id)
            document = uow.pathways.get(patient_id)
        if document is None:
            return None
        record, cancer = self.readers.pathway(document)
        return {"record": document, **decision_dict(decide(record, cancer))}
