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


def test_a_record_cut_to_its_limit_keeps_the_newest_program_and_readings(sqlite_world):
    """Bo: baclofen 400 mcg/day at implant (version 1), then 410, 420, 430 mcg/day a day
    apart (versions 2-4). Read with room for three rows of each kind, the running
    program is still version 4 at 430 mcg/day (oldest first, the limit kept versions
    1-3 and showed 420 as running), and the readings kept are the three newest, in
    time order."""
    from dataclasses import replace

    from tests.clinic.conftest import baclofen
    from thecal.adapters.db.queries import patient_record
    from thecal.adapters.pump.program_codec import program_from_json
    from thecal.core.pump.program import Step

    w = sqlite_world
    for day, mcg in ((1, 410.0), (2, 420.0), (3, 430.0)):
        w.clock.t = T0 + day * DAY
        w.program(w.b, replace(baclofen(), steps=(Step(0.0, dose_mcg_per_s=mcg / DAY),)), w.clock.t)
    with w.db.reads() as db:
        everything = patient_record(db, w.b)
        cut = patient_record(db, w.b, limit=3)
    assert [v.version_no for v in everything.programs] == [1, 2, 3, 4]
    assert [v.version_no for v in cut.programs] == [2, 3, 4]
    running = program_from_json(cut.program.program)
    assert running.steps[0].dose_mcg_per_s * DAY == 430.0
    times = [r.at_s for r in cut.readings]
    assert len(times) == 3 and times == sorted(times)
    assert times == [r.at_s for r in everything.readings][-3:]
