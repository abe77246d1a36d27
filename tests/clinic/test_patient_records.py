"""The patient's record kept per data version (adapters/db/patient_records.py): the
patient page and GET /api/patients/{id} read it once between writes, and every write
(here an interrogation, a write like any other) shows at the next request."""

from __future__ import annotations

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db import patient_records


def test_the_record_is_read_once_between_writes_and_every_write_shows(world, monkeypatch):
    w = world
    computed: list[int] = []
    real = patient_records.patient_record

    def counting(db, patient_id):
        computed.append(patient_id)
        return real(db, patient_id)

    monkeypatch.setattr(patient_records, "patient_record", counting)
    c = w.client("nurse")
    first = c.get(f"/api/patients/{w.a}").json()
    assert first["pump"]["as_of_s"] == T0  # implanted and last read at T0
    assert c.get(f"/patients/{w.a}").status_code == 200
    assert c.get(f"/api/patients/{w.a}").json() == first
    assert computed == [w.a]  # three requests, one read
    w.clinic.care.sync(w.a, T0 + DAY)  # the pump read a day later: a write
    assert c.get(f"/api/patients/{w.a}").json()["pump"]["as_of_s"] == T0 + DAY
    assert computed == [w.a, w.a]
    assert c.get(f"/api/patients/{w.b}").status_code == 200
    assert computed == [w.a, w.a, w.b]
    # the version is the clinic's: a write for another patient reads this one again
    w.clinic.care.sync(w.b, T0 + DAY)
    assert c.get(f"/api/patients/{w.a}").json()["pump"]["as_of_s"] == T0 + DAY
    assert computed == [w.a, w.a, w.b, w.a]
