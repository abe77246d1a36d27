"""The clinic in the system Chromium, driven by Playwright: login -> worklist ->
refill with a discrepancy flag -> a flex step added with a soft finding acknowledged ->
the printouts and the FHIR Bundle from the patient page -> patient bolus denied by
the lockout. Screenshots go to out/e2e/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.clinic.conftest import DAY, PASSWORD

SHOTS = Path("out/e2e")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]


def login(page, base, user):
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login")


@pytest.mark.sr("SR-08")
def test_clinic_flow_in_a_real_browser(served):
    w, base = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        login(page, base, "nurse")
        page.wait_for_url(f"{base}/worklist")
        page.screenshot(path=SHOTS / "1-worklist.png", full_page=True)
        assert page.locator("h1").inner_text() == "Worklist"

        page.goto(f"{base}/patients/{w.b}/refill")
        page.fill("#add_ml", "10")
        page.fill("#lot", "LOT-E2E")
        page.click("#plan")
        page.wait_for_selector("#plan-card")
        page.fill("#verifier_username", "pharmacist")
        page.fill("#verifier_password", PASSWORD)
        page.check("#confirmed")  # the plan as reviewed, named by its digest
        page.screenshot(path=SHOTS / "2-refill-plan.png", full_page=True)
        page.click("#record")
        page.wait_for_selector("#classification")
        assert page.inner_text("#classification") == "possible overinfusion"
        assert page.locator(".finding[data-code=REFILL_DISCREPANCY]").count() == 1
        page.screenshot(path=SHOTS / "3-refill-discrepancy.png", full_page=True)
        page.fill("#ack-reason-REFILL_DISCREPANCY", "pump interrogated, bias suspected")
        page.click("#ack-REFILL_DISCREPANCY")
        page.wait_for_selector("#acknowledged")
        page.click("#logout")

        login(page, base, "physician")
        page.goto(f"{base}/patients/{w.b}/program")
        # a flex step for the night: 400 mcg/day, then 1 mg/day from 20:00;
        # 400 x 20/24 + 1000 x 4/24 = 500 mcg/day, +25 %: a soft finding and a second person
        assert page.input_value("#step_value_0") == "400 mcg/day"
        page.fill("#step_start_1", "20:00")
        page.fill("#step_value_1", "1 mg/day")
        page.click("#check")
        page.wait_for_selector("#review-card")
        assert "20:00 1000 mcg/day (0.5 mL/day)" in page.inner_text("#diff")
        assert "+25.0 %" in page.inner_text("#doses")
        assert page.locator(".finding[data-code=TITRATION_HIGH_DOSE] .soft").count() == 1
        page.fill("#ack_TITRATION_HIGH_DOSE", "night spasms, reviewed with the patient")
        page.fill("#verifier_username", "nurse")
        page.fill("#verifier_password", PASSWORD)
        page.fill("#reason", "night spasms")
        page.check("#confirmed")
        page.screenshot(path=SHOTS / "4-program-review.png", full_page=True)
        # issue 22: the night dose changed after Check, without checking again: refused,
        # nothing sent, the form kept and a fresh review of the new value shown
        page.fill("#step_value_1", "1.2 mg/day")
        page.click("#commit")
        page.wait_for_selector("#commit-error")
        assert "differs from the one reviewed" in page.inner_text("#commit-error")
        assert page.input_value("#step_value_1") == "1.2 mg/day"
        # the fresh review: 1200 mcg/day of 2000 mcg/mL is 0.6 mL/day
        assert "20:00 1200 mcg/day (0.6 mL/day)" in page.inner_text("#diff")
        page.screenshot(path=SHOTS / "4b-review-changed.png", full_page=True)
        with w.db.reads() as db:  # the pump still runs one step of 400 mcg/day
            from thecal.adapters.db import queries

            assert queries.patient_record(db, w.b).program.version_no == 1
        page.fill("#step_value_1", "1 mg/day")
        page.click("#check")
        page.wait_for_selector("#review-card:has-text('+25.0 %')")
        page.fill("#ack_TITRATION_HIGH_DOSE", "night spasms, reviewed with the patient")
        page.fill("#verifier_username", "nurse")
        page.fill("#verifier_password", PASSWORD)
        page.fill("#reason", "night spasms")
        page.check("#confirmed")
        # the screen stays open while the server's reading syncs run: no false conflict
        w.clock.t += 600
        w.clinic.care.sync(w.b, w.clock.t)
        page.click("#commit")
        page.wait_for_selector("#session-status")
        assert page.inner_text("#session-status") == "committed"
        page.screenshot(path=SHOTS / "5-program-committed.png", full_page=True)
        page.goto(f"{base}/patients/{w.b}/program")  # the screen now shows both steps
        # in baclofen's own unit (drugs.toml display_unit: mcg), whatever unit was typed
        assert [page.input_value(f"#step_{f}_1") for f in ("start", "value")] == [
            "20:00",
            "1000 mcg/day",
        ]
        # the patient page links the printouts and the FHIR Bundle, with the login's cookie
        page.goto(f"{base}/patients/{w.b}")
        links = [
            page.get_attribute("#print-summary", "href"),
            page.locator("a:has-text('print')").first.get_attribute("href"),
        ]
        for href in links:
            answer = page.request.get(f"{base}{href}")
            assert answer.status == 200 and answer.body().startswith(b"%PDF-"), href
        fhir = page.request.get(f"{base}{page.get_attribute('#fhir-export', 'href')}")
        assert fhir.status == 200 and fhir.json()["resourceType"] == "Bundle"
        page.click("#logout")

        login(page, base, "patient")
        page.wait_for_url(f"{base}/portal")
        page.click("#request-bolus")
        page.wait_for_selector("#bolus-result")
        assert page.inner_text("#bolus-result") == "granted"
        w.clock.t += 3600  # an hour later, inside the 4 h lockout
        page.click("#request-bolus")
        page.wait_for_selector("#bolus-result:has-text('denied')")
        assert "too soon" in page.inner_text("#bolus-answer")
        assert page.locator("#countdown").count() == 1
        page.screenshot(path=SHOTS / "6-bolus-denied.png", full_page=True)
        browser.close()
    with w.db.reads() as db:
        from thecal.adapters.db import audit

        assert audit.verify(db).ok


def fill_program(page, cathodes: str, reason: str) -> None:
    """Tonic 4 mA, 300 us, 50 Hz on `cathodes`, checked and the review confirmed: within
    every SCS limit."""
    for field, value in (
        ("amplitude_ma", "4"),
        ("pulse_width_us", "300"),
        ("frequency_hz", "50"),
        ("cathodes", cathodes),
        ("reason", reason),
    ):
        page.fill(f"#{field}", value)
    page.click("#check-scs")
    page.wait_for_selector("#scs-review-card")
    page.check("#confirmed")


def test_scs_trial_to_implant_in_a_real_browser(served):
    w, base = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    pid = w.clinic.care.add_patient(w.users["physician"], dict(
        mrn="S9", name="Sky Stim", birth_year=1972, indication="non_cancer", weight_kg=75.0,
        opioid_naive=False,
        status="candidate"), "referred", w.clock.t)  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        login(page, base, "physician")
        page.goto(f"{base}/patients/{pid}")
        page.click("#to-scs")
        page.select_option("#lead_id", "percutaneous-8")
        page.fill("#baseline_nrs", "8")
        fill_program(page, "2", "leg pain after two operations")
        page.screenshot(path=SHOTS / "6b-scs-review.png", full_page=True)
        page.click("#start-trial")
        page.wait_for_selector("#day-form")
        for nrs in ("4", "3", "4", "3"):  # mean 3.5 against 8: 56 % relief
            w.clock.t += DAY
            page.fill("#nrs", nrs)
            page.click("#record-day")
            page.wait_for_selector("#day-form")
        page.click("#end-trial")
        page.wait_for_selector("#implant-form")
        assert page.inner_text("#devices .outcome") == "success"
        page.fill("#serial", "IPG-E2E")
        fill_program(page, "2, 3", "implant after the trial")
        page.click("#implant")
        page.wait_for_selector("#reprogram-form")
        rows = page.locator("#devices tr").all_inner_texts()
        assert rows[1].split("\t")[:4] == ["implant", "ipg-rechargeable", "percutaneous-8",
                                            "IPG-E2E"]  # fmt: skip
        # the follow-up form starts from the running program, with its battery outlook
        assert [page.input_value(f"#{f}") for f in ("amplitude_ma", "pulse_width_us",
                                                     "frequency_hz", "cathodes")] == [
            "4", "300", "50", "2, 3"]  # fmt: skip
        assert "recharge every" in page.inner_text("#battery")
        page.screenshot(path=SHOTS / "7-scs-implanted.png", full_page=True)
        browser.close()


def _sign_and_send(page, action, verifier="nurse", reason="as planned"):
    page.fill(f"#{action}-verifier_username", verifier)
    page.fill(f"#{action}-verifier_password", PASSWORD)
    page.fill(f"#{action}-reason", reason)
    page.check(f"#{action}-confirmed")
    page.click(f"#send-{action}")


def test_pump_changes_through_the_gate_in_a_real_browser(served):
    """Issue 22 item 5 on screen: a clinician bolus (0.02 mL of 10 mg/mL morphine =
    200 mcg), a catheter revision to 60 cm, and the explant of the baclofen pump, whose
    stop of 400 mcg/day is a soft withdrawal finding acknowledged with the bridge."""
    w, base = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        login(page, base, "physician")
        page.goto(f"{base}/patients/{w.a}")
        page.click("#to-device")
        page.fill("#bolus-amount", "0.02 mL")
        page.click("#check-bolus")
        page.wait_for_selector("#review-card-bolus")
        page.screenshot(path=SHOTS / "8-bolus-review.png", full_page=True)
        _sign_and_send(page, "bolus", reason="breakthrough pain")
        page.wait_for_load_state()
        page.screenshot(path=SHOTS / "8b-bolus-sent.png", full_page=True)
        page.wait_for_selector("#device-done")
        assert "bolus" in page.inner_text("#device-done")
        page.fill("#catheter-catheter_length_cm", "60")
        page.click("#check-catheter")
        page.wait_for_selector("#review-card-catheter:has-text('CATHETER_REVISED')")
        _sign_and_send(page, "catheter", reason="catheter revised in theatre")
        page.wait_for_selector("#device-done")
        page.goto(f"{base}/patients/{w.b}/device")
        page.click("#check-explant")
        page.wait_for_selector("#review-card-explant:has-text('WITHDRAWAL_RISK_CUT')")
        page.fill("#explant-ack_WITHDRAWAL_RISK_CUT", "oral baclofen 20 mg three times a day")
        page.screenshot(path=SHOTS / "9-explant-review.png", full_page=True)
        _sign_and_send(page, "explant", reason="pocket infection")
        page.wait_for_selector("#device-done")
        assert page.locator("#form-implant").count() == 1  # no pump: the implant form
        page.screenshot(path=SHOTS / "10-explanted.png", full_page=True)
        browser.close()
    with w.db.reads() as db:
        from thecal.adapters.db import audit
        from thecal.adapters.db.audit_search import AuditFilter, audit_page

        actions = [a.action for a in audit_page(db, AuditFilter(), 10)[0]]
        assert {"bolus.clinician", "implant.revise_catheter", "implant.explant"} <= set(actions)
        assert audit.verify(db).ok
