"""The spans in which a pump delivered nothing, from its alarms (the timeline shades
them). Times in days, by hand."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.pump.no_delivery import no_delivery_spans
from thecal.data import alarm_table

D = 86400.0


@dataclass(frozen=True)
class Alarm:
    code: str
    onset_s: float
    cleared_s: float | None


def spans(*alarms: Alarm, until_days: float = 100.0) -> list[tuple[float, float, tuple, bool]]:
    found = no_delivery_spans(alarms, alarm_table(), until_days * D)
    return [(s.start_s / D, s.end_s / D, s.codes, s.ongoing) for s in found]


def test_an_empty_pump_refilled_is_one_span_and_a_low_reservoir_none() -> None:
    assert spans(
        Alarm("LOW_RESERVOIR", 5 * D, 12 * D), Alarm("EMPTY_RESERVOIR", 10 * D, 12 * D)
    ) == [
        (10.0, 12.0, ("EMPTY_RESERVOIR",), False)
    ]


def test_an_alarm_still_on_runs_to_the_end_and_overlapping_ones_merge() -> None:
    # a stall from day 20 to 30 inside an empty reservoir from day 15 to 25: 15 to 30;
    # end of service from day 90, still on at day 100: 90 to 100, ongoing
    assert spans(
        Alarm("MOTOR_STALL", 20 * D, 30 * D),
        Alarm("EMPTY_RESERVOIR", 15 * D, 25 * D),
        Alarm("END_OF_SERVICE", 90 * D, None),
    ) == [
        (15.0, 30.0, ("EMPTY_RESERVOIR", "MOTOR_STALL"), False),
        (90.0, 100.0, ("END_OF_SERVICE",), True),
    ]


def test_spans_that_touch_are_one_and_later_ones_are_cut_at_the_end() -> None:
    # cleared on day 40 and raised again on day 40 (the refill missed): one span; an
    # alarm cleared after `until` is still on then; one raised after it is not drawn
    assert spans(
        Alarm("EMPTY_RESERVOIR", 30 * D, 40 * D),
        Alarm("EMPTY_RESERVOIR", 40 * D, 120 * D),
        Alarm("SELF_TEST_FAILURE", 150 * D, None),
    ) == [(30.0, 100.0, ("EMPTY_RESERVOIR",), True)]
    assert no_delivery_spans([], alarm_table(), 100 * D) == ()
