"""Issue 25: on the programming and refill screens each problem is shown beside the
input it is about, also after Check and Plan (HTMX out-of-band swaps of each input's
error slot), and a commit refused for its input keeps the form as typed and stores
nothing. Patient B runs baclofen at 400 mcg/day from a 20 mL pump."""

from __future__ import annotations

import html as markup
import re

from sqlalchemy import func, select

from tests.clinic.test_program_form import FORM
from thecal.adapters.db.models import ProgramVersion, RefillRow


def slot(html: str, name: str) -> str | None:
    """The text of the error slot beside input `name`, or None where it is hidden."""
    m = re.search(rf'<span class="field-error" id="{name}-error"([^>]*)>(.*?)</span>', html)
    assert m is not None, f"no error slot for {name}"
    return None if "hidden" in m[1] else markup.unescape(m[2])


def oob(html: str, name: str) -> str | None:
    m = re.search(rf'<span class="field-error" id="{name}-error" hx-swap-oob="true"([^>]*)>'
                  r"(.*?)</span>", html)  # fmt: skip
    assert m is not None, f"no out-of-band slot for {name}"
    return None if "hidden" in m[1] else markup.unescape(m[2])


def count(w, table) -> int:
    with w.engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar_one()


def test_check_puts_each_problem_beside_its_row_even_after_a_blank_row(sqlite_world):
    """Row 1 of the form is left blank, so the document's step [1] is the form's row 2:
    its bad dose belongs beside step_value_2, not step_value_1."""
    w = sqlite_world
    c = w.client("physician")
    form = {**FORM, "step_start_2": "20:00", "step_value_2": "9**9 mg/day",
            "demand_amount": "0.1 mg", "demand_duration": "10 min",
            "demand_lockout": "soon", "demand_max": "3"}  # fmt: skip
    r = c.post(f"/patients/{w.b}/program/check", data=form)
    assert r.status_code == 422
    assert "no arithmetic" in oob(r.text, "step_value_2")
    assert oob(r.text, "step_value_1") is None and oob(r.text, "step_start_2") is None
    assert "soon" in oob(r.text, "demand_lockout")
    assert "each problem is shown beside its field" in r.text
    # put right, Check clears every slot it had filled
    fixed = {**form, "step_value_2": "500 mcg/day", "demand_lockout": "4 h"}
    ok = c.post(f"/patients/{w.b}/program/check", data=fixed)
    assert ok.status_code == 200, ok.text
    assert oob(ok.text, "step_value_2") is None and oob(ok.text, "demand_lockout") is None


def test_a_commit_refused_for_its_input_keeps_the_form_and_sends_nothing(sqlite_world):
    w = sqlite_world
    c = w.client("physician")
    versions = count(w, ProgramVersion)
    page = c.get(f"/patients/{w.b}/program").text
    version = re.search(r'name="expected_version" value="(\d+)"', page)[1]
    form = {**FORM, "cycle_days": "0", "step_value_0": "350 mcg/day", "reason": "titrate",
            "expected_version": version}  # fmt: skip
    r = c.post(f"/patients/{w.b}/program", data=form)
    assert r.status_code == 422
    assert slot(r.text, "cycle_days") == "a whole number of days, 1 or more"
    assert 'id="cycle_days" name="cycle_days" value="0" aria-describedby="cycle_days-error" ' \
           'aria-invalid="true"' in r.text  # fmt: skip
    assert 'value="350 mcg/day"' in r.text  # what was typed is still there
    assert slot(r.text, "low_ml") is None
    assert count(w, ProgramVersion) == versions


def _refill_form(c, pid) -> dict[str, str]:
    page = c.get(f"/patients/{pid}/refill").text
    conc = re.search(r'id="conc_0" name="conc_0" value="([^"]*)"', page)[1]
    version = re.search(r'name="expected_version" value="(\d+)"', page)[1]
    return {"drug_0": "baclofen", "conc_0": conc, "expected_version": version,
            "add_ml": "15", "lot": "LOT-7", "diluted": "", "bridge_min": ""}  # fmt: skip


def test_a_refill_with_a_bad_volume_keeps_the_form_and_records_nothing(sqlite_world):
    w = sqlite_world
    c = w.client("nurse")
    form = {**_refill_form(c, w.b), "add_ml": "abc"}
    refills = count(w, RefillRow)
    r = c.post(f"/patients/{w.b}/refill", data=form)
    assert r.status_code == 422
    assert slot(r.text, "add_ml") == "a volume in mL, such as 18"
    assert "the refill was not recorded: each problem is shown beside its field" in r.text
    assert 'id="lot" name="lot" value="LOT-7"' in r.text
    assert slot(r.text, "lot") is None
    assert count(w, RefillRow) == refills
    # too much: the input model's limit, said in a clinician's words
    r = c.post(f"/patients/{w.b}/refill", data={**form, "add_ml": "150", "lot": "L" * 41})
    assert r.status_code == 422
    assert slot(r.text, "add_ml") == "a volume in mL, more than 0 and at most 100, such as 18"
    assert slot(r.text, "lot") == "the lot number on the fluid's label, 1 to 40 characters"
    assert count(w, RefillRow) == refills


def test_a_bridge_longer_than_a_day_is_refused_beside_it(sqlite_world):
    """RefillIn.bridge_duration_s is at most 86400 s: 1440 minutes on the screen."""
    w = sqlite_world
    c = w.client("nurse")
    form = _refill_form(c, w.b)
    new = "1000 mcg/mL" if not form["conc_0"].startswith("1000") else "500 mcg/mL"
    refills = count(w, RefillRow)
    for minutes in ("1441", "0", "a day"):
        r = c.post(f"/patients/{w.b}/refill", data={**form, "conc_0": new, "bridge_min": minutes})
        assert r.status_code == 422
        assert slot(r.text, "bridge_min") == "minutes, more than 0 and at most 1440"
    assert count(w, RefillRow) == refills


def test_plan_puts_a_bad_concentration_beside_it(sqlite_world):
    w = sqlite_world
    c = w.client("nurse")
    form = {**_refill_form(c, w.b), "conc_0": "2 mg per mL"}
    r = c.post(f"/patients/{w.b}/refill/plan", data=form)
    assert r.status_code == 422
    assert "a concentration was expected" in oob(r.text, "conc_0")
    assert "the refill was not planned: each problem is shown beside its field" in r.text
    assert oob(r.text, "add_ml") is None
    ok = c.post(f"/patients/{w.b}/refill/plan", data=_refill_form(c, w.b))
    assert ok.status_code == 200, ok.text
    assert oob(ok.text, "conc_0") is None
