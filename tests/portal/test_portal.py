"""The public portal: published plans, reports, dialogues and the statistics catalogue, listed and
searchable by anyone; downloads well-formed; nothing unpublished listed or downloadable, even by
guessing its URL."""

from __future__ import annotations

import csv
import io
import json

import pytest

from stadsdel.areas.models import District, Municipality
from stadsdel.followup.models import FollowUpReport, NationalReport
from stadsdel.plans import services
from stadsdel.plans.models import GoalArea, ResidentDialogue
from stadsdel.plans.selectors import plan_snapshot
from stadsdel.portal.views import GOAL_COLUMNS


@pytest.fixture
def jordbro(db):
    return District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)


def _plan(user, district, year, *, title, published, goal_text):
    plan = services.plan_create(user=user, district=district, year=year, period_end=2014, title=title)
    area = GoalArea.objects.get(programme__key=services.NATIONAL_PROGRAMME, key="utbildning")
    services.goal_create(user=user, plan=plan, fields={"goal_area": area, "number": "2.1", "title": "Behörighet",
                                                      "text": goal_text, "baseline_value": 70.0,
                                                      "baseline_year": 2010, "target_value": 80.0,
                                                      "target_year": 2014},
                         scope_districts=[district])
    return services.plan_update(user=user, plan=plan, version=plan.version, fields={"published": published})


@pytest.fixture
def published_plan(haninge_user, jordbro):
    return _plan(haninge_user, jordbro, 2011, title="Jordbroplanen 2011", published=True,
                 goal_text="Fler elever i Jordbro blir behöriga till gymnasiet.")


@pytest.fixture
def draft_plan(haninge_user, jordbro):
    return _plan(haninge_user, jordbro, 2012, title="Hemligt utkast 2012", published=False,
                 goal_text="Ett mål som ännu inte är beslutat.")


@pytest.fixture
def dialogues(haninge_user, jordbro, published_plan, draft_plan):
    haninge = Municipality.objects.get(code="0136")
    shown = services.dialogue_create(
        user=haninge_user, municipality=haninge, districts=[jordbro],
        goals=[published_plan.goals.get(), draft_plan.goals.get()],
        fields={"title": "Boendedialog om skolan", "held_on": "2011-09-01", "themes": "Läxhjälp",
                "outcome": "Läxhjälp på biblioteket.", "published": True},
    )
    hidden = services.dialogue_create(
        user=haninge_user, municipality=haninge,
        fields={"title": "Opublicerad dialog", "held_on": "2011-10-01", "published": False},
    )
    return shown, hidden


def test_published_material_is_listed_for_anyone(client, published_plan, draft_plan, dialogues):
    FollowUpReport.objects.create(municipality=published_plan.district.municipality, year=2011, published=True)
    FollowUpReport.objects.create(municipality=Municipality.objects.get(code="1280"), year=2011, published=False)
    NationalReport.objects.create(year=2011, published=True)
    NationalReport.objects.create(year=2012, published=False)
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="portal-plan-{published_plan.pk}"' in html and "Fler elever i Jordbro" in html
    assert f"/portal/plans/{published_plan.pk}.json" in html and f"/portal/plans/{published_plan.pk}/goals.csv" in html
    assert "Hemligt utkast" not in html and "ännu inte är beslutat" not in html
    assert f"/portal/plans/{draft_plan.pk}" not in html
    shown, hidden = dialogues
    assert f'id="portal-dialogue-{shown.pk}"' in html and f'id="portal-dialogue-{hidden.pk}"' not in html
    assert "Opublicerad dialog" not in html
    assert "Haninge 2011" in html and "Malmö 2011" not in html
    reports = html.split('id="portal-national"')[1].split("</section>")[0]
    assert "2011" in reports and "2012" not in reports
    assert "/statistics/indicators/employment_rate_20_64/" in html


def test_search_is_one_case_insensitive_box(client, published_plan, draft_plan, dialogues):
    by_goal = client.get("/portal/", {"q": "GYMNASIET"}).content.decode()
    assert f'id="portal-plan-{published_plan.pk}"' in by_goal and "Boendedialog om skolan" not in by_goal
    by_district = client.get("/portal/", {"q": "jordbro"}).content.decode()
    assert f'id="portal-plan-{published_plan.pk}"' in by_district and "Boendedialog om skolan" in by_district
    # Non-ASCII case folding (SQLite's LIKE folds only ASCII on its own).
    assert "Boendedialog om skolan" in client.get("/portal/", {"q": "LÄXHJÄLP"}).content.decode()
    unpublished = client.get("/portal/", {"q": "utkast"}).content.decode()
    assert "Hemligt utkast" not in unpublished and 'id="portal-found"' in unpublished
    assert "Opublicerad" not in client.get("/portal/", {"q": "opublicerad"}).content.decode()
    statistics = client.get("/portal/", {"q": "employment_rate"}).content.decode()
    assert "employment_rate_20_64" in statistics


def test_unpublished_items_are_not_downloadable(client, draft_plan, dialogues):
    assert client.get(f"/portal/plans/{draft_plan.pk}.json").status_code == 404
    assert client.get(f"/portal/plans/{draft_plan.pk}/goals.csv").status_code == 404
    assert client.get("/portal/plans/999999.json").status_code == 404
    assert client.get(f"/portal/dialogues/{dialogues[1].pk}.json").status_code == 404


def test_a_draft_open_for_comment_is_listed_for_comment_only(client, haninge_user, draft_plan):
    services.plan_update(user=haninge_user, plan=draft_plan, version=draft_plan.version,
                         fields={"comments_open": True})
    html = client.get("/portal/").content.decode()
    section = html.split('id="portal-open-plans"')[1].split("</section>")[0]
    assert f"/plans/{draft_plan.pk}/comments/" in section
    assert f"/portal/plans/{draft_plan.pk}" not in html
    assert client.get(f"/portal/plans/{draft_plan.pk}.json").status_code == 404


def test_plan_json_download(client, published_plan):
    response = client.get(f"/portal/plans/{published_plan.pk}.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content.decode("utf-8"))
    assert data["id"] == published_plan.pk and data["municipality_code"] == "0136" and data["district"] == "Jordbro"
    assert data["goals"] == plan_snapshot(plan=published_plan)["goals"]
    assert data["goals"][0]["text"] == "Fler elever i Jordbro blir behöriga till gymnasiet."


def test_plan_goals_csv_download(client, published_plan):
    response = client.get(f"/portal/plans/{published_plan.pk}/goals.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert len(rows) == 1 and tuple(rows[0]) == GOAL_COLUMNS
    row = rows[0]
    assert row["goal_area"] == "utbildning" and row["number"] == "2.1" and row["scope"] == "Jordbro"
    assert float(row["baseline_value"]) == 70.0 and int(row["target_year"]) == 2014 and row["accepted_on"] == ""


def test_dialogue_json_leaves_out_draft_goals(client, dialogues):
    shown, _hidden = dialogues
    response = client.get(f"/portal/dialogues/{shown.pk}.json")
    assert response.status_code == 200
    data = json.loads(response.content.decode("utf-8"))
    assert data["title"] == "Boendedialog om skolan" and data["districts"] == ["Jordbro"]
    assert data["held_on"] == "2011-09-01"
    assert [g["text"] for g in data["goals"]] == ["Fler elever i Jordbro blir behöriga till gymnasiet."]
    assert ResidentDialogue.objects.get(pk=shown.pk).goals.count() == 2


def test_portal_is_in_the_navigation_and_needs_no_login(client, db):
    response = client.get("/portal/")
    assert response.status_code == 200 and 'href="/portal/" aria-current="page"' in response.content.decode()
    assert 'href="/portal/"' in client.get("/").content.decode()
