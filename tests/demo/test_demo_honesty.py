"""Demo honesty: a database with the demo's marker shows a synthetic-data banner on every page
(and one without shows none); the served demo answers with the product's own 404 and 500 pages,
never Django's debug page."""

from __future__ import annotations

import pytest
from django.test import Client

from stadsdel.demo.context import demo_data_forget
from stadsdel.demo.models import DemoDataset


@pytest.fixture
def demo_marker(db):
    DemoDataset.objects.create(note="test")
    yield
    # The test's transaction rolls the marker back without a signal.
    demo_data_forget(present=False)


def test_no_banner_without_demo_data(client, db):
    demo_data_forget()
    for url in ("/", "/portal/", "/reports/", "/plans/deadlines/"):
        assert 'id="demo-banner"' not in client.get(url).content.decode()


def test_every_page_says_demo_data_are_synthetic(client, demo_marker, haninge_user):
    for url in ("/", "/portal/", "/reports/", "/plans/deadlines/", "/no-such-page/"):
        html = client.get(url).content.decode()
        assert 'id="demo-banner"' in html and "syntetiska" in html, url
    client.force_login(haninge_user)
    assert 'id="demo-banner"' in client.get("/plans/").content.decode()


def test_the_served_demo_turns_the_debug_page_off(monkeypatch, settings, db):
    from django.core.management import call_command

    from stadsdel.demo.management.commands import demo as command

    settings.DEBUG = True
    seen = {}
    monkeypatch.setattr(command, "demo_build", lambda **_kw: [])

    def runserver(name, *args, **kwargs):
        seen["debug"] = command.settings.DEBUG

    monkeypatch.setattr(command, "call_command", runserver)
    call_command("demo")
    assert seen == {"debug": False}


def test_own_404_and_500_pages_without_debug(settings, db, monkeypatch):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.content.decode()
    assert "URLconf" not in missing.content.decode()

    from stadsdel.portal import views

    def broken(_raw):
        raise RuntimeError("a failure inside the page")

    monkeypatch.setattr(views.selectors, "clean_query", broken)
    failed = client.get("/portal/")
    html = failed.content.decode()
    assert failed.status_code == 500 and "Ett fel uppstod" in html and "Something went wrong" in html
    assert "a failure inside the page" not in html and "Traceback" not in html
