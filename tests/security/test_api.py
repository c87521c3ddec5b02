"""The REST API: OpenAPI and docs, token and session authentication, scoped reads, writes through
the services with 403 and 409, CSV export of lists, and the token command."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from stadsdel.api.models import ApiToken, token_hash
from stadsdel.areas.models import District
from stadsdel.plans import services as plan_services


def bearer(user) -> dict:
    _record, token = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def plan(haninge_user):
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    return plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)


def test_openapi_and_docs(client, db):
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Stadsdel API" and "/api/plans/plans" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_public_reads_and_csv(client, db):
    page = client.get("/api/areas/districts", {"municipality": "0136", "page_size": 5}).json()
    assert page["count"] >= 1 and page["results"][0]["municipality_code"] == "0136"
    rows = list(csv.DictReader(io.StringIO(client.get("/api/areas/districts/export.csv").content.decode())))
    assert len(rows) == District.objects.count() and {"id", "name", "area_codes"} <= set(rows[0])
    assert client.get("/api/areas/districts", {"page_size": 0}).status_code == 422


def test_token_command_and_authentication(client, haninge_user, capsys):
    call_command("token", "create", "--user", haninge_user.username)
    token = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(key_hash=token_hash(token)).user == haninge_user  # only the hash is stored
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert client.get("/api/plans/plans", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    assert client.get("/api/plans/plans", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    call_command("token", "revoke", token[:8])
    assert client.get("/api/plans/plans", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    # Issuing and revoking are both in the audit trail, without the hash.
    record = ApiToken.objects.get(key_hash=token_hash(token))
    assert [h.revoked for h in record.history.order_by("history_date")] == [False, True]
    assert not hasattr(record.history.first(), "key_hash")


def test_reads_follow_the_scope(client, plan, haninge_user, malmo_user):
    assert client.get(f"/api/plans/plans/{plan.pk}").status_code == 404  # a draft is not public
    assert client.get(f"/api/plans/plans/{plan.pk}", **bearer(malmo_user)).status_code == 404
    assert client.get(f"/api/plans/plans/{plan.pk}", **bearer(haninge_user)).json()["status"] == "draft"


def test_writes_go_through_the_services(client, plan, haninge_user, malmo_user, agency_user):
    body = {"goal_area": "arbete", "number": "1.1", "text": "Fler i arbete.", "scope_district_ids": [plan.district_id],
            "indicator": "employment_rate_20_64", "baseline_value": 60, "baseline_year": 2010}
    assert client.post(f"/api/plans/plans/{plan.pk}/goals", body, content_type="application/json").status_code == 401
    for outsider in (malmo_user, agency_user):
        response = client.post(f"/api/plans/plans/{plan.pk}/goals", body, content_type="application/json",
                               **bearer(outsider))
        assert response.status_code in (403, 404)
    created = client.post(f"/api/plans/plans/{plan.pk}/goals", body, content_type="application/json",
                          **bearer(haninge_user))
    assert created.status_code == 201
    goal = created.json()
    assert goal["goal_area"] == "arbete" and goal["indicators"] == ["employment_rate_20_64"]
    put = {**body, "target_value": 66, "target_year": 2014, "version": goal["version"]}
    assert client.put(f"/api/plans/goals/{goal['id']}", put, content_type="application/json",
                      **bearer(haninge_user)).status_code == 200
    stale = client.put(f"/api/plans/goals/{goal['id']}", {**put, "target_value": 70}, content_type="application/json",
                       **bearer(haninge_user))
    assert stale.status_code == 409 and stale.json()["current_version"] == goal["version"] + 1
    smart = client.get(f"/api/plans/goals/{goal['id']}/smart", {"lang": "en"}, **bearer(haninge_user)).json()
    assert set(smart) == {"S", "M", "A", "R", "T"} and smart["S"]["result"] == "pass"
    assert json.loads(client.get(f"/api/plans/goals/{goal['id']}", **bearer(haninge_user)).content)[
        "target_value"] == 66


def test_session_writes_need_csrf(haninge_user, plan):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(haninge_user)
    response = strict.patch(f"/api/plans/plans/{plan.pk}", {"version": plan.version, "title": "Ny"},
                            content_type="application/json")
    assert response.status_code in (401, 403)


def test_partnership_conflict_and_rights(client, haninge_user, malmo_user):
    from stadsdel.agreements.models import Partnership

    jordbro = Partnership.objects.get(key="jordbro")
    ok = client.patch(f"/api/agreements/partnerships/{jordbro.pk}", {"version": jordbro.version, "basis": "Ny grund"},
                      content_type="application/json", **bearer(haninge_user))
    assert ok.status_code == 200 and ok.json()["version"] == jordbro.version + 1
    assert client.patch(f"/api/agreements/partnerships/{jordbro.pk}", {"version": jordbro.version, "basis": "X"},
                        content_type="application/json", **bearer(haninge_user)).status_code == 409
    denied = client.patch(f"/api/agreements/partnerships/{jordbro.pk}", {"version": jordbro.version + 1, "basis": "X"},
                          content_type="application/json", **bearer(malmo_user))
    assert denied.status_code in (403, 404)


def test_a_page_far_past_the_end_is_empty_not_an_error(client, db):
    """What schemathesis found: page 363487300224530368 made an offset SQLite cannot hold."""
    response = client.get("/api/areas/districts", {"page": 363487300224530368, "municipality": "0136"})
    assert response.status_code == 200
    assert response.json()["results"] == [] and response.json()["count"] >= 1


@pytest.mark.parametrize(("url", "status"), [
    ("/api/followup/national/160373134068916", 422), ("/api/followup/reports/0136/99999", 422),
    ("/reports/national/160373134068916/", 404), ("/reports/0136/99999/", 404), ("/reports/0136/99999/edit/", 404),
])
def test_a_year_no_report_can_have_is_refused_not_a_crash(client, haninge_user, url, status):
    """What schemathesis found: a year past 9999 reached a date computation and answered 500."""
    client.force_login(haninge_user)
    assert client.get(url).status_code == status


def test_a_nul_character_is_refused_not_a_crash(client, haninge_user):
    """What schemathesis found on PostgreSQL: a NUL in a body reached a query and answered 500.
    Bodies answer 422, addresses 400, on both databases."""
    client.force_login(haninge_user)
    body = {"municipality_code": "01\x0036", "title": "Dialog", "held_on": "2011-06-01"}
    assert client.post("/api/plans/dialogues", body, content_type="application/json").status_code == 422
    assert client.get("/api/areas/districts", {"municipality": "01\x0036"}).status_code == 400
    assert client.get("/portal/", {"q": "a\x00b"}).status_code == 400
