"""Issue 25: trial doses and assessments are timed by a labelled date and time in the
clinic's time zone (they asked for ISO UTC times typed by hand). The clinic here is in
Europe/London: on 21 September 2026 that is UTC+1 (British Summer Time), so 16:00
there is 15:00 UTC. A refused entry comes back on the trial's card as typed."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from tests.clinic.conftest import T0, World
from thecal.adapters.db.models import TrialRow
from thecal.entrypoints.web import create_app


def test_a_dose_typed_in_london_time_is_stored_in_utc_and_shown_in_london_time(tmp_path):
    w = World(f"sqlite:///{tmp_path / 'clinic.db'}")
    try:
        w.app = create_app(w.db, w.clock, time_zone="Europe/London")
        dr = w.users["physician"]
        pid = w.clinic.care.add_patient(
            dr,
            {
                "mrn": "T1",
                "name": "Tess Trial",
                "birth_year": 1980,
                "indication": "spasticity_spinal",
                "weight_kg": 60.0, "opioid_naive": False,
            },
            "referral",
            T0,
        )
        c = w.client("physician")
        csrf = c.headers["X-CSRF-Token"]
        page = c.get(f"/patients/{pid}/trials").text
        assert 'type="date"' not in page  # no trial yet: only the start form
        r = c.post(
            f"/patients/{pid}/trials",
            follow_redirects=False,
            data={
                "csrf": csrf,
                "kind": "baclofen_screening",
                "drug": "baclofen",
                "scale": "ashworth",
                "value": "3",
            },
        )
        assert r.status_code == 303
        with w.db.reads() as db:
            trial = db.scalars(select(TrialRow).where(TrialRow.patient_id == pid)).one()
        page = c.get(f"/patients/{pid}/trials").text
        # the trial names its drug once and its start (it read "#1 baclofen screening
        # (bolus) · baclofen · open")
        assert f"<h3>#{trial.id} baclofen screening (bolus), started 2026-09-21 · <span" in page
        # the form offers today in London: T0 is 14:13 UTC, 15:13 BST
        assert f'id="dose{trial.id}-date" name="date" value="2026-09-21"' in page
        assert f'id="dose{trial.id}-time" name="time" value="15:13"' in page
        # the assessment is offered on the trial's baseline scale (it offered pain NRS)
        scale = page.split(f'id="assess{trial.id}-scale"', 1)[1].split("</select>", 1)[0]
        assert re.findall(r'<option value="(\w+)" selected>', scale) == ["ashworth"]
        # each scale with the range the assessment check holds it to (services/trial.py)
        assert re.findall(r'<option value="\w+"[^>]*>([^<]*)<', scale) == [
            "pain NRS, 0-10", "Ashworth, 0-4", "Penn spasm frequency, 0-4",
            "Oswestry disability, 0-100"]  # fmt: skip
        bad = c.post(
            f"/trials/{trial.id}/dose",
            data={"csrf": csrf, "date": "21/09/2026", "time": "16:00", "amount": "50 mcg"},
        )
        assert bad.status_code == 422
        assert re.search(rf'id="dose{trial.id}-date-error">[^<]*2026-12-01', bad.text)
        assert 'value="50 mcg"' in bad.text
        ok = c.post(
            f"/trials/{trial.id}/dose",
            follow_redirects=False,
            data={"csrf": csrf, "date": "2026-09-21", "time": "16:00", "amount": "50 mcg"},
        )
        assert ok.status_code == 303, ok.text[:300]
        with w.db.reads() as db:
            doses = db.get(TrialRow, trial.id).document["doses"]
        assert doses == [{"at": "2026-09-21T15:00:00Z", "amount": "50 mcg"}]
        shown = c.get(f"/patients/{pid}/trials").text
        assert '<td class="when">2026-09-21 16:00</td><td>50 mcg</td>' in shown
        # Ashworth 3 -> 2 four hours later: a fall of 1 point, a responder needs 2 (fact
        # 19); the next rung is 75 mcg, 24 h after the 50 (fact 12): 16:00 BST next day
        scored = c.post(f"/trials/{trial.id}/assessment", follow_redirects=False,
                        data={"csrf": csrf, "date": "2026-09-21", "time": "20:00",
                              "scale": "ashworth", "value": "2"})  # fmt: skip
        assert scored.status_code == 303, scored.text[:300]
        shown = c.get(f"/patients/{pid}/trials").text
        assert '<p class="baseline">Baseline: Ashworth 3</p>' in shown
        assert ("<td>50 mcg</td><td>no response: largest tone fall 1 point (need 2)</td>"
                in shown)  # fmt: skip
        assert '<td class="when">2026-09-21 20:00</td><td>Ashworth 2</td>' in shown
        # one trial at a time: the start form gives way to a note, and a second start
        # sent anyway is refused on the page with what was typed kept
        assert f"Trial #{trial.id} is open: evaluate and close it" in shown
        again = c.post(f"/patients/{pid}/trials", data={"csrf": csrf, "kind": "opioid_single_shot",
                                                       "drug": "morphine", "scale": "nrs",
                                                       "value": "7"})  # fmt: skip
        assert again.status_code == 409
        assert (f'id="start-error">trial #{trial.id} of baclofen is still open: evaluate '
                "and close it before starting another<") in again.text
        assert 'name="value" value="7"' in again.text
        nxt = re.search(rf'id="next-dose-{trial.id}">(.*?)</p>', shown)[1]
        assert nxt == ("Next in the screening protocol: <b>75 mcg</b>, not before "
                       "2026-09-22 16:00 (Europe/London)")  # fmt: skip
        # once the interval has passed it is no longer a bound ahead (it read "not
        # before" a time already gone): 16:00 London is 15:00 UTC on 22 September
        w.clock.t = datetime(2026, 9, 22, 15, 1, tzinfo=UTC).timestamp()
        later = c.get(f"/patients/{pid}/trials").text
        nxt = re.search(rf'id="next-dose-{trial.id}">(.*?)</p>', later)[1]
        assert nxt == ("Next in the screening protocol: <b>75 mcg</b>, <b>may be given "
                       "now</b> (the interval ended 2026-09-22 16:00, Europe/London)")  # fmt: skip
    finally:
        w.engine.dispose()


def test_the_start_form_first_offers_the_trial_that_fits_the_indication(sqlite_world):
    """It offered a baclofen screening scored on the Ashworth scale to everyone, the
    patient with axial back pain the worklist sends to "Start the pump trial"
    included. A pain patient is offered a single morphine bolus on the pain NRS; a
    spasticity patient the baclofen screening on the Ashworth scale."""
    w = sqlite_world
    dr = w.users["physician"]

    def chosen(pid: int, name: str) -> str:
        page = w.client("physician").get(f"/patients/{pid}/trials").text
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        return re.search(r'<option value="(\w+)" selected>', select)[1]

    for mrn, indication, expected in (
        ("P1", "non_cancer", ("opioid_single_shot", "morphine", "nrs")),
        ("P2", "cancer", ("opioid_single_shot", "morphine", "nrs")),
        ("S1", "spasticity_cerebral", ("baclofen_screening", "baclofen", "ashworth")),
    ):
        pid = w.clinic.care.add_patient(dr, {"mrn": mrn, "name": f"Pat {mrn}",
                                             "birth_year": 1970, "indication": indication,
                                             "weight_kg": 70.0, "opioid_naive": True},
                                        "new", T0)  # fmt: skip
        assert tuple(chosen(pid, n) for n in ("kind", "drug", "scale")) == expected
