"""The funding pages: who sees what, the decision form of a step, submission, the attachment
check, and the API's decide endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stadsdel.funding.models import Application

pytestmark = pytest.mark.django_db


def test_the_fund_page_is_public_and_shows_the_chain_and_budget(client, fund_world):
    page = client.get(f"/funding/funds/{fund_world['fund'].pk}/").content.decode()
    assert "Lokal styrgrupp" in page and "Kommunstyrelsen" in page and "1\u00a0000\u00a0000\u00a0kr" in page


def test_a_draft_is_the_applicants_own(client, make_app, fund_world, analyst_user, malmo_user):
    app = make_app()
    for user, status in ((fund_world["applicant"], 200), (analyst_user, 404), (malmo_user, 404),
                         (fund_world["steering"], 404)):
        client.force_login(user)
        assert client.get(f"/funding/applications/{app.pk}/").status_code == status


def test_the_step_decides_through_the_page(client, make_app, fund_world, mailoutbox):
    app = make_app(submit=True)
    url = f"/funding/applications/{app.pk}/"
    client.force_login(fund_world["committee"])  # not this step's
    assert "decision-form" not in client.get(url).content.decode()
    assert client.post(url + "decide/", {"outcome": "approve", "decided_on": "2020-01-01",
                                         "version": app.version}).status_code == 403
    client.force_login(fund_world["steering"])
    assert "decision-form" in client.get(url).content.decode()
    response = client.post(url + "decide/", {"outcome": "return", "decided_on": dt.date.today().isoformat(),
                                             "version": app.version, "text": ""})
    assert response.status_code == 400  # a return needs its reason
    response = client.post(url + "decide/", {"outcome": "approve", "decided_on": dt.date.today().isoformat(),
                                             "version": app.version, "text": "Godkänd"})
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).current_step.position == 2
    client.force_login(fund_world["committee"])
    assert app.title in client.get("/funding/decisions/").content.decode()


def test_attachments_are_checked_for_type(client, make_app, fund_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = make_app()
    client.force_login(fund_world["applicant"])
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    assert client.post(f"/funding/applications/{app.pk}/attachments/", {"file": bad}).status_code == 400
    good = SimpleUploadedFile("budget.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert client.post(f"/funding/applications/{app.pk}/attachments/", {"file": good}).status_code == 302
    attachment = app.attachments.get()
    assert client.get(f"/funding/attachments/{attachment.pk}/").status_code == 200
    client.force_login(fund_world["steering"])  # a draft's attachments are the applicant's too
    assert client.get(f"/funding/attachments/{attachment.pk}/").status_code == 404


def test_the_api_decides_with_the_version(client, make_app, fund_world):
    app = make_app(submit=True)
    client.force_login(fund_world["steering"])
    url = f"/api/funding/applications/{app.pk}/decide"
    stale = client.post(url, {"outcome": "approve", "version": app.version + 5}, content_type="application/json")
    assert stale.status_code == 409
    ok = client.post(url, {"outcome": "approve", "version": app.version}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["current_step"] == "Stadsdelsnämnd"
    client.force_login(fund_world["board"])
    skip = client.post(url, {"outcome": "approve", "version": app.version + 1}, content_type="application/json")
    assert skip.status_code == 403


def test_an_application_made_through_the_api_can_be_submitted(client, fund_world):
    """Everything submitting needs (districts, budget, expected results) can be sent through the
    API, and each answer shows the application as it now is."""
    import datetime as dt

    from stadsdel.areas.models import District

    year = fund_world["year"]
    rinkeby = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)
    client.force_login(fund_world["applicant"])
    body = {"round_id": fund_world["round"].pk, "committee": "stockholm_rinkeby_kista_stadsdelsnamnd",
            "applicant": "stockholm_rinkeby_kista_stadsdelsnamnd", "title": "Läxhjälp",
            "description": "Läxhjälp tre kvällar i veckan.", "period_start": dt.date(year, 1, 1).isoformat(),
            "period_end": dt.date(year, 12, 31).isoformat(), "contact_name": "Alva", "contact_email": "a@example.org",
            "district_ids": [rinkeby.pk],
            "budget_lines": [{"year": year, "text": "Personal", "amount": 100_000}],
            "results": [{"text": "Fler godkända", "measure": "andel", "indicator": "employment_rate_20_64",
                         "baseline_value": 60, "baseline_year": year - 1, "target_value": 70, "target_year": year}]}
    bad = client.post("/api/funding/applications", {**body, "budget_lines": [{"year": year, "text": "X", "amount": -5}]},
                      content_type="application/json")
    assert bad.status_code == 422
    made = client.post("/api/funding/applications", body, content_type="application/json")
    assert made.status_code == 201, made.content
    app = made.json()
    patched = client.patch(f"/api/funding/applications/{app['id']}", {
        "version": app["version"], "budget_lines": [{"year": year, "text": "Personal", "amount": 150_000}]},
        content_type="application/json")
    assert patched.status_code == 200 and patched.json()["applied_amount"] == 150_000  # the new lines, not the old
    submitted = client.post(f"/api/funding/applications/{app['id']}/submit?version={patched.json()['version']}")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_review" and submitted.json()["current_step"] == "Lokal styrgrupp"
