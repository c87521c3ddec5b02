"""Follow-up of granted projects: due after the period, reported with results against the
indicators and a plan for implementation; overdue ones listed; the results feed the district
follow-up report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stadsdel.funding import selectors, services
from stadsdel.funding.models import FollowUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(fund_world, make_app, approve):
    app = make_app(submit=True, amount=200_000)
    for who in ("steering", "committee", "board"):
        approve(fund_world, app, who)
    return app


def test_a_grant_creates_a_follow_up_due_after_the_period(granted, fund_world):
    follow_up = granted.follow_ups.get()
    assert follow_up.due_on == granted.period_end + dt.timedelta(days=fund_world["fund"].follow_up_days)


def test_overdue_follow_ups_are_listed_and_leave_the_list_when_reported(granted, fund_world):
    follow_up = granted.follow_ups.get()
    later = follow_up.due_on + dt.timedelta(days=1)
    board = fund_world["board"]
    assert list(selectors.followups_overdue(user=board, today=later)) == [follow_up]
    assert list(selectors.followups_overdue(user=board, today=follow_up.due_on)) == []
    result = granted.expected_results.get()
    services.followup_submit(user=fund_world["applicant"], follow_up=follow_up, version=follow_up.version,
                             results="62 % godkända.", implementation_plan="Ingår i skolans budget från 2027.",
                             values={result.pk: (62.0, "Under målet")})
    assert list(selectors.followups_overdue(user=board, today=later)) == []
    assert FollowUp.objects.get(pk=follow_up.pk).result_reports.get().value == 62.0


def test_a_follow_up_needs_a_plan_for_implementation_and_the_applicant(granted, fund_world):
    follow_up = granted.follow_ups.get()
    with pytest.raises(ValidationError, match="implementation"):
        services.followup_submit(user=fund_world["applicant"], follow_up=follow_up, version=follow_up.version,
                                 results="Bra.", implementation_plan=" ")
    with pytest.raises(PermissionDenied):
        services.followup_submit(user=fund_world["board"], follow_up=follow_up, version=follow_up.version,
                                 results="Bra.", implementation_plan="Ja.")


def test_the_overdue_list_page(client, granted, fund_world):
    FollowUp.objects.filter(application=granted).update(due_on=dt.date(2000, 1, 1))
    client.force_login(fund_world["board"])
    page = client.get("/funding/follow-ups/").content.decode()
    assert granted.title in page.split('id="overdue-table"')[1].split("</table>")[0]


def test_funded_projects_feed_the_district_follow_up_report(granted, fund_world):
    from stadsdel.followup.content import followup_content

    follow_up = granted.follow_ups.get()
    result = granted.expected_results.get()
    services.followup_submit(user=fund_world["applicant"], follow_up=follow_up, version=follow_up.version,
                             results="62 % godkända.", implementation_plan="Ingår i ordinarie budget.",
                             values={result.pk: (62.0, "")})
    content = followup_content(municipality=fund_world["fund"].municipality, year=fund_world["year"], public=True)
    [project] = content.funded_projects
    assert project.application == granted and project.follow_up == follow_up
    assert project.results[0][1].value == 62.0
