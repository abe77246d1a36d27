"""The printouts, rendered to PDF and read back as text (pypdf): the numbers they
print are worked out here by hand from the programs and fills the test sets up."""

from __future__ import annotations

import hashlib
import io
from dataclasses import asdict

import pytest
from pypdf import PdfReader

from tests.clinic.conftest import DAY, T0, api_signed, morphine
from thecal.core.pump.commands import Fault


def pdf_text(data: bytes) -> str:
    """The text of every page, runs of whitespace (table cell wraps) as one space."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _get_pdf(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    return pdf_text(r.content)


def test_session_printout_states_old_and_new_doses_and_the_read_back(sqlite_world):
    w = sqlite_world
    # morphine 10 mg/mL: 3000 mcg/day is 0.3 mL/day; 3300 is 0.33 mL/day. The demand
    # bolus adds at most 3 x 100 mcg a day: 24 h maximum 3.3 -> 3.6 mg/day, +9.1 %
    # (morphine in mg/day, as the review showed it; the printout said 3300 and 3600).
    record = w.program(w.a, morphine(3300.0), T0 + DAY)
    text = _get_pdf(
        w.client("nurse"), f"/api/patients/{w.a}/sessions/{record['session_id']}/report.pdf"
    )
    # the two implants of the World are sessions 1 and 2 (each first fill is a session)
    assert record["session_id"] == 3
    assert "Programming session #3" in text and "Ann Able" in text
    assert "00:00 3 mg/day (0.3 mL/day)" in text and "00:00 3.3 mg/day (0.33 mL/day)" in text
    assert "morphine 3.3 mg/day 3.6 mg/day +9.1 %" in text and "3600" not in text
    assert "MONITOR_AFTER_CHANGE" in text and "DD-12" in text
    assert "Confirmed by" in text and "physician" in text
    # SR-07: the digest read back is SHA-256 of the exact program values
    # (a program without a dose window leaves that field out: its digest is unchanged)
    fields = asdict(morphine(3300.0))
    del fields["demand_bolus"]["max_mcg_per_24h"]
    digest = hashlib.sha256(repr(fields).encode()).hexdigest()
    # (64 hex digits in DejaVu Sans are wider than the column: the cell wraps inside it)
    assert f"{digest}:matches" in text.replace(" ", "")
    assert "not a medical device" in text


def test_refill_printout_states_expected_withdrawn_and_why_the_next_date(sqlite_world):
    w = sqlite_world
    w.clinic.care.inject_fault(w.b, Fault("bias", 0.5), T0 + 1)  # over-delivers by half
    w.clock.t = T0 + 30 * DAY
    c = w.client("nurse")
    r = api_signed(
        c,
        f"/api/patients/{w.b}/refills/plan",
        f"/api/patients/{w.b}/refills",
        {
            "add_ml": 10.0,
            "drugs": [{"name": "baclofen", "concentration": "2 mg/mL"}],
            "lot": "L7",
        },
    )
    assert r.status_code == 201, r.text
    text = _get_pdf(c, f"/api/patients/{w.b}/refills/{r.json()['id']}/report.pdf")
    # baclofen 400 mcg/day at 2000 mcg/mL = 0.2 mL/day: the pump believes 19 - 6 = 13 mL
    # are left, 13 - 2.4 dead volume = 10.6 mL expected; 1.5 x 6 = 9 mL really went,
    # so 19 - 9 - 2.4 = 7.6 mL come out: -3.00 mL.
    assert "Expected withdrawal" in text and "10.60 mL" in text
    assert "7.60 mL" in text and "-3.00 mL" in text
    assert "REFILL_DISCREPANCY" in text and "OPEN" in text
    assert "baclofen 2000 mcg/mL" in text and "L7" in text and "pharmacist" in text
    # entered: 2.4 mL kept (by the pump's count) + 10 added = 12.4 mL; low alarm at
    # 4 mL: (12.4 - 4) / 0.2 = 42 days, less the 3-day margin = 39 days after the
    # refill on 2026-10-21 (T0 + 30 d): 2026-11-29.
    assert "12.40 mL" in text and "Next refill" in text and "2026-11-29" in text
    assert "Why then" in text


def test_summary_printout_has_the_current_doses_the_diary_and_a_chart(sqlite_world):
    w = sqlite_world
    p = w.client("patient")
    for t, score in ((T0 + DAY, 6), (T0 + 2 * DAY, 4)):
        w.clock.t = t
        assert p.post(f"/api/patients/{w.a}/diary", json={"pain_nrs": score}).status_code == 201
    w.clock.t = T0 + 3 * DAY
    r = p.get(f"/api/patients/{w.a}/summary.pdf")  # a patient prints their own summary
    assert r.status_code == 200
    reader = PdfReader(io.BytesIO(r.content))
    text = pdf_text(r.content)
    # 3 mg/day programmed, 3 x 0.1 mg demand at most, 3.3 mg in 24 h at most: morphine in
    # mg, as the screens show it (the printout said 3000, 300 and 3300 mcg, and the
    # program line "morphine 1e+04 mcg/mL")
    assert "0.3 mg" in text and "3.3 mg" in text and "3000 mcg" not in text
    assert "morphine 10 mg/mL" in text and "e+0" not in text
    assert "2 scores, mean 5.0, last 4" in text
    assert "peristaltic-20, serial SN-A" in text
    # codes in plain words, as on the screens (issue 25): Ann's indication is non_cancer
    assert "non-cancer pain" in text and "non_cancer" not in text
    images = [img for page in reader.pages for img in page.images]
    assert images, "the timeline chart is embedded as a picture"
    assert p.get(f"/api/patients/{w.b}/summary.pdf").status_code == 403


def test_the_summary_names_alarms_in_plain_words(sqlite_world):
    """A stalled motor is 'motor stalled: nothing is delivered' (services/clinic/words.py)
    among the active alarms and in the alarm table, not MOTOR_STALL."""
    w = sqlite_world
    w.clinic.care.inject_fault(w.a, Fault("stall"), T0 + DAY)
    w.clock.t = T0 + DAY + 60
    text = pdf_text(w.client("physician").get(f"/api/patients/{w.a}/summary.pdf").content)
    assert text.count("motor stalled: nothing is delivered") >= 2, text
    assert "MOTOR_STALL" not in text


def test_a_report_of_another_patients_session_is_not_found(sqlite_world):
    w = sqlite_world
    record = w.program(w.a, morphine(3300.0), T0 + DAY)
    c = w.client("nurse")
    r = c.get(f"/api/patients/{w.b}/sessions/{record['session_id']}/report.pdf")
    assert r.status_code == 404 and "does not exist" in r.text


@pytest.mark.parametrize("kind", ["session", "refill", "summary"])
def test_thecal_report_writes_the_same_pdf_as_the_api(sqlite_world, tmp_path, kind):
    from typer.testing import CliRunner

    from thecal.entrypoints.cli import app

    w = sqlite_world
    record = w.program(w.a, morphine(3300.0), T0 + DAY)
    w.clock.t = T0 + 2 * DAY
    args = {"session": ["--session", str(record["session_id"])], "refill": [], "summary": []}
    if kind == "refill":
        c = w.client("nurse")
        refill = api_signed(
            c,
            f"/api/patients/{w.a}/refills/plan",
            f"/api/patients/{w.a}/refills",
            {
                "add_ml": 1.0,
                "drugs": [{"name": "morphine", "concentration": "10 mg/mL"}],
                "lot": "L1",
            },
        )
        assert refill.status_code == 201, refill.text
        args["refill"] = ["--refill", str(refill.json()["id"])]
    out = tmp_path / f"{kind}.pdf"
    result = CliRunner().invoke(
        app,
        [
            "report",
            kind,
            "--db",
            w.url,
            "--patient",
            str(w.a),
            "--at",
            str(w.clock.t),
            "--out",
            str(out),
            *args[kind],
        ],
    )
    assert result.exit_code == 0, result.output
    url = {
        "session": f"sessions/{record['session_id']}/report.pdf",
        "refill": f"refills/{args['refill'][1] if args['refill'] else 0}/report.pdf",
        "summary": "summary.pdf",
    }[kind]
    api = w.client("physician").get(f"/api/patients/{w.a}/{url}").content
    assert out.read_bytes() == api  # invariant PDFs: the same record prints the same bytes


@pytest.mark.sr("SR-17")
def test_the_patient_page_shows_the_implanted_models_accuracy_curves(sqlite_world):
    w = sqlite_world
    c = w.client("nurse")
    page = c.get(f"/patients/{w.a}").text
    assert 'src="/api/pump-models/peristaltic-20/accuracy.png"' in page
    assert "IEC 60601-2-24, which excludes implantable pumps" in page
    r = c.get("/api/pump-models/peristaltic-20/accuracy.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
    missing = c.get("/api/pump-models/synchromed-3/accuracy.png")
    assert missing.status_code == 404 and "not in the pump catalogue" in missing.text


def test_a_first_fill_printout_says_there_was_nothing_to_withdraw(sqlite_world):
    """The implant's first fill (Ann: 19 mL of morphine 10 mg/mL, no lot given) prints
    as one: nothing expected or withdrawn, the lot not recorded, its booked date
    (T0 + (19 - 3) / 0.33 - 3 d = T0 + 45.485 d: 2026-09-21 14:13 + 45 d 11.6 h is
    2026-11-06 01:51)."""
    w = sqlite_world
    text = _get_pdf(w.client("nurse"), f"/api/patients/{w.a}/refills/1/report.pdf")
    assert "Reconciliation first fill of a new pump: nothing to withdraw" in text
    assert "Expected withdrawal - Withdrawn - Difference -" in text
    assert "Added 19.00 mL" in text and "Next refill 2026-11-06" in text
    assert "Lot not recorded" in text


def test_the_summary_of_a_patient_without_a_pump_prints_no_empty_chart(sqlite_world):
    """A patient in a baclofen screening (no pump yet) printed a "Now" table of dashes
    and a timeline of empty axes dated 1969-12-31 with a reservoir from -0.04 mL; it
    says there is no pump yet and lists the trial."""
    w = sqlite_world
    dr = w.users["physician"]
    pid = w.clinic.care.add_patient(dr, {"mrn": "T9", "name": "Tam Trial", "birth_year": 1981,
                                         "indication": "spasticity_spinal", "weight_kg": 65.0,
                                         "opioid_naive": False}, "new", T0)  # fmt: skip
    w.clinic.trials.start_trial(dr, pid, {"kind": "baclofen_screening", "drug": "baclofen",
                                          "indication": "spasticity_spinal",
                                          "baseline": {"ashworth": 3}}, T0)  # fmt: skip
    r = w.client("physician").get(f"/api/patients/{pid}/summary.pdf")
    text = pdf_text(r.content)
    assert "No pump yet: no program, refill or alarm to print." in text
    assert "1969" not in text and "1970-01-01" not in text and "Timeline" not in text
    assert "Trials" in text and "baclofen screening (bolus) 2026-09-21 0 under way" in text
    assert not [img for page in PdfReader(io.BytesIO(r.content)).pages for img in page.images]
    # Ann's pump keeps its sections
    ann = pdf_text(w.client("physician").get(f"/api/patients/{w.a}/summary.pdf").content)
    assert "Timeline" in ann and "No pump yet" not in ann and "Trials" not in ann
