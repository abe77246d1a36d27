"""Issue 25: the timeline tells what happened in the order it happened, with the year
and units on every lane."""

from __future__ import annotations

import re

import pytest

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db.queries import patient_record
from thecal.core.pump.program import DrugConcentration
from thecal.entrypoints.web.chart import timeline_svg
from thecal.services.clinic.transactions import RefillInput


def test_readings_at_one_instant_keep_the_order_they_happened_in(sqlite_world):
    """Ann: 19 mL at 0.3 mL/day; on day 30 a refill of 10 mL. Synced just before, then
    refilled at the same instant: 19 - 9 = 10 mL before, 2.4 kept + 10 = 12.4 mL after
    (the 7.6 mL above the dead volume withdrawn). The chart's line goes down, then up."""
    w = sqlite_world
    at = T0 + 30 * DAY
    w.clinic.care.sync(w.a, at)
    w.refill(w.a, RefillInput(10.0, (DrugConcentration("morphine", 10_000.0),), None, None,
                              "LOT-C"), at)  # fmt: skip
    with w.db.reads() as db:
        rec = patient_record(db, w.a)
    same_time = [r.reservoir_estimate_ml for r in rec.readings if r.at_s == at]
    assert len(same_time) >= 2
    assert same_time[0] == pytest.approx(10.0, abs=1e-3)  # before the refill
    assert same_time[-1] == pytest.approx(12.4, abs=1e-3)  # after it
    svg = timeline_svg(rec)
    assert "daily dose (mg/day)" in svg and "3.3 mg/day" in svg  # 3 mg/day x 1.1, its unit
    assert re.search(r">\d\d \w{3} 2026<", svg)  # dates with the year
