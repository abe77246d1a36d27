"""Reading the audit trail back: newest first, a page at a time, narrowed to one user,
one kind of action or one patient.

The page showed the newest 200 rows and the API at most 1000, with no way past them:
a clinic's older rows were kept but out of reach. A page continues from the row
before the last one shown (`before_id`), so a row written meanwhile never shifts
what the next page holds. A patient's rows are those about the patient itself
(entity "patient") and every therapy change whose payload names the patient: the
payload is canonical JSON (audit.canonical: sorted keys, no spaces), so
`"patient_id":12,` or `"patient_id":12}` is the one way it can be written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import AuditRow


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None  # the username, exactly
    action: str | None = None  # an action or its start: "refill" finds "refill.record"
    patient_id: int | None = None
    before_id: int | None = None  # the page after the one that ended at this row

    def query(self) -> Select[AuditRow]:
        q = select(AuditRow)
        if self.user:
            q = q.where(AuditRow.username == self.user)
        if self.action:
            q = q.where(AuditRow.action.startswith(self.action, autoescape=True))
        if self.patient_id is not None:
            pid = str(self.patient_id)
            q = q.where(
                or_(
                    and_(AuditRow.entity == "patient", AuditRow.entity_id == pid),
                    AuditRow.payload.contains(f'"patient_id":{pid},', autoescape=True),
                    AuditRow.payload.contains(f'"patient_id":{pid}}}', autoescape=True),
                )
            )
        if self.before_id is not None:
            q = q.where(AuditRow.id < self.before_id)
        return q.order_by(AuditRow.id.desc())


def audit_page(db: Session, f: AuditFilter, limit: int) -> tuple[list[AuditRow], int | None]:
    """Up to `limit` rows and the `before_id` of the next page (None: none older)."""
    rows = list(db.scalars(f.query().limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)
