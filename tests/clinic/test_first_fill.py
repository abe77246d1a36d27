"""A new pump's first fill is the first row of its refills (services/clinic/first_fill.py).

It left no row: the fill and its lot were on no list, and the pump's first refill had
no last fill to read, so it was never found overdue (DD-09) and its reconciliation had
no programmed volume (SR-21's ratio).

Ann (tests/clinic/conftest.py): a 20 mL peristaltic pump implanted at T0 with 19 mL of
morphine 10 mg/mL at 3 mg/day with three 0.1 mg patient boluses a day: 0.33 mL/day
with every bolus taken; the low-reservoir alarm at 3 mL is reached after
(19 - 3) / 0.33 = 48.485 days and the refill is booked 3 days before: T0 + 45.485 d
(morphine keeps 90 days, later)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db.models import RefillRow
from thecal.core.pump.program import DrugConcentration
from thecal.services.clinic.gate import Signoff
from thecal.services.clinic.transactions import RefillInput

DUE = T0 + (16 / 0.33 - 3) * DAY


def _rows(w, pid):
    with w.db.reads() as db:
        return list(db.scalars(select(RefillRow).where(RefillRow.patient_id == pid)))


def test_the_implant_fill_is_the_first_refill_row(world):
    w = world
    [row] = _rows(w, w.a)
    assert (row.at_s, row.added_ml, row.classification) == (T0, 19.0, "first fill")
    assert row.expected_ml is None and row.withdrawn_ml is None
    assert row.status == "committed" and row.verified_by == "pharmacist"
    assert row.record["entered_ml"] == 19.0
    assert row.record["drugs"] == [{"name": "morphine", "concentration_mcg_per_ml": 10_000.0}]
    assert row.next_refill_s == pytest.approx(DUE, abs=1.0)
    page = w.client("nurse").get(f"/patients/{w.a}").text
    table = page.split('aria-label="Refills"', 1)[1].split("</table>", 1)[0]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", table)]
    assert cells[:6] == ["2026-09-21", "-", "-", "19.0", "not recorded",
                         "first fill of a new pump: nothing to withdraw"]  # fmt: skip


def test_the_first_refill_after_an_implant_is_found_overdue(sqlite_world):
    """Ten days after the booked date (T0 + 55.485 d) the pump has given 0.3 mL/day
    (no bolus asked): 16.6 mL, 2.4 mL left. The plan says the refill is 10 d overdue
    with morphine (a withdrawal risk); it said nothing, having no date to compare."""
    w = sqlite_world
    nurse = w.users["nurse"]
    r = RefillInput(15.0, (DrugConcentration("morphine", 10_000.0),), None, None, "LOT-2")
    session, _ = w.clinic.therapy.plan_refill(nurse, w.a, r, Signoff(), DUE + 10 * DAY)
    plan = session.plan
    [late] = [f for f in plan.findings if f.rule_id == "DD-09"]
    assert (late.code, late.severity) == ("REFILL_OVERDUE_WITHDRAWAL_RISK", "soft")
    assert late.message.startswith("refill 10 d overdue with morphine")
    # recorded: the volume programmed since the fill is known (19 mL entered at the
    # implant, less the pump's estimate now), so the delivered/programmed ratio is
    # computed (SR-21); it was None. The emulated pump delivers what it is told: 1.
    w.refill(w.a, r, DUE + 10 * DAY)
    refill = _rows(w, w.a)[-1]
    [done] = [e for e in refill.record["log"] if e["event"] == "refilled"]
    assert done["ratio"] == pytest.approx(1.0, abs=1e-6)


def test_the_overdue_finding_gives_each_drugs_own_withdrawal_reason(sqlite_world):
    """It said "(boxed warning for baclofen)" on a morphine pump (seen on the demo's
    morphine + clonidine pump). Bo's baclofen and Ann's morphine, each 10 d late; the
    reasons are drugs.toml's withdrawal_risk sources (facts 16 and 17)."""
    w = sqlite_world
    nurse = w.users["nurse"]
    morphine = RefillInput(15.0, (DrugConcentration("morphine", 10_000.0),), None, None, "L")
    session, _ = w.clinic.therapy.plan_refill(nurse, w.a, morphine, Signoff(), DUE + 10 * DAY)
    [late] = [f for f in session.plan.findings if f.rule_id == "DD-09"]
    assert late.message == (
        "refill 10 d overdue with morphine: abrupt withdrawal risk (morphine: fact 17: IT "
        "opioid withdrawal resembles systemic withdrawal); escalate"
    )
    # Bo: 19 mL of baclofen 2000 mcg/mL at 0.2 mL/day to the 4 mL alarm, 3 d early
    bo_due = T0 + (15 / 0.2 - 3) * DAY
    baclofen = RefillInput(10.0, (DrugConcentration("baclofen", 2000.0),), None, None, "L")
    session, _ = w.clinic.therapy.plan_refill(nurse, w.b, baclofen, Signoff(), bo_due + 10 * DAY)
    [late] = [f for f in session.plan.findings if f.rule_id == "DD-09"]
    assert "(baclofen: fact 16: boxed warning on abrupt withdrawal); escalate" in late.message
    assert late.message.startswith("refill 10 d overdue with baclofen")


def test_a_first_fill_the_pump_did_not_read_back_still_books_the_first_refill(world):
    """The implant's session ended incomplete (the pump did not confirm), so its row is
    not committed: the first refill read no booked date and was never found overdue.
    The fluid went in whatever the read-back said, so DD-09 compares with the date the
    first fill booked (T0 + 45.485 d); its volume is not trusted for the ratio."""
    from sqlalchemy import update

    w = world
    with w.db.unit_of_work() as uow:
        uow.db.execute(update(RefillRow).where(RefillRow.patient_id == w.a)
                       .values(status="incomplete"))  # fmt: skip
        uow.db.commit()
    nurse = w.users["nurse"]
    r = RefillInput(15.0, (DrugConcentration("morphine", 10_000.0),), None, None, "LOT-2")
    session, _ = w.clinic.therapy.plan_refill(nurse, w.a, r, Signoff(), DUE + 10 * DAY)
    [late] = [f for f in session.plan.findings if f.rule_id == "DD-09"]
    assert late.code == "REFILL_OVERDUE_WITHDRAWAL_RISK"
    assert late.message.startswith("refill 10 d overdue with morphine")
    w.refill(w.a, r, DUE + 10 * DAY)
    [done] = [e for e in _rows(w, w.a)[-1].record["log"] if e["event"] == "refilled"]
    assert done["ratio"] is None
