"""The programming screen edits whole programs: every basal step (a flex schedule),
the cycle, periodic boluses and the patient bolus, shown side by side with the
running one. Patient B runs baclofen 2000 mcg/mL at 400 mcg/day (0.2 mL/day)."""

from __future__ import annotations

import re

from tests.clinic.conftest import PASSWORD

FORM = {"cycle_days": "1", "low_ml": "4", "demand_amount": "",
        "step_start_0": "00:00", "step_value_0": "400 mcg/day",
        "step_start_1": "", "step_value_1": "", "step_start_2": "", "step_value_2": "",
        "periodic_at_0": "", "periodic_amount_0": "", "periodic_duration_0": ""}  # fmt: skip


def rows(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body) if "<td>" in r]  # fmt: skip


def test_the_form_carries_every_step_with_room_to_add(sqlite_world):
    w = sqlite_world
    html = w.client("physician").get(f"/patients/{w.b}/program").text
    assert 'name="step_start_0" value="00:00"' in html
    assert 'name="step_value_0" value="400 mcg/day"' in html
    assert 'id="step_start_2"' in html and 'id="periodic_at_1"' in html  # two blank rows


def test_blank_rows_hint_at_the_drugs_unit_not_a_dose_that_reads_like_a_step(sqlite_world):
    """A blank row showed "07:00 / 3 mg/day" in grey on every pump: on this baclofen
    pump (400 mcg/day) that is 3000 mcg/day, and it read like a real step (issue 25).
    Baclofen's doses are written in mcg (drugs.toml display_unit); morphine's in mg."""
    w = sqlite_world
    baclofen = w.client("physician").get(f"/patients/{w.b}/program").text
    blank = re.search(r'<input[^>]*id="step_value_2"[^>]*>', baclofen)[0]
    assert 'value=""' in blank and 'placeholder="in mcg/day or mL/day"' in blank
    assert 'id="periodic_amount_0"' in baclofen
    assert re.search(r'id="periodic_amount_0"[^>]*placeholder="in mcg"', baclofen)
    assert "a dose of baclofen in mcg/day or a rate in mL/day" in baclofen
    assert "3 mg/day" not in baclofen and "3.3 mg/day" not in baclofen
    morphine = w.client("physician").get(f"/patients/{w.a}/program").text
    assert 'placeholder="in mg/day or mL/day"' in morphine
    assert "a dose of morphine in mg/day or a rate in mL/day" in morphine


def test_a_flex_step_is_checked_with_its_24_hour_dose(sqlite_world):
    w = sqlite_world
    form = {**FORM, "step_start_1": "20:00", "step_value_1": "1 mg/day"}
    r = w.client("physician").post(f"/patients/{w.b}/program/check", data=form)
    assert r.status_code == 200, r.text
    # 1000 mcg/day of 2000 mcg/mL is 0.5 mL/day: the dose in baclofen's unit, the volume beside
    assert ["step 2", "-", "20:00 1000 mcg/day (0.5 mL/day)"] in rows(r.text, "diff")
    # 400 x 20/24 + 1000 x 4/24 = 500 mcg/day: +25 % on 400
    assert rows(r.text, "doses") == [["baclofen", "400 mcg/day", "500 mcg/day", "+25.0 %"]]


def test_a_periodic_bolus_and_a_rate_step(sqlite_world):
    w = sqlite_world
    form = {**FORM, "step_value_0": "0.2 mL/day", "periodic_at_0": "08:00",
            "periodic_amount_0": "50 mcg", "periodic_duration_0": "30 min"}  # fmt: skip
    r = w.client("physician").post(f"/patients/{w.b}/program/check", data=form)
    assert r.status_code == 200, r.text
    diff = rows(r.text, "diff")
    # unchanged: 0.2 mL/day x 2000 mcg/mL = 400 mcg/day
    assert ["step 1", "00:00 400 mcg/day (0.2 mL/day)", "00:00 400 mcg/day (0.2 mL/day)"] in diff
    assert ["periodic bolus 1", "-", "08:00 50 mcg (0.025 mL) over 30 min"] in diff  # 50 / 2000
    # 400 + 50
    assert rows(r.text, "doses") == [["baclofen", "400 mcg/day", "450 mcg/day", "+12.5 %"]]


def test_a_half_filled_row_names_itself(sqlite_world):
    w = sqlite_world
    form = {**FORM, "step_start_1": "20:00"}
    r = w.client("physician").post(f"/patients/{w.b}/program/check", data=form)
    # answered 200 so that the page swaps it in where the review would be (HTMX swaps
    # only a success): the problem beside the form, never a silent nothing
    assert r.status_code == 422 and 'id="problems"' in r.text
    # beside the row's value (an out-of-band swap of its error slot)
    assert ('id="step_value_1-error" hx-swap-oob="true">fill in start and value, or none'
            in r.text)  # fmt: skip


def test_a_temporary_program_is_reviewed_with_its_end_and_a_bad_duration_named(sqlite_world):
    w = sqlite_world
    c = w.client("physician")
    form = {**FORM, "step_value_0": "440 mcg/day", "temporary_h": "6"}
    r = c.post(f"/patients/{w.b}/program/check", data=form)
    assert r.status_code == 200, r.text
    assert "TEMPORARY_PROGRAM" in r.text and "after 6 h" in r.text
    bad = c.post(f"/patients/{w.b}/program/check", data={**form, "temporary_h": "six"})
    assert bad.status_code == 422 and "temporary_h" in bad.text and "a number of hours" in bad.text
    long = c.post(f"/patients/{w.b}/program/check", data={**form, "temporary_h": "80"})
    assert long.status_code == 422 and "from above 0 to 72 h" in long.text


def test_an_opioids_24_hour_dose_is_in_mg_per_day(sqlite_world):
    """Patient A runs morphine 10 mg/mL at 3 mg/day with a 0.1 mg patient bolus up to 3
    a day: 3 + 0.3 = 3.3 mg/day with every bolus taken. The new program, 3.6 mg/day
    with no patient bolus: 3.6 / 3.3 = +9.1 %. Clinicians read morphine in mg/day (the
    review's dose table said 3300 and 3600, in mcg)."""
    w = sqlite_world
    form = {**FORM, "step_value_0": "3.6 mg/day", "low_ml": "3"}
    r = w.client("physician").post(f"/patients/{w.a}/program/check", data=form)
    assert r.status_code == 200, r.text
    assert rows(r.text, "doses") == [["morphine", "3.3 mg/day", "3.6 mg/day", "+9.1 %"]]


def test_a_soft_findings_reason_box_says_what_the_finding_says(sqlite_world):
    """Morphine 3 -> 4 mg/day is +33 %, above the 30 % a day PACC 2007 gives for non-cancer
    pain (3.9 mg/day): the box to accept it was labelled with the code alone ("Reason to
    accept TITRATION_ABOVE_MAX"), and the message named the titration row by its key."""
    w = sqlite_world
    form = {**FORM, "step_value_0": "4 mg/day", "low_ml": "3"}
    r = w.client("physician").post(f"/patients/{w.a}/program/check", data=form)
    assert r.status_code == 200, r.text
    label = re.search(r'<label for="ack_TITRATION_ABOVE_MAX">(.*?)</label>', r.text)[1]
    assert label.startswith("Reason to accept: morphine: 4 mg/day in 24 h is above 3.9 mg/day")
    assert "+30 % in 24 h (non-cancer pain) from 3 mg/day" in label
    assert "TITRATION_ABOVE_MAX" not in label and "non_cancer" not in r.text
    c = w.client("physician")
    page = c.get(f"/patients/{w.a}/program").text
    sent = {**form, "reason": "pain at night", "confirmed": "yes",
            "reviewed_digest": re.search(r'name="reviewed_digest" value="([^"]*)"', r.text)[1],
            "expected_version": re.search(r'name="expected_version" value="(\d+)"', page)[1],
            "ack_TITRATION_ABOVE_MAX": "breakthrough pain every night"}  # fmt: skip
    sent |= {f"verifier_{k}": v for k, v in (("username", "pharmacist"), ("password", PASSWORD))}
    done = c.post(f"/patients/{w.a}/program", data=sent)
    assert done.status_code == 200, re.sub(r"<[^>]+>", " ", done.text)[-2000:]
    accepted = re.search(r"<h3>Acknowledged</h3><ul><li>(.*?)</li>", done.text)[1]
    assert accepted.startswith("morphine: 4 mg/day in 24 h is above 3.9 mg/day")
    assert accepted.endswith(": accepted by physician, “breakthrough pain every night”")
    # the page after says whose pump, that it read back what was signed, what changed,
    # and where the printout is (it said "Programming session: committed")
    assert "<h1>Programming: Ann Able" in done.text
    assert '<span id="session-end">done: the pump read back what was signed</span>' in done.text
    assert ["step 1", "00:00 3 mg/day (0.3 mL/day)", "00:00 4 mg/day (0.4 mL/day)"] in rows(
        done.text, "diff"
    )
    assert re.search(r'href="/api/patients/\d+/sessions/\d+/report.pdf" id="print-session"',
                     done.text)  # fmt: skip
