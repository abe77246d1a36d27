"""Constant-flow (gas-driven) pumps in the clinic: implant, the worklist's refill date,
and a refill whose withdrawn volume shows what a fever did to the flow.

A constant-flow pump has no telemetry, no estimate and no alarm (devices.md F50,
pump-behaviour.md §9). The clinic's expected volume is its own ledger: the volume at
the last fill less the nominal flow since. Worked by hand for constant-flow-20
(0.5 mL/day nominal at 37 °C and 101.325 kPa; accuracy 15 %), filled with 20 mL:

- the refill is booked when the pump could be empty at the fastest rate its accuracy
  allows, 0.5 x 1.15 = 0.575 mL/day: 20 / 0.575 = 34.7826 d, less the 3 d margin;
- at 39 °C the propellant pushes 301.325 + 6 x 2 = 313.325 kPa against 101.325:
  dP = 212 kPa (200 at 37 °C), and viscosity falls by exp(0.02 x 2) = 1.040811, so
  the flow is 0.5 x 1.06 x 1.040811 = 0.551630 mL/day;
- thirty days of fever deliver 16.54889 mL, leaving 3.45111 mL; the ledger expects
  20 - 30 x 0.5 = 5.0 mL: 1.549 mL less, beyond the 1 mL of a 20 mL pump.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db.models import Pump, Reading, RefillRow
from thecal.core.pump.commands import Environment
from thecal.core.pump.constant_flow import effective_program
from thecal.core.pump.program import DrugConcentration, Program
from thecal.services.clinic import ImplantInput, Principal
from thecal.services.clinic.gate import Signoff
from thecal.services.clinic.transactions import RefillInput

MORPHINE = (DrugConcentration("morphine", 10_000.0),)
BOOKED_D = 20.0 / (0.5 * 1.15) - 3.0  # 31.7826 d
FEVER_FLOW = 0.5 * (212.0 / 200.0) * 1.0408107741923882  # mL/day at 39 °C


def implant(w) -> int:
    dr = w.users["physician"]
    patient = dict(mrn="CF1", name="Cy Flow", birth_year=1955, indication="cancer",
                   weight_kg=60.0, opioid_naive=False)  # fmt: skip
    pid = w.clinic.care.add_patient(dr, patient, "new", T0)
    # a replacement of a constant-flow pump with the same drug: it continues 5 mg/day
    before = effective_program(w.db.catalogue.get("constant-flow-20"), MORPHINE)
    pump = ImplantInput("constant-flow-20", "SN-CF1", "one-piece", 80.0, 2.6, "T10",
                        Program(MORPHINE, ()), 20.0, continues=before)  # fmt: skip
    review = w.clinic.devices.check_implant(dr, pid, pump, Signoff(), T0)
    w.clinic.devices.implant(dr, pid, pump, "implant", w.signed(review), T0)
    return pid


def row(w, pid: int) -> Pump:
    with w.db.reads() as db:
        return db.scalars(select(Pump).where(Pump.patient_id == pid)).one()


def test_the_worklist_books_a_constant_flow_pump_before_it_could_run_dry(world):
    pid = implant(world)
    pump = row(world, pid)
    assert pump.refill_due_s == pytest.approx(T0 + BOOKED_D * DAY, abs=1.0)
    assert "no alarm" in pump.refill_due_reason
    assert pump.reservoir_estimate_ml == pytest.approx(20.0)
    world.clinic.care.sync(pid, T0 + 10 * DAY)  # the ledger: 20 - 10 x 0.5 = 15 mL
    assert row(world, pid).reservoir_estimate_ml == pytest.approx(15.0)
    i = world.clinic.care.interrogate(world.users["physician"], pid, T0 + 10 * DAY)
    assert (i.state, i.active_alarms, i.elective_replacement) == ("delivering", (), False)
    # 10 mg/mL at the nominal 0.5 mL/day: 5 mg/day, in every reading the clinic keeps
    with world.db.reads() as db:
        doses = db.scalars(select(Reading.daily_dose_mcg).where(Reading.patient_id == pid))
        assert list(doses) == [pytest.approx(5000.0)] * 2  # at implant and at the sync


def test_a_fever_shows_at_the_refill_as_fluid_missing(world):
    pid = implant(world)
    world.clinic.care.inject_fault(pid, Environment(39.0, None), T0)
    at = T0 + 30 * DAY
    plan, _ = world.clinic.therapy.plan_refill(
        world.users["nurse"], pid, RefillInput(20.0, MORPHINE, None, None, "L1"), Signoff(), at
    )
    assert plan.plan.reconciliation.expected_withdrawal_ml == pytest.approx(5.0)
    refill_id, record = world.refill(pid, RefillInput(20.0, MORPHINE, None, None, "L1"), at)
    assert record["status"] == "committed"
    with world.db.reads() as db:
        refill = db.get(RefillRow, refill_id)
    assert refill.withdrawn_ml == pytest.approx(20.0 - 30 * FEVER_FLOW, abs=1e-6)  # 3.45111
    assert refill.expected_ml == pytest.approx(5.0)
    assert refill.withdrawn_ml - refill.expected_ml == pytest.approx(15.0 - 30 * FEVER_FLOW)
    assert refill.classification == "possible overinfusion"  # 1.549 mL less, beyond 1 mL
    assert "REFILL_DISCREPANCY" in record["open"]
    # refilled to 20 mL at day 30: booked again 31.78 d later, from the new ledger
    assert row(world, pid).refill_due_s == pytest.approx(at + BOOKED_D * DAY, abs=1.0)


def test_a_constant_flow_pump_cannot_be_programmed_nor_give_a_patient_bolus(world):
    pid = implant(world)
    check = world.client("physician").post(
        f"/api/patients/{pid}/programs/check",
        json={"program": {"drugs": [{"name": "morphine", "concentration": "10 mg/mL"}],
                          "basal": {"steps": [{"start": "00:00", "dose": "6 mg/day"}]}}},
    )  # fmt: skip
    assert check.status_code == 200, check.text
    [invalid] = [f for f in check.json()["findings"] if f["code"] == "PROGRAM_INVALID"]
    assert invalid["severity"] == "hard" and "constant-flow" in invalid["message"]
    assert "PROGRAM_INVALID" in {b["code"] for b in check.json()["blockers"]}
    me = Principal(99, "cy", "Cy Flow", "patient", pid, "")
    answer = world.clinic.care.request_bolus(me, pid, "press-1", T0 + DAY)
    assert (answer.result, answer.reason) == ("denied", "not_enabled")
