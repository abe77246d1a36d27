"""Trumpet curves and bolus accuracy (SR-17), against values worked by hand from the
stroke volume, the rate and the bias."""

from __future__ import annotations

import pytest

from thecal.core.pump.accuracy import WINDOWS_MIN, FlowRun, trumpet
from thecal.data import accuracy_settings, drug_library, pump_catalogue
from thecal.services.accuracy import accuracy_report


def report(model_id):
    return accuracy_report(pump_catalogue().get(model_id), drug_library(), accuracy_settings())


def run_at(r, rate, bias):
    [found] = [x for x in r.runs if x.rate_ml_per_day == rate and x.bias == bias]
    return found


@pytest.mark.sr("SR-17")
def test_a_noiseless_pump_is_zero_in_every_window_and_a_bias_is_exactly_that_bias():
    """The constant-flow pump delivers continuously: noiseless, every window is 0 %;
    at its catalogue accuracy (+15 %), every window is +15 %."""
    r = report("constant-flow-20")
    for point in run_at(r, 0.5, 0.0).trumpet():
        assert point.max_error_pct == pytest.approx(0.0, abs=1e-9)
        assert point.min_error_pct == pytest.approx(0.0, abs=1e-9)
    for point in run_at(r, 0.5, 0.15).trumpet():
        assert (point.max_error_pct, point.min_error_pct) == pytest.approx((15.0, 15.0))
    assert [p.window_min for p in run_at(r, 0.5, 0.0).trumpet()] == [2, 5, 11, 19, 31]
    assert r.boluses == ()  # a gas-driven pump gives no bolus


@pytest.mark.sr("SR-17")
def test_a_stroke_pump_shows_its_strokes_in_short_windows():
    """Peristaltic, 0.5 uL strokes. At 0.5 mL/day a stroke every 86.4 s: a 2-min window
    expects 0.694 uL and holds one stroke (-28 %) or two (+44 %). At 6 mL/day a stroke
    every 7.2 s: 16.67 expected, 16 (-4 %) or 17 (+2 %)."""
    r = report("peristaltic-20")
    low = run_at(r, 0.5, 0.0).trumpet()[0]
    assert (low.max_error_pct, low.min_error_pct) == pytest.approx((44.0, -28.0))
    mid = run_at(r, 6.0, 0.0).trumpet()[0]
    assert (mid.max_error_pct, mid.min_error_pct) == pytest.approx((2.0, -4.0))
    # over the whole second hour at 6 mL/day, 500 strokes: exact
    assert run_at(r, 6.0, 0.0).second_hour_error_pct == pytest.approx(0.0, abs=1e-9)
    assert run_at(r, 6.0, 0.145).second_hour_error_pct == pytest.approx(14.5)
    # the valve-gated pump's 2.5 uL pulse at 0.5 mL/day comes every 7.2 min: a 2-min
    # window holds none (-100 %) or one (2.5 / 0.694 = 3.6: +260 %)
    valve = run_at(report("valve-gated-20"), 0.5, 0.0).trumpet()[0]
    assert (valve.max_error_pct, valve.min_error_pct) == pytest.approx((260.0, -100.0))


@pytest.mark.sr("SR-17")
def test_bolus_accuracy_at_the_smallest_and_largest_bolus():
    """5 uL is ten strokes and 1 mL two thousand: exact when noiseless, and the bias
    exactly at the catalogue's +14.5 %."""
    r = report("peristaltic-20")
    assert [(b.programmed_ml, b.bias, round(b.error_pct, 9)) for b in r.boluses] == [
        (0.005, 0.0, 0.0),
        (0.005, 0.145, 14.5),
        (1.0, 0.0, 0.0),
        (1.0, 0.145, 14.5),
    ]


def test_the_trumpet_takes_every_window_position_from_the_second_hour():
    """A made-up record: 1 mL/0.5 min except one interval of 2 mL at minute 90. The
    2-min window (4 intervals) that holds it: 5 mL of 4 expected, +25 %; the 31-min
    window (62 intervals): 63 of 62, +1.6129 %. An extra interval in the first hour
    changes nothing."""
    delivered = [0.0]
    for k in range(240):
        step = 2.0 if k in (180, 30) else 1.0  # the interval from minute 90 (and 15)
        delivered.append(delivered[-1] + step)
    points = trumpet(delivered, 1.0 / 30.0)
    assert [p.window_min for p in points] == list(WINDOWS_MIN)
    assert (points[0].max_error_pct, points[0].min_error_pct) == pytest.approx((25.0, 0.0))
    assert points[-1].max_error_pct == pytest.approx(100.0 / 62.0)
    run = FlowRun(1.0 * 86_400.0 / 30.0, 0.0, tuple(delivered))
    assert run.interval_flow_ml_per_h[180] == pytest.approx(2.0 * 120.0)


@pytest.mark.sr("SR-17")
def test_thecal_accuracy_prints_the_table_writes_the_curves_and_names_a_bad_model(tmp_path):
    import json

    from typer.testing import CliRunner

    from thecal.entrypoints.cli import app

    runner = CliRunner()
    png = tmp_path / "curves.png"
    result = runner.invoke(app, ["accuracy", "valve-gated-20", "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [(r["rate_ml_per_day"], r["bias"]) for r in out["runs"]] == [
        (0.5, 0.0), (0.5, 0.15), (6.0, 0.0), (6.0, 0.15)
    ]  # fmt: skip
    two_min = out["runs"][0]["trumpet"][0]
    assert (two_min["max_error_pct"], two_min["min_error_pct"]) == pytest.approx((260.0, -100.0))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = runner.invoke(app, ["accuracy", "synchromed-3"])
    assert bad.exit_code == 2
    assert "model: 'synchromed-3' is not in the catalogue; one of constant-flow-20" in bad.output


def test_the_method_settings_refuse_a_missing_rate_naming_it():
    from thecal.core.errors import CatalogueError
    from thecal.core.pump.accuracy import method_settings
    from thecal.data import raw_document

    doc = dict(raw_document("accuracy.toml"))
    del doc["intermediate_rate_ml_day"]
    with pytest.raises(
        CatalogueError, match=r"accuracy\.toml: missing field\(s\) intermediate_rate_ml_day"
    ):
        method_settings(doc)
