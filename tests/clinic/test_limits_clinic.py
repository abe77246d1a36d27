"""Issue 24 through the clinic's API: the fluid's dilution as the pharmacy declares it
sets its stability (ziconotide: 40 days diluted, 84 undiluted, [E4])."""

from __future__ import annotations

from tests.clinic.conftest import DAY, T0
from thecal.core.pump.program import DrugConcentration, Program, Step


def test_a_declared_dilution_sets_ziconotide_stability(sqlite_world):
    """25 mcg/mL ziconotide at 1.2 mcg/day = 0.048 mL/day: 19 mL lasts far beyond any
    stability limit, so stability decides the next refill. The same 25 mcg/mL is a
    stock strength (84 d) or, declared made from the 100 mcg/mL vial, diluted (40 d)."""
    w = sqlite_world
    z = Program((DrugConcentration("ziconotide", 25.0),), (Step(0.0, dose_mcg_per_s=1.2 / DAY),),
                low_reservoir_alarm_ml=2.0)  # fmt: skip
    pid = w.implanted_patient("Z1", z, 19.0, T0)
    at = T0 + 30 * DAY
    w.clock.t = at
    c = w.client("nurse")
    body = {"add_ml": 5.0, "drugs": [{"name": "ziconotide", "concentration": "25 mcg/mL"}],
            "lot": "Z-LOT"}  # fmt: skip
    stock = c.post(f"/api/patients/{pid}/refills/plan", json=body)
    assert stock.status_code == 200, stock.text
    assert stock.json()["next_refill_reason"] == "ziconotide stability: 84 d"
    assert (stock.json()["next_refill_s"] - at) / DAY == 84
    diluted = c.post(f"/api/patients/{pid}/refills/plan", json={**body, "diluted": True})
    assert (diluted.json()["next_refill_s"] - at) / DAY == 40
    assert diluted.json()["next_refill_reason"] == "ziconotide diluted (declared): 40 d"
