"""Refill appointments in the database (services/clinic/booking.py has the rules)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import AppointmentRow, Patient
from thecal.adapters.db.repositories import row_or_not_found
from thecal.services.clinic.ports import AppointmentFacts
from thecal.services.vocabulary import AppointmentStatus


class SqlAppointments:
    def __init__(self, db: Session) -> None:
        self.db = db

    def add(self, a: AppointmentFacts, booked_s: float) -> int:
        row = AppointmentRow(patient_id=a.patient_id, kind=a.kind, start_s=a.start_s,
                             end_s=a.end_s, clinician=a.clinician, booked_by=a.booked_by,
                             booked_s=booked_s, status=a.status, note=a.note)  # fmt: skip
        self.db.add(row)
        self.db.flush()
        return row.id

    def get(self, appointment_id: int) -> AppointmentFacts:
        row = row_or_not_found(self.db, AppointmentRow, appointment_id, "appointment")
        return _appointment(row, self.db.get(Patient, row.patient_id))

    def open_for(self, patient_id: int) -> AppointmentFacts | None:
        booked = (
            AppointmentRow.patient_id == patient_id,
            AppointmentRow.status == AppointmentStatus.BOOKED.value,
        )
        row = self.db.scalars(select(AppointmentRow).where(*booked)).first()
        return None if row is None else _appointment(row, None)

    def close(self, appointment_id: int, status: AppointmentStatus, now_s: float) -> None:
        row = row_or_not_found(self.db, AppointmentRow, appointment_id, "appointment")
        row.status, row.closed_s = status.value, now_s
        self.db.flush()

    def between(self, from_s: float, to_s: float,
                clinician: str | None = None) -> list[AppointmentFacts]:  # fmt: skip
        q = (select(AppointmentRow, Patient)
             .join(Patient, Patient.id == AppointmentRow.patient_id)
             .where(AppointmentRow.start_s >= from_s, AppointmentRow.start_s < to_s)
             .order_by(AppointmentRow.start_s, AppointmentRow.id))  # fmt: skip
        if clinician is not None:
            q = q.where(AppointmentRow.clinician == clinician)
        return [_appointment(row, p) for row, p in self.db.execute(q).all()]


def _appointment(row: AppointmentRow, p: Patient | None) -> AppointmentFacts:
    return AppointmentFacts(row.id, row.patient_id, row.kind, row.start_s, row.end_s,
                            row.clinician, row.booked_by, AppointmentStatus(row.status), row.note,
                            p.name if p is not None else "")  # fmt: skip
