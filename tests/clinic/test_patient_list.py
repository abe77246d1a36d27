"""The patient list pages through every patient: it showed the first 100 by name and
said nothing of the rest, on the screen and the API. Ann Able and Bo Baker, and 120
patients added as "Zed 000" ... "Zed 119" (no pump): 122 in all, by name Ann, Bo,
then the Zeds; the screen's page is the worklist's 100 items, so two pages."""

from __future__ import annotations

import re

from sqlalchemy import update

from tests.clinic.conftest import DAY, T0
from tests.clinic.test_fhir import _stimulator
from thecal.adapters.db.models import Pump


def _add_zeds(w, n: int = 120) -> None:
    for i in range(n):
        w.clinic.care.add_patient(w.users["nurse"], dict(
            mrn=f"Z{i:03d}", name=f"Zed {i:03d}", birth_year=1980, indication="non_cancer",
            weight_kg=60.0, opioid_naive=True), "new", T0)  # fmt: skip


def _names(html: str) -> list[str]:
    table = html.split('id="patients"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/patients/\d+">([^<]*)</a>', table)


def test_the_api_pages_through_every_patient_and_says_how_many(world):
    w = world
    _add_zeds(w)
    c = w.client("nurse")
    first = c.get("/api/patients?limit=50")
    assert first.status_code == 200
    assert first.headers["X-Total-Count"] == "122"
    assert first.headers["Link"] == '</api/patients?q=&offset=50&limit=50>; rel="next"'
    names = [p["name"] for p in first.json()]
    assert names[:3] == ["Ann Able", "Bo Baker", "Zed 000"] and len(names) == 50
    seen = list(names)
    for offset in (50, 100):
        r = c.get(f"/api/patients?offset={offset}&limit=50")
        seen += [p["name"] for p in r.json()]
    assert "Link" not in r.headers  # 100 + 22: the last page
    assert len(seen) == 122 and len(set(seen)) == 122 and seen[-1] == "Zed 119"
    found = c.get("/api/patients?q=zed 11")
    assert found.headers["X-Total-Count"] == "10"  # Zed 110 ... Zed 119, any case
    assert c.get("/api/patients?limit=0").status_code == 422
    assert c.get("/api/patients?limit=501").status_code == 422


def test_the_screen_pages_and_shows_therapy_pump_and_next_refill(world):
    """Ann: morphine 3 mg/day, delivering; Bo: baclofen 400 mcg/day, his refill due date
    set to T0 - 2.4 days (2026-09-19): overdue 2.4 days at T0. The Zeds have no pump.
    Days overdue are given to a tenth under ten (0.4 d read "overdue 0 d")."""
    w = world
    _add_zeds(w)
    with w.engine.begin() as db:
        db.execute(update(Pump).where(Pump.patient_id == w.b).values(refill_due_s=T0 - 2.4 * DAY))
    c = w.client("nurse")
    one = c.get("/patients").text
    assert "122 patients, page 1 of 2." in one
    names = _names(one)
    assert len(names) == 100 and names[:2] == ["Ann Able", "Bo Baker"] and names[-1] == "Zed 097"
    rows = {re.sub(r"<[^>]+>", "", r.split("</td>", 1)[0]): r
            for r in one.split('id="patients"', 1)[1].split("<tr><td>")[1:]}  # fmt: skip
    assert "<td>morphine 3 mg/day</td>" in rows["Ann Able"]
    assert "<td>baclofen 400 mcg/day</td>" in rows["Bo Baker"]
    assert "2026-09-19" in rows["Bo Baker"] and "overdue 2.4 d" in rows["Bo Baker"]
    assert "overdue" not in rows["Ann Able"]
    assert "<td>-</td><td>no pump</td>" in rows["Zed 000"]
    assert 'href="/patients?page=2" rel="next"' in one
    for late, said in ((0.4, "overdue 0.4 d"), (12.6, "overdue 13 d")):
        with w.engine.begin() as db:
            db.execute(update(Pump).where(Pump.patient_id == w.b)
                       .values(refill_due_s=T0 - late * DAY))  # fmt: skip
        assert said in c.get("/patients?q=Bo").text
    two = c.get("/patients?page=2").text
    assert _names(two) == [f"Zed {i:03d}" for i in range(98, 120)]
    assert 'href="/patients?page=1" rel="prev"' in two and 'rel="next"' not in two
    searched = c.get("/patients?q=Zed 11").text
    assert "10 patients whose name or MRN contains “Zed 11”." in searched
    assert c.get("/patients?page=0").status_code == 422
    none = c.get("/patients?q=Nobody").text
    assert "0 patients" in none and "No patient matches." in none


def test_a_search_reads_percent_and_underscore_as_typed(world):
    """"_" matched any one character and "%" anything (SQL LIKE): "%" listed all 122
    patients and "Zed_11" found the ten "Zed 11x". Hand count: only "O_Hara" holds "_",
    only "100% Kim" holds "%"."""
    w = world
    _add_zeds(w)
    for mrn, name in (("U1", "O_Hara"), ("P1", "100% Kim")):
        w.clinic.care.add_patient(w.users["nurse"], dict(
            mrn=mrn, name=name, birth_year=1980, indication="non_cancer", weight_kg=60.0,
            opioid_naive=True), "new", T0)  # fmt: skip
    c = w.client("nurse")
    assert c.get("/api/patients", params={"q": "%"}).headers["X-Total-Count"] == "1"
    assert c.get("/api/patients", params={"q": "_"}).headers["X-Total-Count"] == "1"
    assert c.get("/api/patients", params={"q": "Zed_11"}).headers["X-Total-Count"] == "0"
    assert [p["name"] for p in c.get("/api/patients", params={"q": "o_h"}).json()] == ["O_Hara"]
    assert "1 patient" in c.get("/patients", params={"q": "0%"}).text


def test_a_patient_without_a_pump_shows_the_trial_or_stimulator_instead(world):
    """The list read "-" and "no pump" for a patient on a pump trial and for one with an
    implanted stimulator, as for a patient with nothing: a clinician scanning it could
    not tell them apart. Tia: a baclofen screening started at T0 (2026-09-21); Sam: a
    stimulator implanted on T0 + 4 days (2026-09-25, test_fhir's `_stimulator`); the Zeds:
    nothing."""
    w = world
    _add_zeds(w, 1)
    dr = w.users["physician"]
    tia = w.clinic.care.add_patient(dr, dict(
        mrn="T55", name="Tia Trial", birth_year=1980, weight_kg=60.0,
        indication="spasticity_spinal", opioid_naive=False), "new", T0)  # fmt: skip
    w.clinic.trials.start_trial(dr, tia, {"kind": "baclofen_screening", "drug": "baclofen",
                                          "indication": "spasticity_spinal",
                                          "baseline": {"ashworth": 4}}, T0)  # fmt: skip
    _stimulator(w)
    html = w.client("nurse").get("/patients").text
    rows = {re.sub(r"<[^>]+>", "", r.split("</td>", 1)[0]): r
            for r in html.split('id="patients"', 1)[1].split("<tr><td>")[1:]}  # fmt: skip
    assert ("<td>baclofen screening (bolus): under way since 2026-09-21</td><td>no pump</td>"
            in rows["Tia Trial"])
    assert ("<td>spinal cord stimulator implanted 2026-09-25</td><td>no pump</td>"
            in rows["Sam Stim"])
    assert "<td>-</td><td>no pump</td>" in rows["Zed 000"]
