"""The patient page's refills: the last twelve open, the earlier ones one click away
(a pump refilled every month for years made the page thousands of pixels long; seen in
Chromium on the demo). Nothing is dropped: every refill is on the page."""

from __future__ import annotations

import re

from tests.clinic.conftest import T0, api_signed

DAY = 86_400.0


def test_the_last_twelve_refills_are_open_and_the_rest_folded(sqlite_world):
    w = sqlite_world
    c = w.client("nurse")
    refill = {"add_ml": 10.0, "drugs": [{"name": "baclofen", "concentration": "2 mg/mL"}]}
    for k in range(14):  # a refill every 20 days, each with its own lot number
        w.clock.t = T0 + (k + 1) * 20 * DAY
        urls = (f"/api/patients/{w.b}/refills/plan", f"/api/patients/{w.b}/refills")
        r = api_signed(c, *urls, refill | {"lot": f"LOT-{k:02d}"})
        assert r.status_code == 201, r.text
    page = c.get(f"/patients/{w.b}").text
    # the card to the end of its folded list (each table sits in its own scroll region)
    card = re.search(r'<div class="card" id="refills">(.*?)</details>', page, re.S)[1]
    shown, folded = card.split('<details id="earlier-refills">')
    assert re.findall(r"LOT-\d\d", shown) == [f"LOT-{k:02d}" for k in range(13, 1, -1)]
    assert "<summary>3 earlier refills</summary>" in folded  # and the implant's fill
    assert re.findall(r"LOT-\d\d", folded) == ["LOT-01", "LOT-00"]
    assert folded.rstrip().endswith("first fill of a new pump: nothing to withdraw</span></td>"
                                    f'<td><a href="/api/patients/{w.b}/refills/2/report.pdf">'
                                    "print</a></td></tr></table></div>")  # fmt: skip
