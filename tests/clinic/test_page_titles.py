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
    portal = w.client("patient").get("/portal").text
    assert title(portal) == "My pump · thecal" and '<a href="/portal">My pump</a>' in portal
    assert title(w.client().get("/login").text) == "Log in · thecal"


def test_an_address_with_no_page_says_so_in_words(sqlite_world):
    """A kept or mistyped address answered "404: Not Found" and a form's address opened
    as a page "405: Method Not Allowed": words now, and a way to the start page besides
    Back (a bookmark has no Back). The API's answers keep the router's own text."""
    w = sqlite_world
    c = w.client("physician")
    missing = c.get("/nowhere")
    assert missing.status_code == 404
    assert title(missing.text) == "404: there is no page at this address · thecal"
    assert '<a href="/" id="start-page">Start page</a>' in missing.text
    form_only = c.get(f"/patients/{w.a}/refill/plan")
    assert form_only.status_code == 405
    assert "this address takes a form sent from its screen" in form_only.text
    assert "Sign in</a>" in w.client().get("/nowhere").text  # not signed in
    assert c.get("/api/nowhere").json()["message"] == "Not Found"
