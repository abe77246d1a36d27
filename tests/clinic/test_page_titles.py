"""Every page has a title of its own (WCAG 2.4.2, Page Titled): the patient list, the
programming and refill screens, the portal and the log-in page were all "thecal
clinic", so a browser's tabs and history, and a screen reader arriving on the page,
could not tell them apart. Patient A is Ann, patient B is Bo."""

from __future__ import annotations

import re

from tests.e2e.test_accessibility import STAFF_PAGES


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S)[1].strip()


def test_each_page_has_its_own_title(sqlite_world):
    w = sqlite_world
    c = w.client("physician")
    pages = [p.format(a=w.a, b=w.b) for p in STAFF_PAGES]
    titles = {p: title(c.get(p).text) for p in pages}
    assert "thecal clinic" not in titles.values(), titles
    assert len(set(titles.values())) == len(pages), titles
    name = "Ann Able"
    assert titles[f"/patients/{w.a}/program"] == f"Programming · {name} · thecal"
    assert titles[f"/patients/{w.a}/refill"] == f"Refill · {name} · thecal"
    assert titles["/patients"] == "Patients · thecal"
    assert title(w.client("patient").get("/portal").text) == "My pump · thecal"
    assert title(w.client().get("/login").text) == "Log in · thecal"
