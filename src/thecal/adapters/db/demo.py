"""The demo clinic: patients with months of history, made by the clinic's own use
cases (the same calls the web makes), on a clock that the seed moves by hand.

Seeded with `random.Random(seed)`: the same seed gives the same clinic. Every
patient is invented. The special cases the worklist should show are made on
purpose: refills overdue (one of them baclofen), one refill discrepancy (a pump
that over-delivers), one patient in a trial, one pump near elective replacement.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from thecal.adapters.db.bootstrap import ClinicDb
from thecal.adapters.db.demo_cast import FIRST, LAST, STAFF, THERAPIES, Therapy, program_for
from thecal.adapters.db.models import Pump, Setting, User
from thecal.core.errors import Refused
from thecal.core.pump.commands import Fault
from thecal.core.pump.program import DrugConcentration
from thecal.core.safety import SOFT
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.clinic import Clinic, ImplantInput, Principal
from thecal.services.clinic.gate import Review, SecondPerson, Signoff
from thecal.services.clinic.transactions import RefillInput

DAY = SECONDS_PER_DAY
PASSWORD = "demo-password"
SYSTEM = Principal(0, "system", "thecal demo seed", "admin", None, "")


def principal(cdb: ClinicDb, username: str) -> Principal:
    with cdb.reads() as db:
        u = db.scalars(select(User).where(User.username == username)).one()
        return Principal(u.id, u.username, u.full_name, u.role, u.patient_id, "")


def _pump(cdb: ClinicDb, pid: int) -> Pump:
    with cdb.reads() as db:
        return db.scalars(select(Pump).where(Pump.patient_id == pid)).one()


def signed(review: Review, verifier: str, why: str, password: str = PASSWORD) -> Signoff:
    """What the demo's clinician does on a review: acknowledge its soft findings with a
    reason, have the second person sign where asked, confirm the digest seen."""
    acks = {f.code: why for f in review.proposal.findings if f.severity == SOFT}
    second = SecondPerson(verifier, password) if review.proposal.needs_second_person else None
    return Signoff(acks, second, review.digest)


def _refill(
    clinic: Clinic, who: Principal, pid: int, t: Therapy, now_s: float, verifier: str
) -> None:
    model = clinic.catalogue.get(t.model_id)
    assert model is not None
    add = model.capacity_ml - model.dead_volume_ml
    drugs = tuple(DrugConcentration(n, c) for n, c in t.drugs)
    refill = RefillInput(add, drugs, None, None, f"LOT{int(now_s) % 9973}")
    _, review = clinic.therapy.plan_refill(who, pid, refill, Signoff(), now_s)
    sign = signed(review, verifier, "demo: stability and volume checked")
    clinic.therapy.record_refill(who, pid, refill, sign, now_s, review.therapy_version)


def _symptom(t: Therapy) -> str:
    """What a titration treats: spasticity for baclofen, pain for the analgesics."""
    return "spasticity" if t.indication.startswith("spasticity") else "pain"


def _titrate(
    clinic: Clinic, who: Principal, pid: int, t: Therapy, dose: float, now_s: float, verifier: str
) -> float:
    new = dose * 1.1
    program = program_for(t, new)
    review = clinic.therapy.check_program(who, pid, program, Signoff(), now_s)
    sign = signed(review, verifier, "demo: planned 10 % titration, patient reviewed")
    try:
        clinic.therapy.commit_program(
            who, pid, program, f"demo: 10 % increase for {_symptom(t)}", sign, now_s,
            review.therapy_version,
        )
    except Refused:
        return dose
    return new


def seed(
    cdb: ClinicDb,
    patients: int,
    end_s: float,
    seed_value: int = 7,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    rng = random.Random(seed_value)
    clinic = cdb.clinic
    start = end_s - 200 * DAY
    with cdb.unit_of_work() as uow:
        uow.audit.append(
            start, SYSTEM.username, "demo.seed", "clinic", 0, "demo clinic created",
            {"patients": patients, "seed": seed_value},
        )  # fmt: skip
        uow.commit()
    for username, name, role in STAFF:
        clinic.user_admin.add_user(SYSTEM, username, name, PASSWORD, role, None, start)
    dr, rn = principal(cdb, "dr.adams"), principal(cdb, "rn.clark")
    logins: list[tuple[str, str]] = []
    special = {
        0: "eri",
        1: "overdue-baclofen",
        2: "overdue",
        3: "overdue",
        4: "discrepancy",
        5: "trial",
        6: "pathway",  # awaiting a pump trial (axial back pain)
        7: "scs",  # SCS trial, then the stimulator (leg pain)
    }
    for i in range(patients):
        role = special.get(i, "")
        therapy = THERAPIES[4] if role == "overdue-baclofen" else THERAPIES[i % len(THERAPIES)]
        if role == "eri":
            therapy = Therapy(
                "non_cancer", "peristaltic-20", (("morphine", 10000.0),), 5000.0, None, 3.0
            )
        implanted = end_s - 2440 * DAY if role == "eri" else start + rng.uniform(0, 60) * DAY
        candidate = role in ("pathway", "scs")
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i + i // len(FIRST)) % len(LAST)]}"
        pid = clinic.care.add_patient(
            dr,
            {
                "mrn": f"{100000 + i}",
                "name": name,
                "birth_year": rng.randint(1940, 1995),
                "indication": "spasticity_spinal"
                if role == "trial"
                else "non_cancer"
                if candidate
                else therapy.indication,
                "weight_kg": round(rng.uniform(50, 100), 1),
                "opioid_naive": False,
                "status": "trial" if role == "trial" else "candidate" if candidate else "implanted",
            },
            "demo patient",
            implanted,
        )
        if i < 5 or role == "trial":
            username = f"patient{i + 1:02d}"
            clinic.user_admin.add_user(SYSTEM, username, name, PASSWORD, "patient", pid, implanted)
            logins.append((username, name))
        if candidate:
            pattern = "axial_back" if role == "pathway" else "neuropathic_leg"
            _pathway(clinic, dr, pid, end_s, pattern)
            if role == "scs":
                _stimulator(clinic, dr, pid, end_s)
            continue
        if role == "trial":
            _trial(clinic, dr, pid, end_s)
            continue
        dose = therapy.dose_mcg_per_day
        # every demo patient arrives on established therapy from another centre: the new
        # pump continues the documented program (checked as a continuation, signed)
        established = program_for(therapy, dose)
        implant = ImplantInput(
            therapy.model_id,
            f"SN{rng.randint(10**6, 10**7)}",
            "two-piece",
            rng.choice([60, 75, 90]),
            2.6,
            rng.choice(["T8", "T10", "T11"]),
            established,
            clinic.catalogue.get(therapy.model_id).capacity_ml - 1.0,  # type: ignore[union-attr]
            continues=established,
            lot=f"LOT{int(implanted) % 9973}",  # as a refill's: no draw, the rest unchanged
        )
        review = clinic.devices.check_implant(dr, pid, implant, Signoff(), implanted)
        sign = signed(review, "dr.baker", "demo: transfer on established therapy")
        clinic.devices.implant(dr, pid, implant, "implant (transfer in)", sign, implanted)
        _history(cdb, dr, rn, pid, therapy, dose, role, implanted, end_s, rng)
        if progress:
            progress(i + 1)
    _bookings(cdb, rn, end_s)
    with cdb.unit_of_work() as uow:
        uow.db.add(Setting(key="demo", value=json.dumps({"logins": logins, "end_s": end_s})))
        uow.commit()
    return {"staff": [(u, r) for u, _, r in STAFF], "patients": logins, "password": PASSWORD}


def _bookings(cdb: ClinicDb, rn: Principal, end_s: float, most: int = 10) -> None:
    """The coming fortnight's refill appointments, booked by the nurse through the use
    case (so the calendar and the feeds have something to show): 09:00 onwards in
    45-minute slots, spread over the next twelve days and never after the pump is due;
    a clinician's taken slot moves the booking to their next free one (the use case
    refuses a double booking)."""
    with cdb.reads() as db:
        due = db.execute(select(Pump.patient_id, Pump.refill_due_s)
                         .where(Pump.refill_due_s > end_s + 2 * DAY)
                         .order_by(Pump.refill_due_s).limit(most)).all()  # fmt: skip
    morning = end_s - end_s % DAY + 9 * 3600.0  # 09:00 UTC of the demo's day
    taken: set[tuple[str, float]] = set()
    for n, (pid, due_s) in enumerate(due):
        assert due_s is not None  # the query asked for a due date
        latest = int((due_s - end_s) // DAY) - 1
        days = _weekday(morning, max(1, min(1 + n % 12, latest)), latest)  # spread out
        who = "rn.clark" if n % 2 == 0 else "dr.adams"
        slot = n % 4
        while (who, start := morning + days * DAY + slot * 2700.0) in taken:
            slot += 1
        taken.add((who, start))
        cdb.clinic.booking.book_refill(rn, pid, start, 30, who, "demo booking", end_s)


def _history(
    cdb: ClinicDb,
    dr: Principal,
    rn: Principal,
    pid: int,
    therapy: Therapy,
    dose: float | None,
    role: str,
    implanted: float,
    end_s: float,
    rng: random.Random,
) -> None:
    clinic = cdb.clinic
    t = implanted
    titrated = biased = False
    week = 7 * DAY
    while t + week < end_s:
        _demand(clinic, pid, therapy, t, t + week, end_s, rng)
        t += week
        clinic.care.sync(pid, t)
        if role == "discrepancy" and not biased and t > end_s - 60 * DAY:
            clinic.care.inject_fault(pid, Fault("bias", 0.3), t)  # the pump over-delivers by 30 %
            biased = True
        pump = _pump(cdb, pid)
        late_ok = role.startswith("overdue") and t > end_s - 100 * DAY
        last_week = t + week >= end_s
        due = pump.refill_due_s is not None and pump.refill_due_s <= t + 4 * DAY
        if (due and not late_ok) or (role == "discrepancy" and last_week):
            _refill(clinic, rn, pid, therapy, t, "dr.baker")
        elif dose is not None and not titrated and t > implanted + 45 * DAY and rng.random() < 0.3:
            dose = _titrate(clinic, dr, pid, therapy, dose, t, "dr.baker")
            titrated = True
        if therapy.indication != "spasticity_spinal":
            pain = max(0, min(10, round(rng.gauss(4.5, 1.5))))
            clinic.care.add_diary(_patient(pid), pid, pain, None, "", t + 3600)
    _demand(clinic, pid, therapy, t, end_s, end_s, rng)
    clinic.care.sync(pid, end_s)


def _demand(
    clinic: Clinic,
    pid: int,
    therapy: Therapy,
    t0: float,
    t1: float,
    end_s: float,
    rng: random.Random,
) -> None:
    """Patient bolus requests over the last fortnight: some land inside the lockout."""
    if therapy.demand_mcg is None:
        return
    when = max(t0, end_s - 14 * DAY)
    while True:
        when += rng.uniform(2, 9) * 3600
        if when >= t1:
            return
        clinic.care.request_bolus(_patient(pid), pid, f"seed-{pid}-{int(when)}", when)


def _patient(pid: int) -> Principal:
    return Principal(0, f"patient-of-{pid}", "", "patient", pid, "")


def _weekday(morning_s: float, days: int, latest: int) -> int:
    """`days` ahead, moved off a weekend: to the Friday before, or when that is not
    ahead, to the Monday after if the refill is not due by then (else left)."""
    weekday = datetime.fromtimestamp(morning_s + days * DAY, UTC).weekday()
    if weekday < 5:
        return days
    if days - (weekday - 4) >= 1:
        return days - (weekday - 4)
    return days + (7 - weekday) if days + (7 - weekday) <= latest else days


def _trial(clinic: Clinic, dr: Principal, pid: int, end_s: float) -> None:
    from thecal.adapters.inputs.loader import iso

    tid = clinic.trials.start_trial(
        dr,
        pid,
        {
            "kind": "baclofen_screening",
            "drug": "baclofen",
            "indication": "spasticity_spinal",
            "baseline": {"ashworth": 4},
        },
        end_s - 2 * DAY,
    )
    day = {"at": iso(end_s - 2 * DAY), "amount": "50 mcg"}
    clinic.trials.add_trial_dose(dr, tid, day, end_s - 2 * DAY)
    clinic.trials.add_trial_assessment(
        dr,
        tid,
        {"at": iso(end_s - 2 * DAY + 4 * 3600), "ashworth": 4},
        end_s - 2 * DAY + 4 * 3600,
    )
    clinic.trials.add_trial_dose(dr, tid, {"at": iso(end_s - DAY), "amount": "75 mcg"}, end_s - DAY)
    clinic.trials.add_trial_assessment(
        dr, tid, {"at": iso(end_s - DAY + 5 * 3600), "ashworth": 3}, end_s - DAY + 5 * 3600
    )


def _pathway(clinic: Clinic, dr: Principal, pid: int, end_s: float, pattern: str) -> None:
    """Failed back surgery: conservative care tried and failed, evaluated, one pattern."""
    from thecal.adapters.inputs.loader import iso

    tried = [("physical_therapy", 400), ("medication", 380), ("injections", 300)]
    record = {
        "treatments": [{"kind": k, "start": iso(end_s - d * DAY),
                        "end": iso(end_s - (d - 60) * DAY), "outcome": "failed"}
                       for k, d in tried],
        "surgical_candidate": False, "fit_for_surgery": True,
        "psychological_evaluation_favourable": True, "imaging_done": True,
        "pain_pattern": pattern, "dependent_on_pain_medication": True,
        "systemic_opioid_reduction_attempted": True,
    }  # fmt: skip
    clinic.pathways.record_pathway(dr, pid, record, "demo: pain clinic review", end_s - 20 * DAY)


def _stimulator(clinic: Clinic, dr: Principal, pid: int, end_s: float) -> None:
    """A five-day SCS trial with half the pain gone, then the implant."""
    from thecal.core.scs.program import Electrode, ScsProgram

    program = ScsProgram("tonic", 4.0, 300.0, 50.0, (Electrode(2, "-", 0.5),
                                                     Electrode(3, "-", 0.5)))  # fmt: skip
    start = end_s - 14 * DAY
    stim, lead = "ipg-rechargeable", "percutaneous-8"
    seen = clinic.stimulation.check_scs_program(dr, pid, program, stim, lead)["reviewed_digest"]
    clinic.stimulation.start_scs_trial(
            dr, pid, stim, lead, 7.0, program, "demo: leg pain, SCS trial",
            start, seen)  # fmt: skip
    for day, nrs in enumerate((4.0, 3.0, 3.0, 4.0, 3.0), start=1):
        clinic.stimulation.record_scs_day(dr, pid, nrs, start + day * DAY)
    clinic.stimulation.end_scs_trial(dr, pid, start + 5 * DAY)
    clinic.stimulation.implant_stimulator(dr, pid, stim, lead, "IPG-DEMO-1", program,
                              "demo: trial succeeded", end_s - 3 * DAY, seen)  # fmt: skip
