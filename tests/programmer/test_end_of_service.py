"""SR-31 at the review: the battery's days on the proposed program (issue 26).

peristaltic-20 (pumps.toml): baseline 6 uA = 144 uAh/day; 0.0617 uAh per 0.5 uL stroke,
so 0.5 mL/day = 1000 strokes = 61.7 uAh/day: 205.7 uAh/day in all. A pump that has just
tripped its ERI with 90 days left at 0.5 mL/day holds 90 x 205.7 = 18,513 uAh."""

from __future__ import annotations

import pytest

from tests.programmer.helpers import MG, codes, model, program, proposal
from thecal.core.safety import check_program
from thecal.core.safety.battery import daily_drain_uah

AT_ERI_UAH = 90 * 205.7


def test_the_daily_drain_by_hand() -> None:
    m = model("peristaltic-20")
    assert daily_drain_uah(m, program([("morphine", 10 * MG)], rate_ml_per_day=0.5)) == (
        pytest.approx(205.7)
    )
    # 2 mL/day: 4000 strokes = 246.8 uAh, + 144 = 390.8 uAh/day
    assert daily_drain_uah(m, program([("morphine", 10 * MG)], rate_ml_per_day=2.0)) == (
        pytest.approx(390.8)
    )


@pytest.mark.sr("SR-31")
def test_a_faster_program_after_eri_asks_for_a_sooner_replacement() -> None:
    old = program([("morphine", 10 * MG)], rate_ml_per_day=0.5)
    same = check_program(proposal(old, old, battery_uah_left=AT_ERI_UAH)).findings
    [info] = [f for f in same if f.code == "END_OF_SERVICE_PROJECTED"]
    assert "about 90 days" in info.message
    assert ("SR-31", "soft", "END_OF_SERVICE_WITHIN_ERI_PROMISE") not in codes(same)
    # 18,513 / 390.8 = 47.4 days: under the 90 days promised
    faster = program([("morphine", 10 * MG)], rate_ml_per_day=2.0)
    found = check_program(proposal(faster, old, battery_uah_left=AT_ERI_UAH)).findings
    assert ("SR-31", "soft", "END_OF_SERVICE_WITHIN_ERI_PROMISE") in codes(found)
    [f] = [f for f in found if f.code == "END_OF_SERVICE_WITHIN_ERI_PROMISE"]
    assert "about 47 days" in f.message
    # no battery reading (a constant-flow pump, or no interrogation): nothing is claimed
    assert not [f for f in check_program(proposal(faster, old)).findings if f.rule_id == "SR-31"]


def test_a_pump_past_its_eri_on_the_same_program_is_the_worklists_business() -> None:
    """43 days left at 0.5 mL/day (43 x 205.7 uAh): keeping or lowering the rate asks for
    nothing here (the worklist's replacement item carries it); raising it does."""
    old = program([("morphine", 10 * MG)], rate_ml_per_day=0.5)
    left = 43 * 205.7
    kept = codes(check_program(proposal(old, old, battery_uah_left=left)).findings)
    assert ("SR-31", "soft", "END_OF_SERVICE_WITHIN_ERI_PROMISE") not in kept
    lower = program([("morphine", 10 * MG)], rate_ml_per_day=0.4)
    assert ("SR-31", "soft", "END_OF_SERVICE_WITHIN_ERI_PROMISE") not in codes(
        check_program(proposal(lower, old, battery_uah_left=left)).findings
    )
    higher = program([("morphine", 10 * MG)], rate_ml_per_day=0.6)
    assert ("SR-31", "soft", "END_OF_SERVICE_WITHIN_ERI_PROMISE") in codes(
        check_program(proposal(higher, old, battery_uah_left=left)).findings
    )
