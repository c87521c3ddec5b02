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
    monkeypatch.setattr(command, "start_worker", lambda: FakeWorker())
    call_command("demo")
    assert seen == {"debug": False}


class FakeWorker:
    def __init__(self):
        self.pid, self.stopped = 4242, False

    def terminate(self):
        self.stopped = True

    def wait(self, timeout=None):
        return 0


def test_the_served_demo_runs_a_worker_beside_the_web_server(monkeypatch, settings, db, capsys):
    """`make demo` serves pages and runs the background tasks: the worker starts before the web
    server and stops with it."""
    from django.core.management import call_command

    from stadsdel.demo.management.commands import demo as command

    order = []
    worker = FakeWorker()
    start_worker = command.start_worker
    monkeypatch.setattr(command, "demo_build", lambda **_kw: [])
    monkeypatch.setattr(command, "start_worker", lambda: order.append("worker") or worker)
    monkeypatch.setattr(command, "call_command", lambda name, *a, **k: order.append(name))
    call_command("demo")
    assert order == ["worker", "runserver"] and worker.stopped
    assert "worker" in capsys.readouterr().out
    # The worker it starts is `stadsdel worker` on the same database.
    popen = []
    monkeypatch.setattr(command.subprocess, "Popen", lambda args, **kw: popen.append(args) or worker)
    start_worker()
    assert popen[0][-3:] == ["worker", "--verbosity", "0"] and popen[0][1:3] == ["-m", "stadsdel.cli"]


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
