"""The follow-up report shows where it stands (draft → submitted → received → published), offers
the next step the reader may take, and lists what it lacks before it is submitted."""

from __future__ import annotations

import pytest

from stadsdel.areas.models import District, Municipality
from stadsdel.followup import services
from stadsdel.followup.compute import report_next_steps, report_stages
from stadsdel.followup.models import FollowUpReport, ReportStatus
from stadsdel.plans import services as plan_services


def test_stages_and_next_steps():
    assert report_stages(status="draft", published=False) == [
        ("draft", "current"), ("submitted", "todo"), ("received", "todo"), ("published", "todo")]
    assert report_stages(status="received", published=True) == [
        ("draft", "done"), ("submitted", "done"), ("received", "done"), ("published", "current")]
    assert report_next_steps(status="draft", published=False, writer=True, ministry=False) == ["submit"]
    assert report_next_steps(status="draft", published=False, writer=False, ministry=True) == []
    assert report_next_steps(status="submitted", published=False, writer=True, ministry=False) == []
    assert report_next_steps(status="submitted", published=False, writer=False, ministry=True) == ["receive"]
    assert report_next_steps(status="received", published=False, writer=True, ministry=False) == ["publish"]
    assert report_next_steps(status="received", published=True, writer=True, ministry=False) == []


@pytest.fixture
def haninge():
    return Municipality.objects.get(code="0136")


def test_edit_page_lists_what_is_missing_and_offers_submit(client, haninge_user, haninge):
    client.force_login(haninge_user)
    html = client.get("/reports/0136/2011/edit/").content.decode()
    gaps = html[html.index('id="report-gaps"'):html.index("</div>", html.index('id="report-gaps"'))]
    assert "Jordbro" in gaps  # Haninge's district under the 2011 agreement has no plan yet
    report = FollowUpReport.objects.get(municipality=haninge, year=2011)
    assert gaps.count("<li>") == 1 + report.sections.count()  # and every section is empty
    assert 'aria-current="step"' in html and 'value="submit"' in html


def test_the_gaps_shrink_as_the_report_is_completed(client, haninge_user, haninge):
    client.force_login(haninge_user)
    report = services.report_start(user=haninge_user, municipality=haninge, year=2011)
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    for section in report.sections.all():
        services.section_update(user=haninge_user, section=section, version=section.version, text="Text.")
    html = client.get("/reports/0136/2011/edit/").content.decode()
    assert "Jordbro" not in html[html.index('id="report-gaps"'):html.index("</p>", html.index('id="report-gaps"'))]
    assert "verdict-better" in html[html.index('id="report-gaps"') - 40:html.index('id="report-gaps"') + 40]


def test_each_reader_is_offered_only_their_next_step(client, haninge_user, ministry_user, haninge):
    report = services.report_start(user=haninge_user, municipality=haninge, year=2011)
    services.report_submit(user=haninge_user, report=report)
    client.force_login(haninge_user)
    html = client.get("/reports/0136/2011/").content.decode()
    assert 'value="receive"' not in html and 'value="submit"' not in html
    client.force_login(ministry_user)
    html = client.get("/reports/0136/2011/").content.decode()
    step = html[html.index('id="report-next-step"'):]
    assert 'value="receive"' in step[:600]
    assert client.post("/reports/0136/2011/status/", {"action": "receive"}).status_code == 302
    assert FollowUpReport.objects.get(pk=report.pk).status == ReportStatus.RECEIVED
    client.force_login(haninge_user)
    html = client.get("/reports/0136/2011/").content.decode()
    assert 'value="publish"' in html[html.index('id="report-next-step"'):][:600]
