"""Issue 25: no form ever answers 500. Every form on the therapy, device, trial, SCS and
SCS screens is read from its page (its fields and the URLs it posts to); each field in
turn gets each junk value, the rest as the page drew them; every answer must be a page
or a 4xx that says what was wrong, and nothing reaches the pump (free text such as a
unicode note may be stored: it is valid input)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from thecal.adapters.db.models import Pump, RefillRow

JUNK = ("", "-1", "0", "1e308", "nan", "inf", "-inf", "9**9**8", "ünïcødé ✓ 李", "\x00",
        "x" * 5000, "1 mg/day; DROP TABLE pumps")  # fmt: skip
SCREENS = ("program", "refill", "device", "trials", "scs", "appointment")
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"(?:[^>]*\bvalue="([^"]*)")?')
POSTS = re.compile(r'(?:hx-post|action)="(/[^"]+)"')


def forms(html: str) -> list[tuple[str, dict[str, str]]]:
    """(URL, fields) of every form on the page, and of every hx-post inside it."""
    out = []
    for form in re.findall(r"<form\b.*?</form>", html, re.S):
        fields = {name: value for name, value in FIELD.findall(form)}
        out += [(url, fields) for url in dict.fromkeys(POSTS.findall(form))]
    return out


def stored(world) -> tuple[int, int]:
    """Refills recorded, and the therapy version of Ann's pump (every change bumps it)."""
    with world.db.reads() as db:
        version = select(Pump.therapy_version).where(Pump.patient_id == world.a)
        return db.scalar(select(func.count()).select_from(RefillRow)), db.scalar(version)


@pytest.mark.parametrize("screen", SCREENS)
def test_no_form_answers_a_server_error_and_junk_stores_nothing(sqlite_world, screen):
    w = sqlite_world
    c = w.client("physician")
    page = c.get(f"/patients/{w.a}/{screen}")
    assert page.status_code == 200, page.text[:300]
    found = forms(page.text)
    assert found, f"no form on the {screen} page"
    before = stored(w)
    tried = 0
    for url, fields in found:
        for name in fields:
            if name in ("csrf", "expected_version"):
                continue
            for junk in JUNK:
                r = c.post(url, data={**fields, name: junk})
                tried += 1
                assert r.status_code < 500, f"{url} {name}={junk[:20]!r}: {r.status_code}"
                if r.status_code >= 400:
                    assert r.text.strip(), f"{url} {name}: an empty {r.status_code}"
    assert tried > 0
    assert stored(w) == before  # no refill recorded, the pump's therapy untouched
