"""Issue 25: tables readable at 1366 px and usable at phone width. At a desk no
table may run past the card or page that holds it (a clipped column hid who
acknowledged an alarm); on a 390 px phone the page itself never scrolls sideways:
a wide table scrolls inside its own region, which the keyboard can reach."""

from __future__ import annotations

from playwright.sync_api import sync_playwright

from tests.clinic.conftest import DAY, PASSWORD, T0
from tests.e2e.test_accessibility import STAFF_PAGES
from tests.e2e.test_browser import ARGS, CHROMIUM
from thecal.core.pump.program import DrugConcentration
from thecal.services.clinic.transactions import RefillInput

OVERFLOW = """(desk) => {
  const out = [];
  for (const t of document.querySelectorAll('table')) {
    const box = t.closest('.card') || t.closest('main');
    const region = t.closest('.scroll-x');
    const over = t.getBoundingClientRect().right - box.getBoundingClientRect().right;
    const scrolls = region !== null && region.tabIndex === 0;
    if (over > 1 && (desk || !scrolls))
      out.push((t.id || 'table') + ' +' + Math.round(over) + 'px');
  }
  const page = document.scrollingElement.scrollWidth - window.innerWidth;
  if (page > 1) out.push('page +' + page + 'px');
  return out;
}"""


def overflows(browser, base: str, user: str, paths, width: int) -> dict[str, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    found = {}
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        found[f"{width} {path}"] = page.evaluate(OVERFLOW, width >= 1366)
    page.close()
    return {k: v for k, v in found.items() if v}


def test_no_table_is_clipped_at_a_desk_and_no_page_scrolls_sideways_on_a_phone(served):
    """Ann's pump is refilled on day 30 and runs to its low and empty alarms by day 90,
    so her page holds a refill row with its print link and alarm rows with their
    onset and clearing times: the widest rows the patient page has."""
    w, base = served
    w.refill(w.a, RefillInput(10.0, (DrugConcentration("morphine", 10_000.0),), None, None,
                              "LOT-LAYOUT-0001"), T0 + 30 * DAY)  # fmt: skip
    w.clock.t = T0 + 90 * DAY
    w.clinic.care.sync(w.a, w.clock.t)
    staff = [p.format(a=w.a, b=w.b) for p in STAFF_PAGES]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        found = {}
        for width in (1366, 390):
            found |= overflows(browser, base, "physician", staff, width)
            found |= overflows(browser, base, "admin", ["/users", "/audit"], width)
            found |= overflows(browser, base, "patient", ["/portal"], width)
        browser.close()
    assert found == {}
