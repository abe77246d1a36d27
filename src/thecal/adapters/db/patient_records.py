"""A patient's record (queries.patient_record: about a dozen queries) kept per
version of the clinic's data, for the pages that only show it.

The record does not depend on the clinic's clock, so the key is the version and
the patient. The version is global: a write anywhere in the clinic makes the next
request for every patient read the record again. That is always right and cheap to
get right; a version per patient would keep more between writes, but would need
every use case that touches a patient to advance it, and one it forgot would show
a stale pump or alarm. Only requests that write nothing may use it (their version
was read before they began): a route that writes and then shows the record reads
it afresh.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from thecal.adapters.db.kept import Kept
from thecal.adapters.db.queries import PatientRecord, patient_record


class PatientRecords:
    # Records, not pages: a long-treated patient's record holds up to 500 rows of
    # each history (readings, boluses, diary...), a few MB of ORM objects at worst,
    # so a worker keeps a few dozen. Between two writes few more are opened anyway.
    KEPT = 32

    def __init__(self) -> None:
        self._records: Kept[tuple[int, int], PatientRecord] = Kept(self.KEPT)

    def record(self, db: Session, version: int, patient_id: int) -> PatientRecord:
        return self._records.get_or_compute(
            (version, patient_id), lambda: patient_record(db, patient_id)
        )
