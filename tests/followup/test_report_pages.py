"""The report pages: the national report as a page and as downloads, the municipality writing,
submitting and publishing its follow-up, the ministry receiving it, and who may see what."""

from __future__ import annotations

import pytest

from stadsdel.followup.models import FollowUpReport, ReportStatus

SECRET_TEXT = "Vår samverkan med polisen har inte publicerats än"


def test_national_page_and_downloads(client, db):
    page = client.get("/reports/national/2011/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nationell redovisning 2011" in html and "Jordbro" in html
    # The seeds ship the municipality outlines: the map of Sweden is drawn, with its table.
    assert "data-chart=\"chart-report-map\"" in html and "id=\"map-table\"" in html and "id=\"map-note\"" not in html
    pdf = client.get("/reports/national/2011/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get("/reports/national/2011/", {"format": "xlsx"})
    assert xlsx.content.startswith(b"PK")  # a zip container, as .xlsx is
    csv = client.get("/reports/national/2011/", {"format": "csv", "table": "stadsdelar"}).content.decode()
    assert csv.splitlines()[0].startswith("stadsdel,kommun,") and "Jordbro,Haninge" in csv
    assert client.get("/reports/national/2011/", {"format": "csv", "table": "nope"}).status_code == 404
    assert client.get("/reports/national/1999/").status_code == 404


def test_only_the_ministry_sees_the_internal_version(client, haninge_user, ministry_user):
    assert client.get("/reports/national/2011/", {"internal": "1"}).status_code == 403
    client.force_login(haninge_user)
    assert client.get("/reports/national/2011/", {"internal": "1"}).status_code == 403
    client.force_login(ministry_user)
    assert client.get("/reports/national/2011/", {"internal": "1"}).status_code == 200


def test_municipality_writes_submits_and_publishes(client, haninge_user, malmo_user, ministry_user):
    client.force_login(haninge_user)
    assert client.get("/reports/0136/2011/edit/").status_code == 200
    report = FollowUpReport.objects.get(municipality__code="0136", year=2011)
    section = report.sections.get(key="partnership")
    response = client.post("/reports/0136/2011/edit/", {
        "text-partnership": SECRET_TEXT, "version-partnership": section.version,
        "text-results": "", "version-results": 1, "text-comments": "", "version-comments": 1,
    })
    assert response.status_code == 302
    # A save based on the old version is refused, and nothing is overwritten.
    stale = client.post("/reports/0136/2011/edit/", {"text-partnership": "Annat", "version-partnership": section.version})
    assert stale.status_code == 409
    section.refresh_from_db()
    assert section.text == SECRET_TEXT and section.history.count() >= 2
    assert SECRET_TEXT in client.get("/reports/0136/2011/").content.decode()
    # Not published: others see the generated report without the narrative.
    client.logout()
    assert SECRET_TEXT not in client.get("/reports/0136/2011/").content.decode()
    assert SECRET_TEXT not in client.get("/reports/0136/2011/", {"format": "html"}).content.decode()
    client.force_login(malmo_user)
    assert SECRET_TEXT not in client.get("/reports/0136/2011/").content.decode()
    assert client.get("/reports/0136/2011/edit/").status_code == 403
    assert client.post("/reports/0136/2011/status/", {"action": "submit"}).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT  # Malmö's attempt changed nothing
    client.force_login(haninge_user)
    client.post("/reports/0136/2011/status/", {"action": "submit"})
    client.post("/reports/0136/2011/status/", {"action": "publish"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.published
    client.logout()
    assert SECRET_TEXT in client.get("/reports/0136/2011/").content.decode()
    client.force_login(ministry_user)
    client.post("/reports/0136/2011/status/", {"action": "receive"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED and report.received_by == ministry_user


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "html"])
def test_followup_downloads(client, db, fmt):
    response = client.get("/reports/0136/2011/", {"format": fmt})
    assert response.status_code == 200 and len(response.content) > 1000
