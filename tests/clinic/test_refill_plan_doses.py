"""The refill plan's 24 h doses in the drug's own unit, as every other review shows
them: it printed bare mcg under a "mcg/day" heading, 3300 for a morphine patient whom
clinicians dose in mg (issue 25). Patient A: morphine 3 mg/day with a 0.1 mg patient
bolus up to 3 a day, 3.3 mg/day with every bolus taken; patient B: baclofen
400 mcg/day, no bolus. A new concentration keeps the daily dose (the table is shown
when the program changes)."""

from __future__ import annotations

from tests.clinic.test_errors_beside_fields import _refill_form
from tests.clinic.test_program_form import rows


def test_the_plan_shows_morphine_in_mg_and_baclofen_in_mcg_per_day(sqlite_world):
    w = sqlite_world
    c = w.client("nurse")
    morphine = {**_refill_form(c, w.a), "drug_0": "morphine", "conc_0": "20 mg/mL",
                "bridge_min": "30"}  # fmt: skip
    r = c.post(f"/patients/{w.a}/refill/plan", data=morphine)
    assert r.status_code == 200, r.text
    assert rows(r.text, "doses") == [["morphine", "3.3 mg/day", "3.3 mg/day", "+0.0 %"]]
    assert "now (24 h, every bolus taken)" in r.text
    baclofen = c.post(
        f"/patients/{w.b}/refill/plan",
        data={**_refill_form(c, w.b), "conc_0": "1000 mcg/mL", "bridge_min": "30"},
    )
    assert baclofen.status_code == 200, baclofen.text
    assert rows(baclofen.text, "doses") == [["baclofen", "400 mcg/day", "400 mcg/day", "+0.0 %"]]


def test_baclofen_is_shown_in_mcg_per_ml_and_the_same_strength_in_mg_is_no_change(
    sqlite_world,
):
    """The refill form's default and the programming screen's drug line read 2000
    mcg/mL, as the label and the running program do (they read "2 mg/mL"). Typing the
    same strength in mg is no new concentration: no reprogramming, no bridge asked."""
    w = sqlite_world
    c = w.client("nurse")
    refill = c.get(f"/patients/{w.b}/refill").text
    assert 'id="conc_0" name="conc_0" value="2000 mcg/mL"' in refill
    program = w.client("physician").get(f"/patients/{w.b}/program").text
    assert "<p>baclofen 2000 mcg/mL</p>" in program
    same = c.post(f"/patients/{w.b}/refill/plan",
                  data={**_refill_form(c, w.b), "conc_0": " 2 mg/mL "})  # fmt: skip
    assert same.status_code == 200, same.text
    assert 'id="doses"' not in same.text  # the program is unchanged
    assert "BRIDGE" not in same.text


def test_the_plans_findings_are_hard_then_soft_then_info(sqlite_world):
    """Baclofen at 3000 mcg/mL (above the library's 2000 mcg/mL, hard) with a 60-minute
    bridge: the bridge pushes out 2000 mcg/mL fluid at 400 mcg/day, above the largest
    single bolus (soft, from the new program's check), while the plan's own lines are
    info. The soft finding came after the plan's info lines: now hard, soft, info."""
    import re

    w = sqlite_world
    c = w.client("nurse")
    form = {**_refill_form(c, w.b), "conc_0": "3000 mcg/mL", "bridge_min": "60"}
    r = c.post(f"/patients/{w.b}/refill/plan", data=form)
    assert r.status_code == 200, r.text
    severities = re.findall(r'<tr class="finding" data-code="\w+"><td><span class="tag (\w+)">',
                            r.text)  # fmt: skip
    assert {"hard", "soft", "info"} <= set(severities)
    rank = {"hard": 0, "soft": 1, "info": 2}
    assert severities == sorted(severities, key=rank.__getitem__)
