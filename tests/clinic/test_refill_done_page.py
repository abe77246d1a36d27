"""The page after a refill says whose pump, what went in, who checked it and what
next: it read "Refill: committed" and nothing else about the visit. Bo: baclofen
2000 mcg/mL, 15 mL added from lot LOT-7, checked by the pharmacist."""

from __future__ import annotations

import re

from tests.clinic.conftest import PASSWORD
from tests.clinic.test_errors_beside_fields import _refill_form


def test_the_refill_page_after_says_who_what_and_what_next(sqlite_world):
    w = sqlite_world
    c = w.client("nurse")
    form = _refill_form(c, w.b)
    plan = c.post(f"/patients/{w.b}/refill/plan", data=form).text
    digest = re.search(r'name="reviewed_digest" value="([^"]*)"', plan)[1]
    sign = {"verifier_username": "pharmacist", "verifier_password": PASSWORD,
            "confirmed": "yes", "reviewed_digest": digest}  # fmt: skip
    done = c.post(f"/patients/{w.b}/refill", data={**form, **sign}, follow_redirects=False)
    assert done.status_code == 303, done.text
    page = c.get(done.headers["location"]).text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "Refill: Bo Baker MRN B2" in text
    assert "committed done: the pump read back what was signed" in text
    assert "15.00 mL added of baclofen 2000 mcg/mL · lot LOT-7" in text
    assert "By nurse, checked by pharmacist" in text
    refill_id = done.headers["location"].rsplit("/", 1)[1]
    assert f'href="/api/patients/{w.b}/refills/{refill_id}/report.pdf"' in page
    assert f'href="/patients/{w.b}/appointment" id="book-next"' in page
    assert "<title>Refill committed · Bo Baker · thecal</title>" in page
