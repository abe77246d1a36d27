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

import re

import pytest
from sqlalchemy import select

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db.models import Pump, Reading, RefillRow
from thecal.core.errors import Forbidden, InputError
from thecal.core.pump.commands import Environment
from thecal.core.pump.constant_flow import effective_program
from thecal.core.pump.program import DrugConcentration, Program, Step
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


def test_a_new_concentration_is_the_constant_flow_pumps_new_dose(world):
    """The only way to change a constant-flow pump's dose. The refill was refused hard
    (PUMP-3: the new fluid's program had the old step; SR-05: "restate the program as
    doses", which this pump cannot take). Cy's 10 mg/mL at 0.5 mL/day (5 mg/day)
    becomes 20 mg/mL: 10 mg/day, +100 %, above the +50 % a cancer patient's titration
    allows (7.5 mg/day, soft). No bridge bolus: the 80 cm x 2.6 uL/cm = 0.208 mL of
    old fluid (2.08 mg of morphine) goes first, over 0.208 / 0.5 d = 9.98 h."""
    pid = implant(world)
    at = T0 + 20 * DAY
    twenty = (DrugConcentration("morphine", 20_000.0),)
    r = RefillInput(19.0, twenty, None, None, "L2")
    _, review = world.clinic.therapy.plan_refill(
        world.users["physician"], pid, r, Signoff(), at
    )
    codes = {f.code: f for f in review.proposal.findings}
    assert "PROGRAM_INVALID" not in codes and "RATES_CARRIED_OVER" not in codes
    assert [(d.drug, d.before_mcg_per_day, d.after_mcg_per_day) for d in review.proposal.doses] == [
        ("morphine", pytest.approx(5000.0), pytest.approx(10_000.0))]  # fmt: skip
    assert codes["TITRATION_ABOVE_MAX"].severity == "soft"
    assert "above 7.5 mg/day" in codes["TITRATION_ABOVE_MAX"].message
    assert codes["OLD_FLUID_FIRST"].message == (
        "a constant-flow pump gives no bridge bolus: the 0.208 mL of old fluid in its path "
        "(2.08 mg morphine) is given first, over 9.98 h, then the new dose"
    )
    with pytest.raises(Forbidden):  # a new dose: a nurse may not
        world.refill(pid, r, at)
    _, record = world.refill(pid, r, at, role="physician")
    assert record["status"] == "committed" and record["fixed_flow"] is True
    # the refill's row: nothing was sent to the pump ("program sent with it" said so)
    page = world.client("physician").get(f"/patients/{pid}").text
    assert ('<span class="program-sent">the new fluid at the pump&#39;s fixed flow: drugs: '
            "morphine 10 mg/mL → morphine 20 mg/mL; step 1: 00:00 5 mg/day (0.5 mL/day) → "
            "00:00 10 mg/day (0.5 mL/day)</span>") in page  # fmt: skip
    # and its printout (it gave the fluid and volumes, not the dose it changed)
    from tests.clinic.test_pdf_reports import pdf_text

    refill_id = re.search(r'/refills/(\d+)/report.pdf">print', page)[1]
    pdf = " ".join(pdf_text(world.client("physician").get(
        f"/api/patients/{pid}/refills/{refill_id}/report.pdf").content).split())  # fmt: skip
    assert ("The new fluid at the pump's fixed flow drugs: morphine 10 mg/mL → morphine "
            "20 mg/mL") in pdf
    assert "morphine 5 mg/day 10 mg/day +100" in pdf
    # 20 - 20 d x 0.5 mL/day = 10 mL expected and withdrawn: no "-0.00 mL"
    assert "Expected withdrawal 10.00 mL Withdrawn 10.00 mL Difference +0.00 mL" in pdf
    i = world.clinic.care.interrogate(world.users["physician"], pid, at + DAY)
    assert i.program.drugs == twenty
    with world.db.reads() as db:
        doses = list(db.scalars(select(Reading.daily_dose_mcg).where(Reading.patient_id == pid)
                                .order_by(Reading.id)))  # fmt: skip
    assert doses[-1] == pytest.approx(10_000.0)


def test_a_constant_flow_refill_with_a_rate_is_refused_by_its_field(world):
    pid = implant(world)
    twenty = (DrugConcentration("morphine", 20_000.0),)
    stepped = Program(twenty, (Step(0.0, rate_ml_per_s=0.5 / 86400),))
    r = RefillInput(19.0, twenty, None, stepped, "L2")
    with pytest.raises(InputError) as refused:
        world.clinic.therapy.plan_refill(world.users["physician"], pid, r, Signoff(), T0 + DAY)
    [problem] = refused.value.problems
    assert problem.path == "program_after" and "names only its fluid" in problem.message


def test_the_refill_screen_of_a_constant_flow_pump_says_the_concentration_sets_the_dose(
    sqlite_world,
):
    w = sqlite_world
    pid = implant(w)
    c = w.client("physician")
    page = c.get(f"/patients/{pid}/refill").text
    assert "gives a fixed 0.5 mL a day, so the concentration sets the daily dose" in page
    assert 'name="bridge_min"' not in page and 'name="dose_after"' not in page
    form = {"drug_0": "morphine", "conc_0": "20 mg/mL", "add_ml": "19", "lot": "L2"}
    plan = c.post(f"/patients/{pid}/refill/plan", data=form)
    assert plan.status_code == 200, plan.text[-2000:]
    assert 'data-code="OLD_FLUID_FIRST"' in plan.text
    assert "PROGRAM_INVALID" not in plan.text and "RATES_CARRIED_OVER" not in plan.text
    typed = c.post(f"/patients/{pid}/refill/plan", data=form | {"dose_after": "6 mg/day"})
    assert "its dose is set by the concentration" in typed.text


def test_the_api_refills_a_constant_flow_pump_with_a_program_of_its_drugs(world):
    """Through the API a program naming only the new fluid's drugs was refused by the
    programmable reader ("program.basal: is required"); the pump model decides now: on
    constant-flow-20 it is the fluid at 0.5 mL/day (20 mg/mL: 10 mg/day); on Ann's
    peristaltic pump the same program is refused by PUMP-3 (no step)."""
    pid = implant(world)
    c = world.client("physician")
    body = {"add_ml": 19.0, "drugs": [{"name": "morphine", "concentration": "20 mg/mL"}],
            "lot": "L3", "program": {"drugs": [{"name": "morphine",
                                                "concentration": "20 mg/mL"}]}}  # fmt: skip
    r = c.post(f"/api/patients/{pid}/refills/plan", json=body)
    assert r.status_code == 200, r.text
    codes = {f["code"] for f in r.json()["findings"]}
    assert "PROGRAM_INVALID" not in codes and "OLD_FLUID_FIRST" in codes
    assert [d["after_mcg_per_day"] for d in r.json()["doses"]] == [pytest.approx(10_000.0)]
    ann = c.post(f"/api/patients/{world.a}/refills/plan", json=body)
    assert ann.status_code == 200, ann.text
    [invalid] = [f for f in ann.json()["findings"] if f["code"] == "PROGRAM_INVALID"]
    assert invalid["severity"] == "hard" and "at least one step" in invalid["message"]
