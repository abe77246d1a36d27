"""The care pathway record as a form: it was written only as JSON through the API.
The form writes through the same use case: the decision for the example record
(examples/programmer/pathway-axial-back.json) is the API's, a stored record comes back
into the form, and a refused form keeps what was typed with each problem beside its
field, storing nothing."""

from __future__ import annotations

import re

from tests.clinic.test_pathway import RECORD, candidate

AXIAL_BACK_FORM = {
    "t0_kind": "physical_therapy", "t0_start": "2024-03-01", "t0_end": "2024-06-01",
    "t0_outcome": "failed",
    "t1_kind": "medication", "t1_start": "2024-01-15", "t1_end": "", "t1_outcome": "failed",
    "t2_kind": "injections", "t2_start": "2024-09-10", "t2_end": "2024-09-10",
    "t2_outcome": "failed",
    "t3_kind": "radiofrequency_ablation", "t3_start": "2025-02-20", "t3_end": "",
    "t3_outcome": "helped",
    "t4_kind": "", "t4_start": "", "t4_end": "", "t4_outcome": "failed",
    "surgical_candidate": "no", "fit_for_surgery": "yes",
    "psychological_evaluation_favourable": "yes", "imaging_done": "yes", "cancer": "no",
    "pain_pattern": "axial_back", "dependent_on_pain_medication": "yes",
    "systemic_opioid_reduction_attempted": "yes", "scs_trial": "", "idds_trial": "",
    "reason": "pain clinic review",
}  # fmt: skip


def _selected(html: str, name: str) -> str:
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option value="([^"]*)" selected>', select)[1]


def test_the_form_records_the_pathway_and_decides_as_the_api_does(world):
    w = world
    pid = candidate(w)
    nurse = w.client("nurse")
    page = nurse.get(f"/patients/{pid}").text
    start = f'href="/patients/{pid}/pathway" id="edit-pathway">Start the care pathway record'
    assert start in page
    blank = nurse.get(f"/patients/{pid}/pathway").text
    assert _selected(blank, "surgical_candidate") == ""  # not known yet, never "no"
    assert _selected(blank, "cancer") == "no"  # Fay's pain is not cancer pain
    assert 'name="t1_kind"' in blank and 'name="t2_kind"' not in blank  # two blank rows
    form = {"csrf": nurse.headers["X-CSRF-Token"], **AXIAL_BACK_FORM}
    r = nurse.post(f"/patients/{pid}/pathway", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    got = w.client("physician").get(f"/api/patients/{pid}/pathway").json()
    assert (got["stage"], got["favoured"]) == ("trial", "idds")
    assert got["why"] == "predominant axial back pain: pump trial first (the pathway's rule)"
    assert [(t["kind"], t["start"], t["end"], t["outcome"]) for t in got["record"]["treatments"]
            ] == [(t["kind"], t["start"], t.get("end"), t["outcome"]) for t in RECORD["treatments"]]
    again = nurse.get(f"/patients/{pid}/pathway").text  # the record back in the form
    assert _selected(again, "t3_kind") == "radiofrequency_ablation"
    assert 'name="t0_start" value="2024-03-01"' in again
    assert _selected(again, "pain_pattern") == "axial_back"
    assert _selected(again, "scs_trial") == ""
    assert 'name="t5_kind"' in again and 'name="t6_kind"' not in again  # four + two blank
    card = nurse.get(f"/patients/{pid}").text
    assert 'id="pathway-favoured">IDDS<' in card and "Edit the care pathway record" in card


def test_a_refused_form_keeps_what_was_typed_and_stores_nothing(world):
    """Row 0 left empty, row 1 with a start that is no date (it becomes the record's
    first treatment: its problem goes beside row 1), row 2 with a date and no treatment;
    an answer that is not one offered."""
    w = world
    pid = candidate(w)
    nurse = w.client("nurse")
    form = {"csrf": nurse.headers["X-CSRF-Token"], **AXIAL_BACK_FORM,
            "t0_kind": "", "t0_start": "", "t0_end": "",
            "t1_start": "spring 2024", "t2_kind": "", "fit_for_surgery": "maybe"}  # fmt: skip
    r = nurse.post(f"/patients/{pid}/pathway", data=form)
    assert r.status_code == 422
    error = dict(re.findall(r'<span class="field-error" id="f-(\w+)-error">([^<]*)<', r.text))
    assert error["t2_kind"] == "choose what was tried, or clear the row"
    assert error["fit_for_surgery"] == "choose yes, no or not known yet"
    assert set(error) == {"t2_kind", "fit_for_surgery"}  # the form's own problems first
    form |= {"t2_kind": "injections", "fit_for_surgery": "yes"}
    r = nurse.post(f"/patients/{pid}/pathway", data=form)
    assert r.status_code == 422
    error = dict(re.findall(r'<span class="field-error" id="f-(\w+)-error">([^<]*)<', r.text))
    assert list(error) == ["t1_start"] and "&#39;spring 2024&#39;: expected an ISO 8601 date" in (
        error["t1_start"])
    assert 'name="t1_start" value="spring 2024"' in r.text  # kept as typed
    # the rows up to the last filled one (row 3) and two blank rows: t0-t5 (each
    # refusal added two more blank rows to those sent)
    assert 'name="t5_kind"' in r.text and 'name="t6_kind"' not in r.text
    # how a treatment went is stated, never preselected: "did not help" stood first in
    # every row, and a failed treatment counts toward a device
    blank = nurse.get(f"/patients/{pid}/pathway").text
    assert _selected(blank, "t0_outcome") == ""
    r = nurse.post(f"/patients/{pid}/pathway", data={**form, "t1_start": "2024-01-15",
                                                     "t1_outcome": ""})  # fmt: skip
    error = dict(re.findall(r'<span class="field-error" id="f-(\w+)-error">([^<]*)<', r.text))
    assert list(error) == ["t1_outcome"] and "failed" in error["t1_outcome"]
    r = nurse.post(f"/patients/{pid}/pathway", data={**form, "t1_start": "2024-01-15",
                                                     "reason": " "})  # fmt: skip
    error = dict(re.findall(r'<span class="field-error" id="f-(\w+)-error">([^<]*)<', r.text))
    assert error == {"reason": "say why (audit trail)"}
    assert w.client("physician").get(f"/api/patients/{pid}/pathway").status_code == 404
