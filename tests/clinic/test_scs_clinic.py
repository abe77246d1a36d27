"""Spinal cord stimulation through the REST API on SQLite and PostgreSQL: a trial with
temporary leads, its day scores, its end, the implant, a follow-up, and the charge
limits refusing a program (numbers worked by hand in tests/services/test_scs_use_cases.py:
8 mA x 400 us on one percutaneous contact is k = 1.9222 > 1.85)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.clinic.conftest import DAY, T0
from tests.clinic.test_pathway import RECORD, put
from tests.clinic.test_pdf_reports import pdf_text
from thecal.adapters.db import audit
from thecal.adapters.db.models import AuditRow

GENTLE = {"mode": "tonic", "amplitude_ma": 4, "pulse_width_us": 300, "frequency_hz": 50,
          "electrodes": [{"contact": 2, "polarity": "-"}]}  # fmt: skip
TOO_MUCH = {**GENTLE, "amplitude_ma": 8, "pulse_width_us": 400}


def test_trial_to_implant_to_follow_up(world):
    w = world
    pid = w.clinic.care.add_patient(w.users["physician"], dict(
        mrn="S1", name="Sam Stim", birth_year=1975, indication="non_cancer", weight_kg=80.0,
        opioid_naive=False,
        status="candidate"), "referred", T0)  # fmt: skip
    dr, rn = w.client("physician"), w.client("nurse")
    base = f"/api/patients/{pid}/scs"
    device = {"stimulator_id": "ipg-rechargeable", "lead_id": "percutaneous-8"}

    def seen(program: dict, where: dict = device) -> str:
        """The digest the check answers for these settings: what a confirmation names."""
        r = dr.post(f"{base}/check", json={"program": program, **where})
        assert r.status_code == 200, r.text
        return r.json()["reviewed_digest"]

    trial = {**device, "baseline_nrs": 8, "reason": "leg pain after two operations"}
    refused = dr.post(f"{base}/trial", json={**trial, "program": TOO_MUCH,
                                             "reviewed_digest": seen(TOO_MUCH)})
    assert refused.status_code == 422
    assert [(f["rule_id"], f["code"]) for f in refused.json()["findings"]] == [
        ("SCS-01", "SHANNON_LIMIT")
    ]
    trial = {**trial, "program": GENTLE, "reviewed_digest": seen(GENTLE)}
    assert rn.post(f"{base}/trial", json=trial).status_code == 403
    assert dr.post(f"{base}/trial", json=trial).status_code == 201
    for day, nrs in enumerate([4, 3, 4, 3, 4], start=1):  # mean 3.6 against 8: 55 % relief
        w.clock.t = T0 + day * DAY
        assert rn.post(f"{base}/trial/days", json={"nrs": nrs}).status_code == 200
    end = dr.post(f"{base}/trial/end", json={})
    assert end.status_code == 200, end.text
    assert (end.json()["outcome"], end.json()["days"]) == ("success", 5)
    assert end.json()["relief_pct"] == pytest.approx(55.0)  # (8 - 3.6) / 8
    primary = {"stimulator_id": "ipg-primary", "lead_id": "percutaneous-8"}
    implant = {**primary, "serial": "IPG-9", "program": GENTLE,
               "reason": "implant after a good trial"}  # fmt: skip
    # confirmed for the trial's stimulator, sent to another: not what was reviewed
    stale = dr.post(f"{base}/implant", json={**implant, "reviewed_digest": seen(GENTLE)})
    assert [f["code"] for f in stale.json()["findings"]] == ["REVIEW_CHANGED"]
    implant["reviewed_digest"] = seen(GENTLE, primary)
    assert dr.post(f"{base}/implant", json=implant).status_code == 201
    unconfirmed = dr.post(f"{base}/programs", json={"program": GENTLE, "reason": "follow-up"})
    assert [f["code"] for f in unconfirmed.json()["findings"]] == ["NOT_CONFIRMED"]
    follow = dr.post(f"{base}/programs", json={"program": TOO_MUCH, "reason": "follow-up",
                                               "reviewed_digest": seen(TOO_MUCH, {})})
    assert follow.status_code == 422 and follow.json()["findings"][0]["code"] == "SHANNON_LIMIT"
    record = dr.get(base).json()
    assert [(d["kind"], d["active"], d["outcome"]) for d in record["devices"]] == [
        ("implant", True, None), ("trial", False, "success")
    ]
    assert len(record["programs"]) == 2  # the trial's and the implant's; the refused one not
    bad = dr.post(f"{base}/check", json={"program": {**GENTLE, "electrodes": []}})
    assert bad.status_code == 422 and any("electrodes" in p["path"]
                                          for p in bad.json()["problems"])  # fmt: skip
    with w.db.reads() as db:  # every step above was audited, and the chain holds
        assert audit.verify(db).ok
        actions = [a for (a,) in db.execute(select(AuditRow.action).where(
            AuditRow.entity == "patient", AuditRow.entity_id == str(pid)).order_by(AuditRow.id))]
    trial = ["scs.program", "scs.trial.start", *["scs.trial.day"] * 5, "scs.trial.end"]
    assert actions == ["patient.create", *trial, "scs.program", "scs.implant"]  # fmt: skip
    # the patient page: the stimulator in use and its program in words (the page had no
    # word of it), and the pathway's "implant the stimulator" marked done
    leg = {**RECORD, "pain_pattern": "neuropathic_leg", "scs_trial": "success"}
    assert put(w, pid, leg).json()["stage"] == "implant"
    page = dr.get(f"/patients/{pid}").text
    card = " ".join(re.sub(r"<[^>]+>", " ", page.split('id="stimulator-card">', 1)[1]
                           .split("</div>", 1)[0]).split())  # fmt: skip
    # implanted on day 5 (2026-09-26), 4 mA x 300 us at 50 Hz on contact 2 against the case
    assert card == ("Spinal cord stimulator implanted 2026-09-26 · ipg-primary, lead "
                    "percutaneous-8 · serial IPG-9 running tonic 4 mA, 300 µs, 50 Hz; "
                    "cathode 2; anode the case (since 2026-09-26) Programs, battery and "
                    "follow-up")  # fmt: skip
    assert '<span id="pathway-done"><b>done</b>: stimulator implanted 2026-09-26</span>' in page
    # and the printed summary: the stimulator, no empty pump chart
    text = pdf_text(dr.get(f"/api/patients/{pid}/summary.pdf").content)
    assert ("Spinal cord stimulator Device ipg-primary, lead percutaneous-8, serial IPG-9 "
            "In use since implanted 2026-09-26 Running tonic 4 mA, 300 µs, 50 Hz; cathode 2; "
            "anode the case") in text  # fmt: skip
    assert "No pump yet" in text and "Timeline" not in text
