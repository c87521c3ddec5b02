"""Every page as each role meets it, in the real browser, on the demo's data: axe-core finds no
violation of the WCAG 2.0/2.1 A and AA rules (the floor for public-sector services in Sweden), and
no page is wider than the screen at 1366 px or at 390 px.

The crawl signs in as each demo login (and as a visitor), follows every link of the site from the
start page breadth first and opens each kind of page once per role (addresses that differ only in
their numbers count as one kind); each kind is checked as the first role that reaches it, so a page
only some roles may open (an edit form, a queue) is checked as one of them. Downloads, the API and
the admin are not pages and are left out. It runs once, on SQLite: a page's markup does not depend
on the database, and CI's time does.
"""

from __future__ import annotations

import importlib.resources
import re
from urllib.parse import urljoin, urlparse

import pytest
from django.db import connection

from stadsdel.demo.builder import demo_build
from stadsdel.demo.logins import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["", "departementet", "haninge", "forsakringskassan", "analytiker", "namnd", "sokande"]
PAGES_PER_ROLE = 60
WIDTHS = (1366, 390)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NOT_PAGES = re.compile(
    r"\.(csv|xlsx|pdf|ics|json|js|png|svg)(\?|$)|^/(logout|admin|api|i18n|assets|static)/|[?&]format=|/download"
)


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _crawl(page, base: str):
    """Yield each kind of page the signed-in user can reach from the start page, once."""
    seen: set[str] = set()
    queue = ["/"]
    opened = 0
    while queue and opened < PAGES_PER_ROLE:
        path = queue.pop(0)
        if _kind(path) in seen:
            continue
        seen.add(_kind(path))
        response = page.goto(base + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        opened += 1
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            target = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc == urlparse(base).netloc and not NOT_PAGES.search(target):
                queue.append(target)
        yield path


@pytest.fixture
def demo(db):
    if connection.vendor != "sqlite":
        pytest.skip("the crawl runs once, on SQLite: markup does not depend on the database")
    demo_build()


def test_every_page_passes_axe_and_fits_the_screen(live_server, demo, launch, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    axe = (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    violations: list[str] = []
    too_wide: list[str] = []
    opened: dict[str, int] = {}
    checked: set[str] = set()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for role in ROLES:
            # The product's content security policy allows no inline script; axe is injected as one.
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True)
            context.set_default_timeout(30_000)
            page = context.new_page()
            if role:
                page.goto(f"{live_server.url}/login/")
                page.fill("input[name=username]", role)
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("form button.button")  # the first buttons switch the language
                page.wait_for_load_state()
                assert "/login/" not in page.url, f"{role} could not sign in"
            who = role or "visitor"
            opened[who] = 0
            for path in _crawl(page, live_server.url):
                opened[who] += 1
                if _kind(path) in checked:
                    continue
                checked.add(_kind(path))
                page.add_script_tag(content=axe)
                result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
                violations += [f"{who} {path}: {v['id']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
                               for v in result["violations"]]
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    scroll_width = page.evaluate("document.documentElement.scrollWidth")
                    if scroll_width > width:
                        too_wide.append(f"{who} {path}: {scroll_width} px at {width}")
                page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            context.close()
        browser.close()
    # The crawl reached the pages of every role (a broken sign-in or start page would open few).
    assert all(count >= 15 for count in opened.values()), opened
    print(f"opened {opened}, checked {len(checked)} kinds of page")
    assert violations == []
    assert too_wide == []
