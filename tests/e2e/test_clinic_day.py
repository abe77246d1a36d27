"""Issue 25: a whole clinic day in the system Chromium, each person at their own
screens. The admin creates a nurse; the physician adds a patient and implants a pump
through the gate, works the worklist (acknowledges a stalled pump's alarm), refills a
pump with a new concentration and a bridge bolus, and leaves a programming form open
more than a minute of real time before sending it; the nurse made that morning
refills a pump, acknowledges its discrepancy from the worklist and books the next
refill; a patient asks for a dose and writes the diary. Screenshots in out/e2e/day-*.

The clinic's clock stands at T0 + 30 days (2026-10-21 14:13 UTC)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import sync_playwright

from tests.clinic.conftest import PASSWORD, morphine
from tests.e2e.test_browser import ARGS, CHROMIUM, SHOTS
from thecal.core.pump.commands import Fault

NURSE_PASSWORD = "first-day-on-the-ward"


def log_in(page, base, user, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("#login")
    page.wait_for_load_state("networkidle")


def acknowledge_soft(page, prefix: str, why: str) -> int:
    """Fill every acknowledgement box the review shows; how many there were."""
    boxes = page.locator(f"input[id^='{prefix}ack_']")
    for i in range(boxes.count()):
        boxes.nth(i).fill(why)
    return boxes.count()


@pytest.mark.sr("SR-08")
def test_a_clinic_day_in_a_real_browser(served):
    w, base = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    stalled = w.implanted_patient("ST1", morphine(), 19.0, w.clock.t - 20 * 86400.0)
    w.clinic.care.inject_fault(stalled, Fault("stall"), w.clock.t - 3600.0)
    w.clinic.care.sync(stalled, w.clock.t)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})

        # 08:00 the admin creates the new nurse's account
        log_in(page, base, "admin")
        assert page.url.endswith("/users")
        page.fill("#new-username", "rn.day")
        page.fill("#new-full_name", "Dee Day")
        page.select_option("#new-role", "nurse")
        page.fill("#new-password", NURSE_PASSWORD)
        page.click("#create-user")
        page.wait_for_selector("#users-done")
        assert "rn.day" in page.inner_text("#users")
        page.screenshot(path=SHOTS / "day-1-admin-users.png", full_page=True)
        page.click("#logout")

        # 08:30 the physician adds a referred patient and implants a pump
        log_in(page, base, "physician")
        page.goto(f"{base}/patients/new")
        page.fill("#f-mrn", "DAY1")
        page.fill("#f-name", "Dana Day")
        page.fill("#f-birth_year", "1966")
        page.select_option("#f-indication", "non_cancer")
        page.fill("#f-weight_kg", "72")
        page.check("#f-opioid_naive-no")  # stated: tolerant (no default either way)
        page.fill("#f-reason", "referred by the spinal team")
        page.screenshot(path=SHOTS / "day-2-new-patient.png", full_page=True)
        page.click("#save-patient")
        page.wait_for_selector("#patient-name")
        pid = int(re.search(r"/patients/(\d+)$", page.url)[1])
        page.click("#to-device")
        page.select_option("#implant-model_id", "peristaltic-20")
        page.fill("#implant-serial", "SN-DAY-1")
        page.fill("#implant-concentration", "10 mg/mL")
        page.fill("#implant-dose", "1 mg/day")  # opioid-tolerant: the label's 1-10 mg/d
        page.fill("#implant-fill_ml", "19")
        page.click("#check-implant")
        page.wait_for_selector("#review-card-implant")
        # no catheter volume typed: the SynchroMed catheter's figure is only a stand-in
        assert "CATHETER_VOLUME_ASSUMED" in page.inner_text("#review-card-implant")
        acknowledge_soft(page, "implant-", "catheter label checked: 2.6 uL/cm")
        page.fill("#implant-verifier_username", "pharmacist")
        page.fill("#implant-verifier_password", PASSWORD)
        page.fill("#implant-reason", "implant after a successful trial")
        page.check("#implant-confirmed")
        page.screenshot(path=SHOTS / "day-3-implant-review.png", full_page=True)
        page.click("#send-implant")
        page.wait_for_selector("#device-done")

        # 09:00 the worklist: the stalled pump's alarm, acknowledged with what was done
        page.goto(f"{base}/worklist")
        row = page.locator("#worklist-alarm tr.work-item", has_text="Patient ST1")
        assert "motor stalled" in row.inner_text()
        row.locator("input[name=reason]").fill("pump interrogated; surgery booked")
        row.locator("button").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#worklist-alarm tr.work-item", has_text="Patient ST1").count() == 0
        page.screenshot(path=SHOTS / "day-4-worklist.png", full_page=True)

        # 10:00 Ann's refill with a stronger fluid: morphine 10 -> 20 mg/mL, the same
        # 3 mg/day, with a bridge bolus over 12 hours
        page.goto(f"{base}/patients/{w.a}/refill")
        page.fill("#conc_0", "20 mg/mL")
        page.fill("#bridge_min", "720")
        page.fill("#add_ml", "9")
        page.fill("#lot", "LOT-DAY-20")
        page.click("#plan")
        page.wait_for_selector("#plan-card")
        plan = page.inner_text("#plan-result")
        assert "BRIDGE_PLANNED" in plan and "+0.0 %" in plan  # the same daily dose
        acknowledge_soft(page, "", "morphine 20 mg/mL: granuloma watch noted")
        page.fill("#verifier_username", "pharmacist")
        page.fill("#verifier_password", PASSWORD)
        page.check("#confirmed")
        page.screenshot(path=SHOTS / "day-5-refill-new-concentration.png", full_page=True)
        page.click("#record")
        page.wait_for_selector("#refill-status")
        assert "committed" in page.inner_text("#refill-status")

        # 11:00 Dana's dose up by a fifth; the form stays open over a minute before Send
        page.goto(f"{base}/patients/{pid}/program")
        page.fill("#step_value_0", "1.2 mg/day")
        page.click("#check")
        page.wait_for_selector("#review-card")
        page.wait_for_timeout(61_000)  # a phone call: more than a minute of real time
        # +20 % is not above the policy's 20 %: no second person is asked for
        assert "+20.0 %" in page.inner_text("#review-card")
        assert page.locator("#verifier_username").count() == 0
        page.fill("#reason", "pain 7/10 at rest")
        page.check("#confirmed")
        page.click("#commit")
        page.wait_for_selector("#session-status")
        assert page.inner_text("#session-status") == "committed"
        page.click("#logout")

        # 13:00 the new nurse: Bo's refill, its discrepancy from the worklist, a booking
        log_in(page, base, "rn.day", NURSE_PASSWORD)
        page.goto(f"{base}/patients/{w.b}/refill")
        page.fill("#add_ml", "10")
        page.fill("#lot", "LOT-DAY-B")
        page.click("#plan")
        page.wait_for_selector("#plan-card")
        page.fill("#verifier_username", "pharmacist")
        page.fill("#verifier_password", PASSWORD)
        page.check("#confirmed")
        page.click("#record")
        page.wait_for_selector("#classification")
        page.goto(f"{base}/worklist")
        page.locator("#worklist-discrepancy a", has_text="Review and acknowledge").first.click()
        page.fill("#ack-reason-REFILL_DISCREPANCY", "pump bias suspected; review booked")
        page.click("#ack-REFILL_DISCREPANCY")
        page.wait_for_selector("#acknowledged")
        page.goto(f"{base}/patients/{pid}/appointment")
        page.fill("#f-date", "2026-11-20")
        page.fill("#f-time", "10:00")
        page.select_option("#f-clinician", "rn.day")
        page.click("#book")
        page.wait_for_url(re.compile(r".*/calendar\?week=2026-11-20"))
        friday = page.locator("section[aria-label='Friday 2026-11-20']").inner_text()
        assert "10:00-10:30" in friday and "Dana Day" in friday
        page.screenshot(path=SHOTS / "day-6-calendar.png", full_page=True)
        page.click("#logout")

        # 17:00 Ann, at home: a dose, then the diary
        log_in(page, base, "patient")
        page.click("#request-bolus")
        page.wait_for_selector("#bolus-result")
        answer = page.inner_text("#bolus-result")
        assert answer in ("granted", "denied")
        page.fill("#pain_nrs", "3")
        page.fill("#note", "walked to the shop")
        page.click("#save-diary")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=SHOTS / "day-7-portal.png", full_page=True)
        browser.close()
    with w.db.reads() as db:
        from thecal.adapters.db import audit
        from thecal.adapters.db.audit_search import AuditFilter, audit_page

        actions = [a.action for a in audit_page(db, AuditFilter(), 200)[0]]
        done = {"user.create", "patient.create", "implant.create", "alarm.acknowledge",
                "refill.record", "program.commit", "appointment.book", "diary.add"}  # fmt: skip
        assert done <= set(actions), done - set(actions)
        assert audit.verify(db).ok
