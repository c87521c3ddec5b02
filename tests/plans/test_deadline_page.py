"""The deadlines page: opens on the latest year with agreements in force, reaches every year with
agreements, shows a coordinator their own municipality (the ministry all), and lists each
municipality's follow-up report (1 December) with done / late beside the plans (31 December)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from stadsdel.agreements.models import Agreement
from stadsdel.areas.models import Municipality
from stadsdel.followup.models import FollowUpReport, ReportStatus


def _years_with_agreements() -> set[int]:
    return {y for a in Agreement.objects.all() for y in range(a.period_start.year, a.period_end.year + 1)}


def test_opens_on_the_latest_year_with_agreements_and_reaches_every_year(client, db):
    years = _years_with_agreements()
    assert years and max(years) < timezone.localdate().year  # the seeds' agreements are all in the past
    response = client.get("/plans/deadlines/")
    assert response.context["year"] == max(years)
    assert response.context["items"], "the default year must list deadlines, not an empty current year"
    assert years <= set(response.context["years"])
    html = response.content.decode()
    for year in years:
        assert f'<option value="{year}"' in html


def test_a_coordinator_sees_their_own_municipality_by_default(client, haninge_user):
    client.force_login(haninge_user)
    items = client.get("/plans/deadlines/").context["items"]
    assert items and {d.municipality for d in items} == {"Haninge"}
    everyone = client.get("/plans/deadlines/", {"municipality": "all"}).context["items"]
    assert len({d.municipality for d in everyone}) > 1


def test_the_ministry_sees_every_municipality(client, ministry_user):
    client.force_login(ministry_user)
    items = client.get("/plans/deadlines/").context["items"]
    assert len({d.municipality for d in items}) == 21


@pytest.fixture
def reports_2011(db):
    def report(code, submitted, status):
        return FollowUpReport.objects.create(
            municipality=Municipality.objects.get(code=code), year=2011, status=status,
            submitted_at=dt.datetime(*submitted, 12, tzinfo=dt.UTC) if submitted else None)
    return {"on_time": report("0136", (2011, 11, 20), ReportStatus.RECEIVED),
            "late": report("1280", (2011, 12, 5), ReportStatus.SUBMITTED),
            "draft": report("0180", None, ReportStatus.DRAFT)}


def test_follow_up_reports_are_listed_with_done_and_late(client, ministry_user, reports_2011):
    client.force_login(ministry_user)
    response = client.get("/plans/deadlines/", {"year": 2011})
    reports = {d.municipality: d for d in response.context["items"] if d.kind == "report"}
    plans = [d for d in response.context["items"] if d.kind == "plan"]
    assert len(reports) == 21 and plans
    assert reports["Haninge"].due == dt.date(2011, 12, 1) and reports["Haninge"].status == "done"
    assert reports["Haninge"].done_on == dt.date(2011, 11, 20)
    assert reports["Malmö"].status == "done_late"
    assert reports["Stockholm"].status == "overdue" and reports["Stockholm"].done_on is None
    assert all(d.due == dt.date(2011, 12, 31) for d in plans)
    html = response.content.decode()
    assert 'href="/reports/0136/2011/"' in html and "Uppföljning 2011: Haninge" in html
    assert "Strategisk stadsdelsplan 2011: Jordbro" in html
    assert response.context["counts"]["done_late"] >= 1
    # In English the subjects are English too.
    client.cookies["django_language"] = "en"
    english = client.get("/plans/deadlines/", {"year": 2011}).content.decode()
    assert "Follow-up 2011: Haninge" in english and "Strategic district plan 2011: Jordbro" in english
    assert "Uppföljning" not in english and "Strategisk stadsdelsplan" not in english
