"""What a page offers (a Record, Send or Edit button, a menu link) reads the one
permission table the use cases enforce. The templates held their own copy of it as
role names (`who.role in ("physician", "nurse")` in 21 places), so a change to who may
record a refill would have changed the use case and left the screens behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.clinic.test_errors_beside_fields import _refill_form
from thecal.entrypoints.web import permissions

TEMPLATES = Path(permissions.__file__).parent / "templates"
ASKED = re.compile(r"""can\(\s*"([a-z_.]+)"(?:\s+if\s+[^)]*?\s+else\s+"([a-z_.]+)")?\s*\)""")
NAMED = re.compile(r""""([a-z_.]+)"\s*\)?\s*\|\s*who_may""")


def _templates() -> list[Path]:
    return sorted(TEMPLATES.glob("*.html"))


def test_no_template_decides_by_role_name():
    for path in _templates():
        for n, line in enumerate(path.read_text().splitlines(), 1):
            assert not re.search(r"who\.role\s*(==|!=|in\b|not in\b)", line), f"{path.name}:{n}"


def test_every_permission_a_template_asks_for_exists():
    asked = set()
    for path in _templates():
        for m in (*ASKED.finditer(path.read_text()), *NAMED.finditer(path.read_text())):
            asked.update(p for p in m.groups() if p)
    assert "refills.record" in asked and "scs.write" in asked  # the scan finds them
    assert asked <= set(permissions.PERMISSIONS), asked - set(permissions.PERMISSIONS)


def test_the_refill_screen_follows_the_table_not_a_role_list(sqlite_world, monkeypatch):
    """A pharmacist may plan a refill, not record it: the plan has no Record button and
    says who may. Give the pharmacist the permission in the table and the same plan
    offers it. The button comes with the plan (it stood on the page before any plan,
    and pressing it was a refusal for want of a confirmed review)."""
    w = sqlite_world
    c = w.client("pharmacist")
    form = _refill_form(c, w.b)

    def planned(client) -> str:
        return client.post(f"/patients/{w.b}/refill/plan", data=form).text

    assert 'id="record"' not in planned(c)
    assert "Only a physician or a nurse can record a refill." in planned(c)
    nurse = w.client("nurse")
    assert 'id="record"' not in nurse.get(f"/patients/{w.b}/refill").text
    assert "Plan first: the second person's check and Record come with the plan." in (
        nurse.get(f"/patients/{w.b}/refill").text)
    assert 'id="record"' in planned(nurse) and 'id="verifier_username"' in planned(nurse)
    table = dict(permissions.PERMISSIONS)
    table["refills.record"] = (*table["refills.record"], "pharmacist")
    monkeypatch.setitem(permissions.PERMISSIONS, "refills.record", table["refills.record"])
    assert 'id="record"' in planned(c)


def test_a_misspelt_permission_fails_the_render(sqlite_world):
    from thecal.entrypoints.web.permissions import allowed

    with pytest.raises(KeyError):
        allowed("refills.recrod", "nurse")  # type: ignore[arg-type]
    # through the screens' own filters, as a template would ask
    env = sqlite_world.app.state.templates.env
    who = sqlite_world.users["nurse"]
    assert env.from_string('{{ who | can("refills.record") }}').render(who=who) == "True"
    with pytest.raises(KeyError):
        env.from_string('{{ who | can("refills.recrod") }}').render(who=who)
    with pytest.raises(KeyError):
        env.from_string('{{ "refills.recrod" | who_may }}').render()


def test_who_may_is_said_from_the_table(sqlite_world, monkeypatch):
    """'Only a physician can send a program.' was typed in the template; it reads the
    table, so a table that let a nurse send programs would say so."""
    w = sqlite_world
    form = {"step_start_0": "00:00", "step_value_0": "3.3 mg/day", "low_ml": "3",
            "cycle_days": "1"}  # fmt: skip
    review = w.client("nurse").post(f"/patients/{w.a}/program/check", data=form).text
    assert "Only a physician can send a program." in review
    monkeypatch.setitem(permissions.PERMISSIONS, "programs.commit", ("physician", "pharmacist"))
    review = w.client("nurse").post(f"/patients/{w.a}/program/check", data=form).text
    assert "Only a physician or a pharmacist can send a program." in review
