"""Sign-in lockout (django-axes): five failed sign-ins for one username from one address lock
that pair out for an hour with a Swedish page and HTTP 429; sign-ins and failures are logged."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import authenticate
from django.test import RequestFactory, override_settings

from stadsdel.accounts.security import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "pw-haninge"  # conftest's make_user: "pw-" + username


@pytest.fixture
def coordinator(haninge_user):
    return haninge_user


def _sign_in(client, password, *, username="haninge", ip="192.0.2.10"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_out_even_the_right_password(client, coordinator):
    for attempt in range(1, 5):
        response = _sign_in(client, "wrong")
        assert response.status_code == 200, attempt  # the form again, with its error
    fifth = _sign_in(client, "wrong")
    assert fifth.status_code == 429

    sixth = _sign_in(client, PASSWORD)
    assert sixth.status_code == 429
    assert not _signed_in(client)
    html = sixth.content.decode()
    assert 'id="lockout"' in html
    assert '<html lang="sv">' in html
    assert sixth["Content-Security-Policy"]  # the lockout page is a page like any other
    assert AccessFailureLog.objects.filter(username="haninge").count() >= 5
    assert AccessAttempt.objects.get(username="haninge", ip_address="192.0.2.10").failures_since_start >= 5


def test_lockout_is_per_username_and_address(client, coordinator, malmo_user):
    for _ in range(5):
        _sign_in(client, "wrong")
    # The same account from another address, and another account from the same address, still work.
    assert _sign_in(client, PASSWORD, ip="198.51.100.7").status_code == 302
    client.logout()
    assert _sign_in(client, "pw-malmo", username="malmo").status_code == 302


def test_lock_ends_after_the_cool_off_hour(client, coordinator):
    for _ in range(5):
        _sign_in(client, "wrong")
    assert _sign_in(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=61))
    response = _sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_sign_ins_and_failures_are_logged_without_the_password(client, coordinator, caplog):
    caplog.set_level(logging.INFO, logger="stadsdel.security")
    _sign_in(client, "hunter2-wrong")
    assert _sign_in(client, PASSWORD).status_code == 302

    messages = [record.getMessage() for record in caplog.records if record.name == "stadsdel.security"]
    assert "failed sign-in: user=haninge ip=192.0.2.10" in messages
    assert "sign-in: user=haninge ip=192.0.2.10" in messages
    assert not any("hunter2" in m or PASSWORD in m for m in caplog.text.splitlines())
    assert AccessLog.objects.filter(username="haninge", ip_address="192.0.2.10").exists()


def test_the_lockout_is_logged(client, coordinator, caplog):
    caplog.set_level(logging.INFO, logger="stadsdel.security")
    for _ in range(5):
        _sign_in(client, "wrong")
    assert any(
        record.getMessage() == "locked out after repeated failures: user=haninge ip=192.0.2.10"
        for record in caplog.records
    )


def test_sign_in_without_a_request_is_not_counted(coordinator):
    # Management commands and tests check passwords without a request; there is no address to
    # count failures against, so the lockout backend lets the password backend decide.
    assert authenticate(username="haninge", password=PASSWORD) == coordinator
    assert authenticate(username="haninge", password="wrong") is None


def test_client_address_behind_proxies():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == "10.0.0.2"  # no proxy configured: the header proves nothing
    with override_settings(STADSDEL_PROXY_COUNT=1):
        assert client_ip(request) == "203.0.113.5"  # the entry our proxy appended, not the client's
    with override_settings(STADSDEL_PROXY_COUNT=2):
        assert client_ip(request) == "6.6.6.6"
    with override_settings(STADSDEL_PROXY_COUNT=3):
        assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: not trusted
