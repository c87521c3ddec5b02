"""What every real-browser test shares: Debian's chromium, required or skipped (decided first,
before any seeds are loaded for nothing), and how Playwright starts it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots the tests take, for a person to look at (ignored by git).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@pytest.fixture(autouse=True)
def chromium():
    """Without /usr/bin/chromium the test is skipped, unless STADSDEL_REQUIRE_BROWSER=1 (CI) says
    the browser must be there."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("STADSDEL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"STADSDEL_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture
def launch():
    """`launch(playwright)`: Debian's chromium, headless, through Playwright (no browser download)."""
    return lambda playwright: playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                                         headless=True)


@pytest.fixture
def page(monkeypatch, launch):
    """A Swedish-language page in a fresh browser context (1280 × 1000, 15 s timeouts)."""
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, which Django would otherwise refuse inside a running loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


@pytest.fixture
def outside(page) -> list[str]:
    """Keeps the page on this machine: every request elsewhere is aborted and listed here, so a
    test can assert that nothing (a CDN's script, say) was fetched from outside."""
    from urllib.parse import urlparse

    fetched: list[str] = []

    def local_only(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in ("localhost", "127.0.0.1", "::1"):
            route.continue_()
        else:
            fetched.append(url)
            route.abort()

    page.route("**/*", local_only)
    return fetched
