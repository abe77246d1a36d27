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
    cells = re.findall(r"<td>([^<]*)</td>", diary)
    assert cells == ["2026-09-24", "", "2", "", "2026-09-22", "2", "6", "stiff legs"]
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
