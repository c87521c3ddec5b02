"""The plan pages: who may see and change what, the goal form with its SMART result, the
status steps, the programme's goals by responsible body, and the deadlines with their feed."""

from __future__ import annotations

import pytest

from stadsdel.areas.models import District
from stadsdel.plans import services
from stadsdel.plans.models import DistrictPlan, GoalArea


@pytest.fixture
def plan(haninge_user):
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    return services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)


def goal_post(plan, **extra):
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    area = GoalArea.objects.get(programme=plan.programme, key="arbete")
    data = {"goal_area": area.pk, "number": "1.1", "text": "Fler i arbete.", "scope_districts": [jordbro.pk],
            "baseline_value": "61", "baseline_year": "2010", "target_value": "66", "target_year": "2014",
            "accepted_by": "Kommunstyrelsen", "accepted_on": "2011-03-01"}
    data.update(extra)
    return data


def test_coordinator_writes_a_goal_and_sees_its_smart_result(client, haninge_user, plan):
    client.force_login(haninge_user)
    assert client.get(f"/plans/{plan.pk}/goals/new/").status_code == 200
    preview = client.post(f"/plans/{plan.pk}/smart/", goal_post(plan), HTTP_HX_REQUEST="true")
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="smart-result"' in html and 'data-letter="S"' in html
    assert 'class="smart-pass" data-letter="S"' in html  # a scope and a goal area
    assert 'class="smart-fail" data-letter="A"' in html  # no responsible body yet
    response = client.post(f"/plans/{plan.pk}/goals/new/", goal_post(plan))
    assert response.status_code == 302
    goal = plan.goals.get()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f'id="goal-{goal.pk}"' in page and 'data-letter="T"' in page
    # A stale save is refused with 409 and the goal is unchanged.
    stale = client.post(f"/plans/{plan.pk}/goals/{goal.pk}/", goal_post(plan, target_value="70", version=goal.version))
    assert stale.status_code == 302
    conflict = client.post(f"/plans/{plan.pk}/goals/{goal.pk}/", goal_post(plan, target_value="80", version=goal.version))
    assert conflict.status_code == 409
    goal.refresh_from_db()
    assert goal.target_value == 70


@pytest.mark.parametrize("who", ["malmo_user", "agency_user", "ministry_user"])
def test_others_cannot_change_the_plan(client, request, plan, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/plans/{plan.pk}/goals/new/").status_code in (403, 404)
    response = client.post(f"/plans/{plan.pk}/goals/new/", goal_post(plan))
    assert response.status_code in (403, 404)
    assert client.post(f"/plans/{plan.pk}/status/", {"to": "adopted"}).status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.status == DistrictPlan.Status.DRAFT and not plan.goals.exists()


def test_anonymous_is_sent_to_sign_in_and_sees_no_draft(client, plan):
    assert client.get(plan.get_absolute_url()).status_code == 404
    response = client.post(f"/plans/{plan.pk}/goals/new/", goal_post(plan))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_status_steps_through_the_page(client, haninge_user, ministry_user, plan):
    client.force_login(haninge_user)
    client.post(f"/plans/{plan.pk}/status/", {"to": "adopted"})
    client.post(f"/plans/{plan.pk}/status/", {"to": "submitted"})
    plan.refresh_from_db()
    assert plan.status == DistrictPlan.Status.SUBMITTED
    client.force_login(ministry_user)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="plan-step"' in page  # the ministry may receive it
    client.post(f"/plans/{plan.pk}/status/", {"to": "received"})
    plan.refresh_from_db()
    assert plan.status == DistrictPlan.Status.RECEIVED and plan.received_by == ministry_user
    assert 'id="as-submitted"' in client.get(plan.get_absolute_url()).content.decode()


def test_programme_goals_by_responsible_body(client, db):
    response = client.get("/plans/programmes/stockholm_sammanhallen_stad_2015_2020/")
    assert response.status_code == 200
    bodies = response.context["bodies"]
    assert bodies.exists()
    body = bodies.first()
    filtered = client.get("/plans/programmes/stockholm_sammanhallen_stad_2015_2020/", {"responsible": body.key})
    shown = [g for _area, goals in filtered.context["areas"] for g in goals]
    assert shown and all(
        g.responsibilities.filter(organisation=body).exists()
        or g.sub_commitments.filter(responsibilities__organisation=body).exists() for g in shown)


def test_deadlines_and_feed(client, haninge_user, plan):
    client.force_login(haninge_user)
    response = client.get("/plans/deadlines/", {"year": 2011})
    assert response.status_code == 200
    jordbro = [d for d in response.context["items"] if d.subject.endswith("Jordbro")]
    assert len(jordbro) == 1 and jordbro[0].status == "overdue" and jordbro[0].url == plan.get_absolute_url()
    feed = client.get("/plans/deadlines.ics")
    assert feed["Content-Type"].startswith("text/calendar")
    assert feed.content.decode().startswith("BEGIN:VCALENDAR\r\n")
