"""Issue 25: axe-core (vendored by axe-playwright-python, no network) on every clinic
page and the portal, in the system Chromium: no serious or critical violation."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.clinic.conftest import PASSWORD
from tests.e2e.test_browser import ARGS, CHROMIUM

STAFF_PAGES = ("/worklist", "/patients", "/patients/{a}", "/patients/{a}/program",
               "/patients/{a}/refill", "/patients/{a}/device", "/patients/{a}/trials",
               "/patients/{a}/scs", "/patients/{b}", "/patients/new", "/patients/{a}/edit",
               "/patients/{a}/appointment", "/patients/{a}/pathway", "/calendar",
               "/audit")  # fmt: skip


def serious(axe: Axe, page) -> list[str]:
    result = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_page_has_a_serious_accessibility_violation(served):
    w, base = served
    axe = Axe()
    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for user, paths in (("physician", STAFF_PAGES), ("admin", ("/audit", "/users")),
                            ("patient", ("/portal",))):  # fmt: skip
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{base}/login")
            page.fill("#username", user)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for path in paths:
                page.goto(base + path.format(a=w.a, b=w.b))
                page.wait_for_load_state("networkidle")
                found[f"{user} {path}"] = serious(axe, page)
            page.close()
        browser.close()
    assert len(found) == len(STAFF_PAGES) + 3
    assert {k: v for k, v in found.items() if v} == {}
