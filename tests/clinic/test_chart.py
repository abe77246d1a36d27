"""Issue 25: the timeline tells what happened in the order it happened, with the year
and units on every lane."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db.queries import patient_record
from thecal.core.pump.program import DrugConcentration
from thecal.entrypoints.web.chart import round_top, timeline_svg
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
    # the lane's scale ends at a round value at or above the dose, in its unit: 3 mg/day
    assert "daily dose (mg/day)" in svg and 'class="axis">3 mg/day<' in svg
    assert re.search(r">\d\d \w{3} 2026<", svg)  # dates with the year


def test_the_end_dates_are_drawn_inside_the_chart(sqlite_world):
    """Centred on the right edge, the last date was cut ("07 Dec 202"): the first date
    starts at the left of the plot and the last ends at its right; the three between
    are centred."""
    w = sqlite_world
    w.clinic.care.sync(w.a, T0 + 30 * DAY)
    with w.db.reads() as db:
        svg = timeline_svg(patient_record(db, w.a))
    anchors = re.findall(r'text-anchor="(\w+)" class="axis">\d\d \w{3} \d{4}<', svg)
    assert anchors == ["start", "middle", "middle", "middle", "end"]


def test_the_patient_page_shows_the_spasm_scores(sqlite_world):
    """A spasm score written in the portal (baclofen patients) was kept but not shown on
    the clinician's page."""
    from sqlalchemy import insert

    from thecal.adapters.db.models import DiaryEntry

    w = sqlite_world
    with w.engine.begin() as db:
        db.execute(insert(DiaryEntry).values(patient_id=w.b, at_s=T0 + DAY, pain_nrs=2,
                                             spasm=6, note="stiff legs"))  # fmt: skip
    with w.engine.begin() as db:
        db.execute(insert(DiaryEntry).values(patient_id=w.b, at_s=T0 + 3 * DAY, spasm=2,
                                             note=""))  # fmt: skip
    c = w.client("physician")
    page = c.get(f"/patients/{w.b}").text
    diary = page.split('id="diary"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", diary)
    assert cells == ["2026-09-24", "", "2", "", "2026-09-22", "2", "6", "stiff legs"]
    assert "<th>spasms</th>" in diary
    # the timeline draws them dashed beside the pain (not by colour alone), and says so
    assert "pain (solid) and spasms (dashed), 0-10" in page
    assert len(re.findall(r'stroke-dasharray="6,3" points="[^"]+"', page)) == 1
    # each score a dot with its words, a lone one too (T0 is 2026-09-21)
    marks = re.findall(r'class="mark"><title>([^<]+)</title>', page)
    assert marks == ["pain 2, 22 Sep 2026", "spasms 6, 22 Sep 2026", "spasms 2, 24 Sep 2026"]
    # and the printed summary counts them: 6 then 2, mean 4.0, the last 2
    from tests.clinic.test_pdf_reports import pdf_text

    pdf = c.get(f"/api/patients/{w.b}/summary.pdf")
    assert pdf.status_code == 200
    assert "Spasm diary" in pdf_text(pdf.content)
    assert "2 scores, mean 4.0, last 2 (0 none - 10 worst)" in pdf_text(pdf.content)


def test_the_time_an_empty_pump_delivered_nothing_is_shaded_and_said(sqlite_world):
    """Patient A's pump was empty from day 10 (T0 is 2026-09-21) until the refill on day
    40; a motor stall from day 35 to day 45 overlaps it: nothing was delivered from 01 Oct
    to 05 Nov 2026, one span. The dose lane, the program, ran on through it unshaded."""
    from sqlalchemy import insert

    from thecal.adapters.db.models import AlarmRow

    w = sqlite_world
    with w.engine.begin() as db:
        for code, on, off in (("EMPTY_RESERVOIR", 10, 40), ("MOTOR_STALL", 35, 45),
                              ("LOW_RESERVOIR", 5, 40)):  # fmt: skip
            db.execute(insert(AlarmRow).values(patient_id=w.a, code=code, severity="critical",
                                               onset_s=T0 + on * DAY,
                                               cleared_s=T0 + off * DAY))  # fmt: skip
    w.clinic.care.sync(w.a, T0 + 60 * DAY)
    with w.db.reads() as db:
        svg = timeline_svg(patient_record(db, w.a))
    titles = re.findall(r'class="no-delivery"><title>(.*?)</title>', svg)
    said = "nothing delivered from 01 Oct 2026 to 05 Nov 2026: pump empty, motor stalled"
    assert titles == [said]
    assert ">nothing delivered</text>" in svg


@pytest.mark.parametrize(("value", "top"), [(3.0, 3.0), (5.5, 6.0), (6.05, 8.0), (20.0, 20.0),
                                             (20.9, 25.0), (0.42, 0.5), (1320.0, 1500.0)])
def test_a_lanes_scale_ends_at_a_round_value(value, top):
    assert round_top(value) == pytest.approx(top)


def test_the_printed_chart_shades_the_same_span_and_reads_mg_per_day(sqlite_world):
    """The summary PDF's chart: the same span shaded on its three axes (an empty pump
    from day 10 to day 40), and morphine's 3 mg/day on an axis in mg/day (it read
    3000 on an axis in mcg/day)."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from sqlalchemy import insert

    from thecal.adapters.db.models import AlarmRow
    from thecal.adapters.reports.therapy_chart import therapy_figure

    w = sqlite_world
    with w.engine.begin() as db:
        db.execute(insert(AlarmRow).values(patient_id=w.a, code="EMPTY_RESERVOIR",
                                           severity="critical", onset_s=T0 + 10 * DAY,
                                           cleared_s=T0 + 40 * DAY))  # fmt: skip
    with w.db.reads() as db:
        fig = therapy_figure(patient_record(db, w.a), T0 + 60 * DAY)
    dose = fig.axes[0]
    assert dose.get_ylabel() == "dose (mg/day)"
    assert [max(line.get_ydata()) for line in dose.get_lines()] == [3.0]
    for ax in fig.axes:
        (shade,) = ax.patches
        left, right = round(shade.get_x(), 6), round(shade.get_x() + shade.get_width(), 6)
        assert (left, right) == (round(mdates.date2num(_utc(T0 + 10 * DAY)), 6),
                                 round(mdates.date2num(_utc(T0 + 40 * DAY)), 6))  # fmt: skip
    assert "nothing delivered" in [t.get_text() for t in dose.get_legend().get_texts()]
    plt.close(fig)


def _utc(t: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC)


def test_a_pain_patients_history_has_no_empty_spasm_column_and_says_what_is_empty(sqlite_world):
    """Patient A (morphine) writes pain scores only: the diary has no spasm column (an
    empty one read like unanswered questions); tables with no row say so rather than
    show a bare header; a date stays on one line."""
    from sqlalchemy import insert

    from thecal.adapters.db.models import DiaryEntry

    w = sqlite_world
    with w.engine.begin() as db:
        db.execute(insert(DiaryEntry).values(patient_id=w.a, at_s=T0 + DAY, pain_nrs=4,
                                             note="better"))  # fmt: skip
    page = w.client("physician").get(f"/patients/{w.a}").text
    diary = page.split('id="diary"', 1)[1].split("</table>", 1)[0]
    assert "spasms" not in diary
    assert re.findall(r"<td[^>]*>([^<]*)</td>", diary) == ["2026-09-22", "4", "better"]
    assert '<td class="when">2026-09-22</td>' in diary
    assert "No request yet." in page and "No alarm." in page
    # the implant's first fill is Ann's first refill row; a patient with no pump has none,
    # and one line says so rather than four empty tables (test_portal.py)
    pid = w.clinic.care.add_patient(w.users["nurse"], dict(
        mrn="N1", name="Nell New", birth_year=1980, indication="non_cancer", weight_kg=60.0,
        opioid_naive=True), "new", T0)  # fmt: skip
    nell = w.client("physician").get(f"/patients/{pid}").text
    assert "No pump yet: refills, programming sessions" in nell and "No refill yet." not in nell


def test_the_dose_lane_reads_the_drugs_own_unit_and_a_short_history_its_times(sqlite_world):
    """A new pump of morphine at 0.5 mg/day (seen on the demo: a constant-flow implant)
    drew "daily dose (mcg/day)" with "500 mcg/day": morphine is read in mg (drugs.toml
    display unit). Its history was minutes long and the axis said "07 Dec 2026" five
    times: under four days each date has its time, and a label is not repeated.
    The printed chart of Bo's baclofen (400 mcg/day) stays in mcg/day, of a morphine
    pump at 0.5 mg/day in mg/day."""
    from thecal.adapters.reports.therapy_chart import dose_axis

    w = sqlite_world
    w.clinic.care.sync(w.a, T0 + 3600.0)  # Ann, morphine 3 mg/day: an hour of history
    page = w.client("physician").get(f"/patients/{w.a}").text
    assert "daily dose (mg/day)" in page
    with w.db.reads() as db:
        rec = patient_record(db, w.a)
    # the unit given, its top written out (it read "3e+03 mcg/day": a baclofen pump at
    # 1500 mcg/day would read "1.5e+03")
    assert 'class="axis">3000 mcg/day<' in timeline_svg(rec, "mcg")
    svg = timeline_svg(rec, "mg")
    # T0 is 2026-09-21 14:13 UTC; the hour is split in four: 14:13, 14:28, 14:43, ...
    dates = re.findall(r'class="axis">(\d\d \w{3} \d{4}[^<]*)<', svg)
    assert dates == ["21 Sep 2026 14:13", "21 Sep 2026 14:28", "21 Sep 2026 14:43",
                     "21 Sep 2026 14:58", "21 Sep 2026 15:13"]  # fmt: skip
    library = w.clinic.library
    assert dose_axis(["baclofen"], 400.0, library) == (1.0, "mcg/day")
    assert dose_axis(["morphine"], 500.0, library) == (1000.0, "mg/day")
    # an admixture read in two units shares one axis: mg from 1000 mcg/day up
    assert dose_axis(["clonidine", "morphine"], 1650.0, library) == (1000.0, "mg/day")
    assert dose_axis(["clonidine", "morphine"], 500.0, library) == (1.0, "mcg/day")


def test_a_dose_change_is_a_step_not_a_ramp(sqlite_world):
    """Ann's 3 mg/day, read at T0; raised to 3.3 mg/day on day 10 (read then), read
    again on day 20. Point to point, the line rose from 3 on day 0 to 3.3 on day 10, as
    if the dose had crept up for ten days (seen on the demo over minutes). As steps: 3
    until day 10, then 3.3 (the lane's top is 4 mg/day, LANE - 32 = 58 px above its
    base at y = 80, below the lane's title)."""
    from tests.clinic.conftest import morphine

    w = sqlite_world
    w.program(w.a, morphine(3300.0), T0 + 10 * DAY)
    w.clinic.care.sync(w.a, T0 + 20 * DAY)
    with w.db.reads() as db:
        svg = timeline_svg(patient_record(db, w.a), "mg")
    line = re.search(r'<polyline fill="none" stroke="#1f5fa8"[^>]*points="([^"]+)"', svg)[1]
    points = [(float(p.split(",")[0]), round(float(p.split(",")[1]), 1)) for p in line.split()]
    ys = [y for _, y in points]
    at_3, at_33 = 80 - 3 / 4 * 58, 80 - 3.3 / 4 * 58  # 36.5, 32.15 (drawn to a tenth)
    assert sorted(set(ys)) == pytest.approx([at_33, at_3], abs=0.06)
    # every rise is vertical: where y changes, x does not
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        assert y0 == y1 or x0 == x1


def _two_years_of_diary(w) -> None:
    """Ann's pain diary: 9 at T0 - 700 days (2024-10-21), 1 at T0 - 200 days, 5 at
    T0 - 30 days; her pump read last at T0 + 65 days (2026-11-25)."""
    from sqlalchemy import insert

    from thecal.adapters.db.models import DiaryEntry

    with w.engine.begin() as db:
        for days, score in ((-700, 9), (-200, 1), (-30, 5)):
            db.execute(insert(DiaryEntry).values(patient_id=w.a, at_s=T0 + days * DAY,
                                                 pain_nrs=score, note=""))  # fmt: skip
    w.clinic.care.sync(w.a, T0 + 65 * DAY)


def test_a_long_history_draws_the_last_year_and_offers_the_rest(sqlite_world):
    """Six years of refills drew 88 saw teeth in 900 pixels. The last 12 months back from
    the last record (T0 + 65 - 365 = T0 - 300 days: 25 Nov 2025) unless asked: the 2024
    score is left out; everything goes back to 21 Oct 2024; the last 3 months start at
    T0 - 26 days (26 Aug 2026), without the scores of day -200 and day -30; Ann's pump
    starts at T0, so the dose line starts at T0: x = 70 + 26 / 91 x 810 = 301.4."""
    w = sqlite_world
    _two_years_of_diary(w)
    c = w.client("physician")

    def first_date(html: str) -> str:
        return re.search(r'text-anchor="start" class="axis">([^<]*)<', html)[1]

    def scores(html: str) -> list[str]:
        return re.findall(r"<title>pain (\d), ", html)

    year = c.get(f"/patients/{w.a}").text
    assert first_date(year) == "25 Nov 2025" and scores(year) == ["1", "5"]
    assert "Shown: last 12 months (from 2025-11-25)." in year
    assert f'href="/patients/{w.a}?chart=3m#timeline">last 3 months</a>' in year
    assert f'href="/patients/{w.a}?chart=all#timeline">everything (from 2024-10-21)</a>' in year
    everything = c.get(f"/patients/{w.a}?chart=all").text
    assert first_date(everything) == "21 Oct 2024" and scores(everything) == ["9", "1", "5"]
    quarter = c.get(f"/patients/{w.a}?chart=3m").text
    assert first_date(quarter) == "26 Aug 2026" and scores(quarter) == []
    dose_line = re.search(r'<polyline fill="none" stroke="#1f5fa8"[^>]*points="([^"]*)"', quarter)
    assert dose_line[1].startswith("301.4,")
    assert first_date(c.get(f"/patients/{w.a}?chart=junk").text) == "25 Nov 2025"
    assert c.get(f"/patients/{w.a}?chart=" + "x" * 9).status_code == 422


def test_the_dose_in_effect_when_the_window_opens_is_drawn_from_its_edge(sqlite_world):
    """Ann read at T0, T0 + 30 and T0 + 150 days (3 mg/day throughout): the last 3 months
    open at T0 + 59 days (2026-11-19), between two readings; the dose of the reading
    before is drawn from the left edge (x = 70), not from the next reading on."""
    w = sqlite_world
    for days in (30, 150):
        w.clinic.care.sync(w.a, T0 + days * DAY)
    quarter = w.client("physician").get(f"/patients/{w.a}?chart=3m").text
    assert re.search(r'text-anchor="start" class="axis">([^<]*)<', quarter)[1] == "19 Nov 2026"
    dose_line = re.search(r'<polyline fill="none" stroke="#1f5fa8"[^>]*points="([^"]*)"', quarter)
    assert dose_line[1].startswith("70.0,")


def test_a_short_history_is_drawn_whole_with_no_choice(sqlite_world):
    """Ann's record without the diary spans the 65 days since T0: shorter than the
    shortest window (91 days), nothing to choose."""
    w = sqlite_world
    w.clinic.care.sync(w.a, T0 + 65 * DAY)
    html = w.client("physician").get(f"/patients/{w.a}").text
    assert 'id="chart-windows"' not in html


def test_the_printed_chart_draws_the_pages_default_year(sqlite_world):
    """The summary draws the page's default window, says so in its title, and its
    tables still list everything: its axis runs from T0 - 300 days to the printing."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from thecal.adapters.reports.clinic_reports import _timeline_title
    from thecal.adapters.reports.therapy_chart import therapy_figure

    w = sqlite_world
    _two_years_of_diary(w)
    with w.db.reads() as db:
        rec = patient_record(db, w.a)
    assert _timeline_title(rec) == ("Timeline: the last 12 months, from 2025-11-25 (the tables "
                                    "list everything)")  # fmt: skip
    fig = therapy_figure(rec, T0 + 66 * DAY)
    left, right = fig.axes[-1].get_xlim()
    assert round(left, 6) == round(mdates.date2num(_utc(T0 - 300 * DAY)), 6)
    assert round(right, 6) == round(mdates.date2num(_utc(T0 + 66 * DAY)), 6)
    plt.close(fig)
