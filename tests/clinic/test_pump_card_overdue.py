"""A refill due date in the past is overdue on the pump card, as on the worklist: the
card read "Next refill due 2026-09-17 21:22" on 7 December, like a plan, while the
worklist said "80.7 d overdue" for the same pump."""

from __future__ import annotations

import re

from sqlalchemy import update

from tests.clinic.conftest import DAY, T0
from thecal.adapters.db.models import Pump


def _card(w) -> str:
    page = w.client("physician").get(f"/patients/{w.b}").text
    return page.split('id="pump-card"', 1)[1].split("</div>", 1)[0]


def test_a_due_date_in_the_past_says_by_how_many_days_it_is_overdue(sqlite_world):
    """Due T0 + 10 d (2026-10-01 14:13 UTC); seen at T0 + 30.5 d: 20.5 days overdue.
    Seen at T0 + 9 d, a day before it is due, it is a date and nothing more."""
    w = sqlite_world
    with w.engine.begin() as db:
        db.execute(update(Pump).where(Pump.patient_id == w.b).values(refill_due_s=T0 + 10 * DAY))
    w.clock.t = T0 + 9 * DAY
    card = _card(w)
    assert "Next refill due <b>2026-10-01 14:13</b>" in card
    assert "overdue" not in card
    w.clock.t = T0 + 30.5 * DAY
    card = _card(w)
    tag = re.search(r'<span class="tag overdue" id="refill-overdue">(.*?)</span>', card)
    assert tag is not None and tag[1] == "overdue by 20.5 days"
