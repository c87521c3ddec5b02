"""Goals follow data on the plan page: per goal the latest figure and year with its unit, a small
trend chart, and achieved / on track / off track / no data by the follow-up report's rule."""

from __future__ import annotations

import pytest

from stadsdel.areas.models import District
from stadsdel.followup import compute as followup_compute
from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation
from stadsdel.plans import compute as plans_compute
from stadsdel.plans import services
from stadsdel.plans.models import GoalArea

INDICATOR = "employment_rate_20_64"


def test_the_report_and_the_plan_page_share_one_rule():
    assert followup_compute.goal_status is plans_compute.goal_status


@pytest.fixture
def plan_with_goals(haninge_user):
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    indicator = Indicator.objects.get(code=INDICATOR)
    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.CSV, source_name="test.csv")
    Observation.objects.bulk_create([
        Observation(indicator=indicator, level=Level.DISTRICT, unit_key=f"district:{jordbro.pk}", district=jordbro,
                    period=year, value=value, batch=batch)
        for year, value in ((2008, 60.0), (2009, 61.0), (2010, 62.0), (2011, 64.0))
    ])
    plan = services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    area = GoalArea.objects.get(programme=plan.programme, key="arbete")

    def goal(number, target, indicators):
        return services.goal_create(user=haninge_user, plan=plan, fields={
            "goal_area": area, "number": number, "text": f"Mål {number}", "baseline_value": 60.0,
            "baseline_year": 2008, "target_value": target, "target_year": 2014}, scope_districts=[jordbro],
            indicators=indicators)

    return plan, {"on": goal("1.1", 66.0, [indicator]), "off": goal("1.2", 80.0, [indicator]),
                  "done": goal("1.3", 63.0, [indicator]), "none": goal("1.4", 70.0, [])}


def test_each_goal_shows_latest_value_trend_and_status(client, haninge_user, plan_with_goals):
    plan, goals = plan_with_goals
    client.force_login(haninge_user)
    client.cookies["django_language"] = "en"
    html = client.get(plan.get_absolute_url()).content.decode()

    def block(goal):
        start = html.index(f'id="goal-progress-{goal.pk}"')
        return html[start:html.index("</div>", html.index("goal-status", start))]

    assert "status-on_track" in block(goals["on"]) and "2011" in block(goals["on"]) and "64.0" in block(goals["on"])
    assert "status-off_track" in block(goals["off"])
    assert "status-achieved" in block(goals["done"])
    assert "status-no_data" in block(goals["none"])
    on = html[html.index(f'id="goal-progress-{goals["on"].pk}"'):]
    assert "<svg" in on[:on.index("</article>")]  # the small trend chart
    none = html[html.index(f'id="goal-progress-{goals["none"].pk}"'):]
    assert "<svg" not in none[:none.index("</article>")]


def _form(plan, indicator, **extra):
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    data = {"goal_area": GoalArea.objects.get(programme=plan.programme, key="arbete").pk, "number": "1.9",
            "text": "Fler i arbete.", "scope_districts": [jordbro.pk], "indicator": indicator.pk,
            "baseline_year": "2009", "baseline_value": "", "target_value": "66", "target_year": "2014"}
    data.update(extra)
    return data


def test_the_goal_form_fills_the_baseline_from_the_stored_figure(client, haninge_user, plan_with_goals):
    plan, _goals = plan_with_goals
    indicator = Indicator.objects.get(code=INDICATOR)
    client.force_login(haninge_user)
    html = client.post(f"/plans/{plan.pk}/smart/", _form(plan, indicator), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="true"' in html and 'name="baseline_value"' in html and 'value="61.0"' in html
    assert 'id="baseline-check"' in html and "procent" in html


def test_a_typed_baseline_that_differs_is_shown_beside_the_stored_one(client, haninge_user, plan_with_goals):
    plan, _goals = plan_with_goals
    indicator = Indicator.objects.get(code=INDICATOR)
    client.force_login(haninge_user)
    html = client.post(f"/plans/{plan.pk}/smart/", _form(plan, indicator, baseline_value="55"),
                       HTTP_HX_REQUEST="true").content.decode()
    check = html[html.index('id="baseline-check"'):html.index("</div>", html.index('id="baseline-check"'))]
    assert "notice warning" in html[html.index('id="baseline-check"') - 60:html.index('id="baseline-check"')]
    assert "55,0" in check and "61,0" in check
    assert 'hx-swap-oob' not in html  # a typed baseline is never overwritten
    same = client.post(f"/plans/{plan.pk}/smart/", _form(plan, indicator, baseline_value="61"),
                       HTTP_HX_REQUEST="true").content.decode()
    assert "notice warning" not in same and 'id="baseline-check"' in same


def test_value_fields_say_their_unit(client, haninge_user, plan_with_goals):
    plan, goals = plan_with_goals
    client.force_login(haninge_user)
    html = client.get(f"/plans/{plan.pk}/goals/{goals['on'].pk}/").content.decode()
    assert "I procent, som indikatorn mäts." in html  # under the baseline and the target
    assert html.count("I procent, som indikatorn mäts.") == 2
