"""The worklist's end of service, projected on the running program (issue 26, SR-31)."""

from __future__ import annotations

import pytest

from tests.programmer.helpers import MG, program
from thecal.data import drug_library, policy, pump_catalogue
from thecal.services.clinic.outlook import outlook
from thecal.services.ports import Interrogation

DAY = 86_400.0
T = 400 * DAY


def reading(p, fraction, days_by_pump=None, eri=False):
    return Interrogation(
        at_s=T, model_id="peristaltic-20", program=p, program_digest="x",
        reservoir_estimate_ml=15.0, state="delivering", active_alarms=(),
        elective_replacement=eri, battery_fraction=fraction,
        days_to_end_of_service=days_by_pump,
    )  # fmt: skip


@pytest.mark.sr("SR-31")
def test_end_of_service_follows_the_running_program_and_a_raise_brings_it_closer():
    """peristaltic-20: 525600 uAh; a day drains 6 uA x 24 h = 144 uAh plus 0.0617 uAh
    per 0.5 uL stroke. At 0.5 mL/day (1000 strokes) that is 205.7 uAh/day; 5 % left =
    26280 uAh lasts 127.76 days, ERI 90 days before: the replacement in 37.76 days. At
    2 mL/day (4000 strokes, 390.8 uAh/day) it lasts 67.25 days: ERI is due now."""
    model = pump_catalogue().get("peristaltic-20")
    slow = program([("morphine", 10 * MG)], 5 * MG)  # 0.5 mL/day
    o = outlook(reading(slow, 0.05, days_by_pump=200.0), model, drug_library(), policy(), None)
    assert (o.end_of_service_s - T) / DAY == pytest.approx(26280 / 205.7)
    assert (o.replacement_due_s - T) / DAY == pytest.approx(26280 / 205.7 - 90)
    fast = program([("morphine", 10 * MG)], 20 * MG)  # 2 mL/day
    o = outlook(reading(fast, 0.05, days_by_pump=200.0), model, drug_library(), policy(), None)
    assert (o.end_of_service_s - T) / DAY == pytest.approx(26280 / 390.8)
    assert o.replacement_due_s == T  # the pump's own 200 d figure is not waited for
    o = outlook(reading(fast, 0.05, eri=True), model, drug_library(), policy(), None)
    assert o.replacement_due_s == T and o.end_of_service_s is not None
