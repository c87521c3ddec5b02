"""The main menu in a real browser: grouped by what people come to do, shown whole on a wide
screen, folded behind one button on a phone (390 px) that a keyboard opens and Escape closes, and
shown whole without JavaScript (the button is then hidden, as it could do nothing)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUPS = {"Arbete": 3, "Kunskap": 4, "Register": 6}


def _links_shown(page) -> int:
    return page.locator("nav[data-menu] .nav a").evaluate_all(
        "links => links.filter(a => a.offsetParent !== null).length")


def test_the_menu_is_grouped_and_folds_on_a_phone(live_server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/")
    headings = page.locator("nav[data-menu] .nav-heading").all_inner_texts()
    assert [h.strip().capitalize() for h in headings] == list(GROUPS)
    for group, count in zip(headings, GROUPS.values(), strict=True):
        assert page.locator(f"nav[data-menu] ul[aria-labelledby] >> nth={headings.index(group)} >> a").count() == count
    assert page.locator(".menu-toggle").is_hidden() and _links_shown(page) == 13

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/")
    button = page.locator(".menu-toggle")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false" and _links_shown(page) == 0
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and _links_shown(page) == 13
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and _links_shown(page) == 0
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")


def test_without_javascript_the_whole_menu_shows(live_server, page):
    context = page.context.browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    try:
        bare = context.new_page()
        bare.goto(live_server.url + "/")
        assert bare.locator(".menu-toggle").is_hidden() and _links_shown(bare) == 13
    finally:
        context.close()
