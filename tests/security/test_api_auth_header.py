"""An `Authorization` header that does not authenticate is 401, for reads and writes alike, even
when the request also carries a valid session cookie: a client that meant to act as a token's
user must never act as someone else (the browser's session) instead. Token requests stay
CSRF-exempt; session requests without the header keep the CSRF check."""

from __future__ import annotations

import pytest
from django.test import Client

from stadsdel.api.models import ApiToken
from stadsdel.areas.models import District
from stadsdel.plans import services as plan_services


@pytest.fixture
def plan(haninge_user):
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    return plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)


@pytest.fixture
def revoked(haninge_user):
    record, token = ApiToken.issue(user=haninge_user)
    record.revoked = True
    record.save()
    return f"Bearer {token}"


def signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


BAD_HEADERS = {
    "unknown token": "Bearer nonsense",
    "wrong scheme": "Basic aGFuaW5nZTpwdy1oYW5pbmdl",
    "token scheme": "Token nonsense",
    "no token": "Bearer",
    "empty": "",
}


@pytest.mark.parametrize("header", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_a_bad_header_is_401_for_a_read_despite_the_session(haninge_user, plan, header):
    client = signed_in(haninge_user)
    assert client.get(f"/api/plans/plans/{plan.pk}").status_code == 200  # the session alone reads it
    assert client.get(f"/api/plans/plans/{plan.pk}", HTTP_AUTHORIZATION=header).status_code == 401
    public = client.get("/api/areas/districts", HTTP_AUTHORIZATION=header)  # a public read too
    assert public.status_code == 401 and public["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization" in public.json()["detail"]


@pytest.mark.parametrize("header", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_a_bad_header_is_401_for_a_write_despite_the_session(haninge_user, plan, header):
    client = signed_in(haninge_user)
    response = client.patch(f"/api/plans/plans/{plan.pk}", {"version": plan.version, "title": "Ändrad"},
                            content_type="application/json", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    plan.refresh_from_db()
    assert plan.title != "Ändrad"


def test_a_revoked_token_is_401_despite_the_session(haninge_user, plan, revoked):
    client = signed_in(haninge_user)
    assert client.get(f"/api/plans/plans/{plan.pk}", HTTP_AUTHORIZATION=revoked).status_code == 401
    response = client.patch(f"/api/plans/plans/{plan.pk}", {"version": plan.version, "title": "Ändrad"},
                            content_type="application/json", HTTP_AUTHORIZATION=revoked)
    assert response.status_code == 401


def test_a_valid_token_needs_no_csrf_and_a_bare_session_still_does(haninge_user, plan):
    _record, token = ApiToken.issue(user=haninge_user)
    client = signed_in(haninge_user, csrf=True)
    response = client.patch(f"/api/plans/plans/{plan.pk}", {"version": plan.version, "title": "Med nyckel"},
                            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["title"] == "Med nyckel"
    without = client.patch(f"/api/plans/plans/{plan.pk}", {"version": plan.version + 1, "title": "Utan"},
                           content_type="application/json")
    assert without.status_code in (401, 403)
