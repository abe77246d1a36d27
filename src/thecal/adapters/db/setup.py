"""What the entry points need of the database beside the use cases (issue 27): the
clinic clock kept in it (the demo's accelerated clock), whether it already holds
patients (the demo seeds only an empty clinic) and the pumps a server keeps current.
The CLI and the web app read and write these rows here, never themselves, so every
row has one home under adapters."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from thecal.adapters.clock import ClinicClock
from thecal.adapters.db.bootstrap import ClinicDb
from thecal.adapters.db.models import Patient, Pump, Setting

CLOCK = "clock"


def stored_clock(cdb: ClinicDb) -> ClinicClock | None:
    with cdb.reads() as db:
        row = db.get(Setting, CLOCK)
    if row is None:
        return None
    c = json.loads(row.value)
    return ClinicClock(c["anchor_clinic_s"], c["anchor_real_s"], c["speed"])


def store_clock(cdb: ClinicDb, clock: ClinicClock) -> None:
    value = json.dumps({"anchor_clinic_s": clock.anchor_clinic_s,
                        "anchor_real_s": clock.anchor_real_s, "speed": clock.speed})  # fmt: skip
    with cdb.unit_of_work() as uow:
        row = uow.db.get(Setting, CLOCK)
        if row is None:
            uow.db.add(Setting(key=CLOCK, value=value))
        else:
            row.value = value
        uow.commit()


def holds_patients(cdb: ClinicDb) -> bool:
    with cdb.reads() as db:
        return bool(db.scalar(select(func.count()).select_from(Patient)))


def pumped_patients(cdb: ClinicDb) -> list[int]:
    """Every patient with a pump, for the server's periodic reading of in-process pumps."""
    with cdb.reads() as db:
        return list(db.scalars(select(Pump.patient_id)))
