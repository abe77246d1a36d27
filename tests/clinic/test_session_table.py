"""The patient page's programming sessions say what each one changed: the table gave a
time, a user and "committed", so finding when a dose went up meant opening each PDF.

Ann: implanted at T0 continuing morphine 3 mg/day; at T0 + 1 day raised to 3.3 mg/day,
a day later lowered to 2.4 mg/day."""

from __future__ import annotations

import re

from tests.clinic.conftest import DAY, T0, morphine


def _rows(html: str) -> list[str]:
    table = html.split('<table id="sessions">', 1)[1].split("</table>", 1)[0]
    cells = [re.sub(r"<[^>]+>", "", row) for row in table.split("<tr>")[2:]]
    return [re.sub(r"\s+", " ", c).strip() for c in cells]


def test_each_session_gives_the_daily_dose_before_and_after(sqlite_world):
    w = sqlite_world
    w.program(w.a, morphine(3300.0), T0 + DAY)
    w.program(w.a, morphine(2400.0), T0 + 2 * DAY)
    rows = _rows(w.client("nurse").get(f"/patients/{w.a}").text)
    assert len(rows) == 3  # newest first
    # morphine 10 mg/mL: 3.3 mg/day is 0.33 mL/day
    assert "step 1: 00:00 3.3 mg/day (0.33 mL/day) → 00:00 2.4 mg/day (0.24 mL/day)" in rows[0]
    assert "step 1: 00:00 3 mg/day (0.3 mL/day) → 00:00 3.3 mg/day (0.33 mL/day)" in rows[1]
    assert "drugs:" not in rows[0]  # unchanged settings are not listed
    assert "done" in rows[0] and "committed" not in rows[0]
    # the implant continued the program Ann came on (a transfer in)
    assert "new pump continuing the program the patient came on: morphine 10 mg/mL; " in rows[2]
    assert "pharmacist" in rows[2]  # the implant's second person


def test_a_temporary_program_and_a_clinician_bolus_say_what_they_were(sqlite_world):
    """Bo (baclofen 2000 mcg/mL, 400 mcg/day = 0.2 mL/day): 440 mcg/day (0.22 mL/day)
    for 6 h from T0 + 1 day (until 2026-09-22 20:13), then a 0.05 mL clinician bolus
    over 10 min."""
    from thecal.core.pump.program import DrugConcentration, Program, Step
    from thecal.services.clinic.gate import Signoff
    from thecal.services.clinic.therapy import BolusInput

    w = sqlite_world
    dr = w.users["physician"]
    at = T0 + DAY
    step = Step(0.0, dose_mcg_per_s=440.0 / DAY)
    more = Program((DrugConcentration("baclofen", 2000.0),), (step,), low_reservoir_alarm_ml=4.0)
    review = w.clinic.therapy.check_program(dr, w.b, more, Signoff(), at, temporary_s=6 * 3600)
    w.clinic.therapy.commit_program(dr, w.b, more, "6 h more", w.signed(review), at,
                                    review.therapy_version, temporary_s=6 * 3600)  # fmt: skip
    b = BolusInput("clinician", 0.05, 600.0)
    at = T0 + 2 * DAY
    review = w.clinic.therapy.check_bolus(dr, w.b, b, Signoff(), at)
    w.clinic.therapy.give_bolus(dr, w.b, b, "spasm", w.signed(review), at,
                                review.therapy_version)  # fmt: skip
    rows = _rows(w.client("nurse").get(f"/patients/{w.b}").text)
    assert "clinician bolus of 0.05 mL over 10 min" in rows[0]
    assert "00:00 400 mcg/day (0.2 mL/day) → 00:00 440 mcg/day (0.22 mL/day)" in rows[1]
    assert "(temporary, until 2026-09-22 20:13" in rows[1]


def test_a_first_program_says_what_the_pump_gives(sqlite_world):
    """A first fill (not a transfer in): every setting is new. Listed one by one as
    "drugs: - -> morphine 10 mg/mL; schedule: - -> repeats every day; ..." it buried
    the dose; 0.5 mg/day of morphine 10 mg/mL is 0.05 mL/day."""
    from thecal.core.pump.program import DrugConcentration, Program, Step
    from thecal.services.clinic.gate import Signoff
    from thecal.services.clinic.ports import ImplantInput

    w = sqlite_world
    dr = w.users["physician"]
    pid = w.clinic.care.add_patient(dr, dict(
        mrn="F1", name="Fay First", birth_year=1960, indication="cancer", weight_kg=70.0,
        opioid_naive=True), "new", T0)  # fmt: skip
    step = Step(0.0, dose_mcg_per_s=500.0 / DAY)
    start = Program((DrugConcentration("morphine", 10_000.0),), (step,), low_reservoir_alarm_ml=4.0)
    i = ImplantInput("peristaltic-20", "SN-F1", "two-piece", 90.0, 2.6, "T10", start, 20.0)
    review = w.clinic.devices.check_implant(dr, pid, i, Signoff(), T0)
    w.clinic.devices.implant(dr, pid, i, "first fill", w.signed(review), T0)
    [row] = _rows(w.client("nurse").get(f"/patients/{pid}").text)
    assert "first program: morphine 10 mg/mL; 00:00 0.5 mg/day (0.05 mL/day)" in row
    assert "schedule" not in row
