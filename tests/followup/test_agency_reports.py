"""Agency reports: the agency writes and submits its own, nobody else can, the ministry reads
it once submitted, anyone once published, and a parent agency's page compiles its offices'."""

from __future__ import annotations

from stadsdel.agreements.models import Organisation
from stadsdel.followup.models import AgencyReport, ReportStatus

URL = "/reports/agencies/forsakringskassan/2010/"
TEXT = "Försäkringskassan deltog i arbetsgruppen för arbete och utbildning i Jordbro."


def test_agency_writes_and_submits(client, agency_user, malmo_user, ministry_user):
    client.force_login(agency_user)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"text": TEXT, "version": 1}).status_code == 302
    report = AgencyReport.objects.get(organisation__key="forsakringskassan", year=2010)
    assert report.text == TEXT
    # Linked to the cooperation agreements the agency is party to in 2010 (Jordbro's, 2009–2010, seed 000).
    assert report.cooperation_agreements.filter(municipality__code="0136").exists()
    stale = client.post(URL, {"text": "Annat", "version": 1})
    assert stale.status_code == 409
    report.refresh_from_db()
    assert report.text == TEXT
    # Others cannot write it; a draft is the agency's own.
    client.force_login(malmo_user)
    assert client.post(URL, {"text": "Kapat", "version": report.version}).status_code == 403
    assert client.get(URL).status_code == 404
    client.force_login(ministry_user)
    assert client.get(URL).status_code == 404
    client.force_login(agency_user)
    client.post(URL, {"action": "submit"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_at is not None
    client.force_login(ministry_user)
    assert TEXT in client.get(URL).content.decode()
    client.logout()
    assert client.get(URL).status_code == 404  # submitted, not published
    report.published = True
    report.save()
    assert TEXT in client.get(URL).content.decode()


def test_the_police_report_compiles_the_regional_offices(client, db):
    skane = Organisation.objects.get(key="polismyndigheten_skane")
    AgencyReport.objects.create(organisation=skane, year=2011, text="Polisen i Skåne deltog i Rosengård.",
                                status=ReportStatus.SUBMITTED, published=True)
    page = client.get("/reports/agencies/rikspolisstyrelsen/2011/")
    assert page.status_code == 200
    assert "Polisen i Skåne deltog i Rosengård." in page.content.decode()
