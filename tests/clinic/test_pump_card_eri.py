"""At the elective replacement indicator the patient page's pump card says what to do
and by when: it showed the alarm's tag and a second "ELECTIVE REPLACEMENT" tag, with
no date. T0 is 2026-09-21 14:13 UTC; an end of service 90 days on is 2026-12-20."""

from __future__ import annotations

import re

from sqlalchemy import update

from tests.clinic.conftest import T0
from thecal.adapters.db.models import Pump

DAY = 86_400.0


def test_the_pump_card_at_eri_gives_the_date_to_replace_by(sqlite_world):
    w = sqlite_world
    with w.engine.begin() as db:
        db.execute(update(Pump).where(Pump.patient_id == w.b)
                   .values(eri=True, end_of_service_s=T0 + 90 * DAY))  # fmt: skip
    page = w.client("physician").get(f"/patients/{w.b}").text
    said = re.sub(r"<[^>]+>", "", re.search(r'<span id="replace-by">(.*?)</span></p>', page)[1])
    assert said == "Replace the pump before 2026-12-20 (end of service on the running program)"
    assert "ELECTIVE REPLACEMENT" not in page


def test_the_replace_form_says_the_battery_is_at_eri_and_by_when(sqlite_world):
    """The device screen's Replace form read the same for a pump at ERI as for any:
    the reason to be there, and the date, are on it now; not on a pump with no ERI."""
    w = sqlite_world
    doctor = w.client("physician")
    assert 'id="replace-by"' not in doctor.get(f"/patients/{w.b}/device").text
    with w.engine.begin() as db:
        db.execute(update(Pump).where(Pump.patient_id == w.b)
                   .values(eri=True, end_of_service_s=T0 + 90 * DAY))  # fmt: skip
    page = doctor.get(f"/patients/{w.b}/device").text
    said = re.sub(r"<[^>]+>", "", re.search(r'<p id="replace-by">(.*?)</p>', page)[1])
    assert said == ("The battery is at its elective replacement indicator: replace the pump "
                    "before 2026-12-20 (end of service on the running program; it stops then).")
