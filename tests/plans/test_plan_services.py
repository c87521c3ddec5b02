"""District plans: creation, edit rights, the stale-version refusal, the status steps, the
submitted snapshot and its diff, and revision into a new version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District
from stadsdel.core.versions import StaleVersionError
from stadsdel.indicators.models import Indicator
from stadsdel.plans import services
from stadsdel.plans.models import DistrictPlan, GoalArea
from stadsdel.plans.selectors import plan_changes_since_submission, plan_get, plan_list


@pytest.fixture
def jordbro(db):
    return District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)


@pytest.fixture
def plan(haninge_user, jordbro):
    return services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)


def arbete():
    return GoalArea.objects.get(programme__key=services.NATIONAL_PROGRAMME, key="arbete")


@pytest.fixture
def goal(haninge_user, plan, jordbro):
    return services.goal_create(
        user=haninge_user, plan=plan,
        fields={"goal_area": arbete(), "number": "1.1", "text": "Fler i arbete i Jordbro.", "baseline_value": 61.0,
                "baseline_year": 2010, "target_value": 66.0, "target_year": 2014, "accepted_by": "Kommunstyrelsen",
                "accepted_on": dt.date(2011, 3, 1)},
        scope_districts=[jordbro], indicators=[Indicator.objects.get(code="employment_rate_20_64")],
        responsible=[Organisation.objects.get(key="haninge_kommun"), Organisation.objects.get(key="arbetsformedlingen")],
    )


def test_create_and_goal(plan, goal):
    assert plan.status == DistrictPlan.Status.DRAFT and plan.plan_version == 1
    assert [r.organisation.key for r in goal.responsibilities.all()] == ["haninge_kommun", "arbetsformedlingen"]
    assert goal.programme.key == services.NATIONAL_PROGRAMME


@pytest.mark.parametrize("who", ["malmo_user", "agency_user", "ministry_user", "analyst_user"])
def test_only_the_municipality_edits_its_plans(request, plan, goal, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.plan_update(user=user, plan=plan, version=plan.version, fields={"title": "Kapad"})
    with pytest.raises(PermissionDenied):
        services.goal_update(user=user, goal=goal, version=goal.version, fields={"text": "Kapad"})
    with pytest.raises(PermissionDenied):
        services.goal_create(user=user, plan=plan, fields={"goal_area": arbete(), "number": "9.9", "text": "x"})
    with pytest.raises(PermissionDenied):
        services.plan_transition(user=user, plan=plan, to=DistrictPlan.Status.ADOPTED)
    plan.refresh_from_db()
    goal.refresh_from_db()
    assert plan.title.startswith("Strategisk stadsdelsplan") and goal.text == "Fler i arbete i Jordbro."


def test_a_stale_save_is_refused(haninge_user, goal):
    loaded = goal.version
    services.goal_update(user=haninge_user, goal=goal, version=loaded, fields={"target_value": 67.0})
    with pytest.raises(StaleVersionError):
        services.goal_update(user=haninge_user, goal=goal, version=loaded, fields={"target_value": 70.0})
    goal.refresh_from_db()
    assert goal.target_value == 67.0


def test_goal_districts_must_be_the_municipalitys(haninge_user, plan):
    rosengard = District.objects.get(name="Rosengård", kind=District.Kind.DISTRICT)
    with pytest.raises(PermissionDenied):
        services.goal_create(user=haninge_user, plan=plan, fields={"goal_area": arbete(), "number": "1.2", "text": "x"},
                             scope_districts=[rosengard])


def test_status_steps_snapshot_and_diff(haninge_user, ministry_user, plan, goal):
    with pytest.raises(ValidationError):
        services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.SUBMITTED)  # not adopted yet
    services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.ADOPTED)
    services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.SUBMITTED)
    assert plan.submitted_by == haninge_user and plan.submitted_at is not None
    assert [g["number"] for g in plan.submitted_snapshot["goals"]] == ["1.1"]
    # The municipality cannot receive its own plan; the ministry can.
    with pytest.raises(PermissionDenied):
        services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.RECEIVED)
    services.plan_transition(user=ministry_user, plan=plan, to=DistrictPlan.Status.RECEIVED)
    assert plan.received_by == ministry_user
    assert plan_changes_since_submission(plan=plan) == []
    # Changed after submission: the diff shows the old and new target and the added goal.
    goal.refresh_from_db()
    services.goal_update(user=haninge_user, goal=goal, version=goal.version, fields={"target_value": 70.0})
    services.goal_create(user=haninge_user, plan=plan, fields={"goal_area": arbete(), "number": "1.2", "text": "Ny"})
    plan.refresh_from_db()
    changes = {c.key: c for c in plan_changes_since_submission(plan=plan)}
    assert changes["arbete 1.1"].kind == "changed"
    assert changes["arbete 1.1"].fields == [("target_value", 66.0, 70.0)]
    assert changes["arbete 1.2"].kind == "added"
    assert plan.submitted_snapshot["goals"][0]["target_value"] == 66.0  # what the ministry received


def test_revise_copies_into_a_new_version_and_keeps_the_old(haninge_user, plan, goal):
    new = services.plan_revise(user=haninge_user, plan=plan, year=2012)
    assert (new.year, new.plan_version, new.previous_id, new.status) == (2012, 2, plan.pk, DistrictPlan.Status.DRAFT)
    assert new.title.endswith("2012")
    copied = new.goals.get()
    assert copied.pk != goal.pk and copied.text == goal.text and copied.target_value == 66.0
    assert [r.organisation.key for r in copied.responsibilities.all()] == ["haninge_kommun", "arbetsformedlingen"]
    assert list(copied.indicators.values_list("code", flat=True)) == ["employment_rate_20_64"]
    services.goal_update(user=haninge_user, goal=copied, version=copied.version, fields={"target_value": 68.0})
    goal.refresh_from_db()
    assert goal.target_value == 66.0  # the old version is intact
    with pytest.raises(ValidationError):
        services.plan_revise(user=haninge_user, plan=plan, year=2013)  # already revised
    with pytest.raises(ValidationError):
        services.plan_revise(user=haninge_user, plan=new, year=2012)  # not a later year


def test_who_reads_which_plans(haninge_user, malmo_user, ministry_user, plan):
    assert plan in plan_list(user=haninge_user)
    assert plan not in plan_list(user=malmo_user)
    assert plan not in plan_list(user=ministry_user)  # a draft is the municipality's own
    services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.ADOPTED)
    services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.SUBMITTED)
    assert plan_get(user=ministry_user, pk=plan.pk) == plan
    assert plan not in plan_list(user=None)
    services.plan_update(user=haninge_user, plan=plan, version=plan.version, fields={"published": True})
    assert plan in plan_list(user=None) and plan in plan_list(user=malmo_user)
