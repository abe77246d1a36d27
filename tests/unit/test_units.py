from __future__ import annotations

import pytest

from thecal.core.errors import UnitError
from thecal.core.units import Kind, clock_offset_s, parse, volume_ml


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("0.5 mL/day", Kind.RATE, 0.5 / 86400),
        ("0.5 mL/d", Kind.RATE, 0.5 / 86400),
        ("1 mL/h", Kind.RATE, 1 / 3600),
        ("10 mg/mL", Kind.CONCENTRATION, 10_000.0),
        ("500 mcg/mL", Kind.CONCENTRATION, 500.0),
        ("25 µg/mL", Kind.CONCENTRATION, 25.0),
        ("25 ug/mL", Kind.CONCENTRATION, 25.0),
        ("0.1 mg", Kind.AMOUNT, 100.0),
        ("60 mcg", Kind.AMOUNT, 60.0),
        ("3 mg/day", Kind.DOSE_RATE, 3000.0 / 86400),
        ("60 mcg/h", Kind.DOSE_RATE, 60.0 / 3600),
        ("30 min", Kind.DURATION, 1800.0),
        ("2 h", Kind.DURATION, 7200.0),
        ("30d", Kind.DURATION, 30 * 86400.0),
        ("45 s", Kind.DURATION, 45.0),
        ("10 uL", Kind.VOLUME, 0.01),
        ("10 µL", Kind.VOLUME, 0.01),
    ],
)
def test_quantities_become_canonical(text, kind, expected):
    assert parse(text, kind, "f") == pytest.approx(expected, rel=1e-12)


def test_a_dose_where_a_rate_is_expected_is_refused_with_both_named():
    with pytest.raises(UnitError) as info:
        parse("0.5 mg", Kind.RATE, "program.basal.steps[1].rate")
    problem = info.value.problems[0]
    assert problem.path == "program.basal.steps[1].rate"
    assert "'0.5 mg' is a dose" in problem.message and "a rate was expected" in problem.message


def test_per_hour_is_not_per_day_and_an_hourly_amount_is_not_a_rate():
    # The F20 error: 60 mcg every hour instead of 60 mcg/day is 24x.
    assert parse("60 mcg/h", Kind.DOSE_RATE, "f") == pytest.approx(
        24 * parse("60 mcg/day", Kind.DOSE_RATE, "f")
    )
    with pytest.raises(UnitError, match="a daily dose was expected"):
        parse("60 mcg", Kind.DOSE_RATE, "f")


@pytest.mark.parametrize("value", ["5", 5, 5.0, "  12.5 "])
def test_bare_numbers_are_refused(value):
    with pytest.raises(UnitError, match="has no unit"):
        parse(value, Kind.CONCENTRATION, "drugs[0].concentration")


def test_minutes_are_not_hours():
    assert parse("30 min", Kind.DURATION, "f") * 60 == parse("30 h", Kind.DURATION, "f")


def test_garbage_is_refused_with_the_expected_kind():
    with pytest.raises(UnitError, match="a concentration was expected"):
        parse("ten mg per mL", Kind.CONCENTRATION, "f")


def test_volume_fields_take_a_number_or_a_volume_string():
    assert volume_ml(17.6, "add_ml") == 17.6
    assert volume_ml("17.6 mL", "add_ml") == pytest.approx(17.6)
    with pytest.raises(UnitError, match="a volume was expected"):
        volume_ml("17.6 mg", "add_ml")
    with pytest.raises(UnitError):
        volume_ml(True, "add_ml")


def test_clock_offsets():
    assert clock_offset_s("07:00", "f") == 7 * 3600
    assert clock_offset_s("14d 10:05", "f") == 14 * 86400 + 10 * 3600 + 5 * 60
    assert clock_offset_s(90.5, "f", allow_seconds=True) == 90.5
    for bad in ("24:00", "7:00", "1d 10:60", "noon"):
        with pytest.raises(UnitError):
            clock_offset_s(bad, "f")
    with pytest.raises(UnitError):
        clock_offset_s(90, "f")  # seconds only where allowed (event times)


def test_a_percent_change_of_the_same_dose_is_zero_not_float_noise():
    from thecal.core.therapy.dosing import percent_change

    # 5500 computed two ways differs in the last bit; the change reads 0.0, not -1.65e-14
    assert percent_change(5500.000000000001, 5500.0) == 0.0
    assert str(percent_change(5500.000000000001, 5500.0)) == "0.0"  # not "-0.0"
    assert percent_change(3000.0, 3300.0) == 10.0
