"""Reads of plans and programme goals, through the user's scope: a municipality reads its own
plans, the ministry reads every submitted or received plan, anyone reads published plans. Also
residents' participation: dialogues (published ones are public) and comments on plans (only
approved ones are public)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy

from stadsdel.accounts.scoping import scope_for, visible_q
from stadsdel.agreements.models import Organisation
from stadsdel.agreements.selectors import agreement_list, district_list_in_force
from stadsdel.areas.models import Municipality
from stadsdel.indicators.models import Dimension, Indicator, Level, Observation
from stadsdel.plans.compute import goal_status
from stadsdel.plans.deadlines import Deadline, deadline_on, deadline_status
from stadsdel.plans.diff import goals_diff
from stadsdel.plans.models import (
    NATIONAL_PROGRAMME,
    DistrictPlan,
    Goal,
    GoalArea,
    PlanComment,
    Programme,
    ResidentDialogue,
    Responsibility,
)


def plan_list(*, user) -> QuerySet[DistrictPlan]:
    scope = scope_for(user)
    qs = DistrictPlan.objects.select_related("district__municipality", "programme")
    visible = Q(published=True)
    if scope.national:
        visible |= Q(status__in=[DistrictPlan.Status.SUBMITTED, DistrictPlan.Status.RECEIVED])
    if scope.municipality_ids:
        visible |= Q(district__municipality_id__in=scope.municipality_ids)
    return qs.filter(visible)


def goal_list(*, user) -> QuerySet[Goal]:
    """Goals the user may read: those of the plans they may read, and programme goals (a
    programme is public)."""
    return Goal.objects.filter(Q(plan__isnull=True) | Q(plan__in=plan_list(user=user)))


def plan_get(*, user, pk: int) -> DistrictPlan:
    """One plan the user may read (DoesNotExist otherwise, so a page answers 404 and does not
    reveal that the plan exists)."""
    return plan_list(user=user).get(pk=pk)


def plan_goals(*, plan: DistrictPlan) -> QuerySet[Goal]:
    return plan.goals.select_related("goal_area", "follow_up").prefetch_related(
        "scope_districts", "indicators", "commitments",
        Prefetch("responsibilities", queryset=Responsibility.objects.select_related("organisation")),
        "sub_commitments__responsibilities__organisation", "activities__responsible",
    ).order_by("goal_area__position", "position", "number")


def goal_record(goal: Goal) -> dict:
    """A goal as plain data: what a submission keeps and the diff compares."""
    return {
        "goal_area": goal.goal_area.key,
        "number": goal.number,
        "title": goal.title,
        "text": goal.text,
        "scope": sorted(d.name for d in goal.scope_districts.all()),
        "population_group": goal.population_group,
        "indicators": sorted(i.code for i in goal.indicators.all()),
        "baseline_value": goal.baseline_value,
        "baseline_year": goal.baseline_year,
        "target_value": goal.target_value,
        "target_year": goal.target_year,
        "responsible": [r.organisation.name for r in goal.responsibilities.all()],
        "accepted_by": goal.accepted_by,
        "accepted_on": goal.accepted_on.isoformat() if goal.accepted_on else None,
        "follow_up": goal.follow_up.name if goal.follow_up else None,
        "sub_commitments": [s.text for s in goal.sub_commitments.all()],
        "activities": [a.text for a in goal.activities.all()],
    }


def plan_snapshot(*, plan: DistrictPlan) -> dict:
    return {
        "title": plan.title,
        "year": plan.year,
        "period_end": plan.period_end,
        "summary": plan.summary,
        "goals": [goal_record(g) for g in plan_goals(plan=plan)],
    }


def plan_changes_since_submission(*, plan: DistrictPlan):
    """The goals' changes between the submitted snapshot and today (empty before submission)."""
    if not plan.submitted_snapshot:
        return []
    return goals_diff(plan.submitted_snapshot["goals"], plan_snapshot(plan=plan)["goals"])


def deadline_years(*, user) -> list[int]:
    """Every year with an agreement in force that the user may read, oldest first: the years the
    deadlines page offers."""
    years: set[int] = set()
    for start, end in agreement_list(user=user).values_list("period_start__year", "period_end__year"):
        years.update(range(start, end + 1))
    return sorted(years)


def deadline_default_year(*, user, today) -> int:
    """The year the deadlines page opens on: the current year if agreements are in force in it,
    else the latest earlier year that has some (an empty current year shows nothing useful), else
    the first year with agreements; the current year when there are none at all."""
    years = deadline_years(user=user)
    if not years:
        return today.year
    earlier = [y for y in years if y <= today.year]
    return earlier[-1] if earlier else years[0]


def plan_deadlines(*, user, year: int, today, municipality_code: str | None = None, with_reports: bool = False,
                   reports_submitted: dict[int, dt.date] | None = None):
    """Every district under an agreement in force in `year` that the user may read owes a plan
    for that year by the programme's plan deadline; with `with_reports`, every such municipality
    also owes its follow-up by the report deadline, done on the date in `reports_submitted`
    (municipality id → date submitted; the follow-up reports live in an app above this one, so
    the caller reads them)."""
    programme = Programme.objects.get(key=NATIONAL_PROGRAMME)
    municipality = Municipality.objects.filter(code=municipality_code).first() if municipality_code else None
    districts = list(district_list_in_force(user=user, year=year, municipality=municipality))
    plans = {
        p.district_id: p for p in plan_list(user=user).filter(year=year, district__in=districts)
    }
    items = []
    due = deadline_on(programme.plan_deadline or "12-31", year)
    for district in sorted(districts, key=lambda d: (d.municipality.name, d.name)):
        plan = plans.get(district.pk)
        done = plan.submitted_at.date() if plan is not None and plan.submitted_at else None
        items.append(Deadline(
            "plan", year, due, district.municipality.name,
            gettext("Strategic district plan %(year)s: %(district)s") % {"year": year, "district": district.name}, done,
            deadline_status(due=due, done_on=done, today=today), plan.get_absolute_url() if plan else "",
            ref=f"plan:{district.pk}", district=district.name,
        ))
    if with_reports and programme.report_deadline:
        report_due = deadline_on(programme.report_deadline, year)
        submitted = reports_submitted or {}
        for m in sorted({d.municipality for d in districts}, key=lambda m: m.name):
            done = submitted.get(m.pk)
            subject = gettext("Follow-up %(year)s: %(name)s") % {"year": year, "name": m.name}
            items.append(Deadline("report", year, report_due, m.name, subject, done,
                                  deadline_status(due=report_due, done_on=done, today=today),
                                  reverse("followup:report_detail", args=[m.code, year]), ref=f"report:{m.code}"))
    # Per municipality in the order they fall due: the follow-up (1 December), then the plans.
    return sorted(items, key=lambda d: (d.municipality, d.due, d.subject))


# -- the national programme's names for the statistics -------------------------------------------


def goal_areas_by_key() -> dict[str, GoalArea]:
    """The national programme's goal areas (arbete, utbildning, trygghet, tillväxt) by key, for
    naming an indicator's goal areas in the page's language."""
    return {a.key: a for a in GoalArea.objects.filter(programme__key=NATIONAL_PROGRAMME)}


# Seed 000's seven statements in English, for pages in English (the seed states them in Swedish).
DIMENSION_STATEMENTS = {
    Dimension.EMPLOYMENT: gettext_lazy("The employment rate is lower"),
    Dimension.SOCIAL_ASSISTANCE: gettext_lazy("Dependence on social assistance is greater"),
    Dimension.EDUCATION: gettext_lazy("The level of education is lower"),
    Dimension.SCHOOL_RESULTS: gettext_lazy("The children's results at school are worse"),
    Dimension.SAFETY: gettext_lazy("Perceived safety is worse"),
    Dimension.DEMOCRACY: gettext_lazy("Perceived democracy and participation are worse"),
    Dimension.HEALTH: gettext_lazy("Health is worse"),
}


def dimension_labels() -> dict[str, str]:
    """Each dimension's text as seed 000 states it ("Sysselsättningsgraden är lägre"), else the
    dimension's name; for `indicators.page_selectors.district_profile`. In another language than
    Swedish the statements in that language (the seed's text is Swedish)."""
    labels = {key: str(label) for key, label in Dimension.choices}
    if not (get_language() or "sv").startswith("sv"):
        return {**labels, **{key: str(text) for key, text in DIMENSION_STATEMENTS.items()}}
    programme = Programme.objects.filter(key=NATIONAL_PROGRAMME).only("exclusion_dimensions").first()
    if programme is not None:
        for entry in programme.exclusion_dimensions or []:
            if entry.get("key") and entry.get("text"):
                labels[entry["key"]] = entry["text"]
    return labels


# -- residents' participation ---------------------------------------------------------------------


def dialogue_list(*, user, municipality_id: int | None = None) -> QuerySet[ResidentDialogue]:
    """Dialogues the user may read: published ones, their own municipality's, or (the ministry)
    all."""
    qs = ResidentDialogue.objects.select_related("municipality", "organiser").prefetch_related("districts")
    visible = visible_q(scope_for(user), municipality_field="municipality_id", public=Q(published=True))
    if visible is not None:
        qs = qs.filter(visible)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    return qs


def dialogue_get(*, user, pk: int) -> ResidentDialogue:
    """One dialogue the user may read (DoesNotExist otherwise)."""
    return dialogue_list(user=user).get(pk=pk)


def dialogue_goals(*, user, dialogue: ResidentDialogue) -> QuerySet[Goal]:
    """The goals a dialogue fed that the user may read: a published dialogue can name a goal of a
    plan that is still a draft, and that goal stays out of sight until its plan is published."""
    return dialogue.goals.filter(Q(plan__isnull=True) | Q(plan__in=plan_list(user=user))).select_related(
        "plan__district", "programme", "goal_area",
    ).order_by("plan__district__name", "-plan__year", "goal_area__position", "position", "number")


def dialogue_goal_choices(*, municipality_id: int) -> QuerySet[Goal]:
    """The goals a municipality's dialogue can feed: its plans' goals, and the goals of its own
    programmes (e.g. Stockholm's)."""
    return Goal.objects.filter(
        Q(plan__district__municipality_id=municipality_id)
        | Q(plan__isnull=True, programme__municipality_id=municipality_id),
    ).select_related("plan__district", "programme", "goal_area").order_by(
        "plan__district__name", "-plan__year", "programme__name", "goal_area__position", "position", "number",
    )


def dialogue_organiser_choices(*, municipality_id: int) -> QuerySet[Organisation]:
    """The organisations a municipality's dialogue may name as its organiser."""
    # Dialogues are held by the municipality's own bodies or with residents' organisations,
    # associations, housing companies and the partners.
    return Organisation.objects.filter(
        Q(municipality_id=municipality_id)
        | Q(kind__in=[Organisation.Kind.RESIDENTS_ORGANISATION, Organisation.Kind.ASSOCIATION,
                      Organisation.Kind.PROPERTY_OWNER, Organisation.Kind.STATE_AGENCY, Organisation.Kind.REGION]),
    ).order_by("name")


def plan_commentable_get(*, pk: int) -> DistrictPlan:
    """A plan whose public comment page anyone may open: one open for comments (a draft published
    for consultation) or a published one (its approved comments stay readable after comments
    close). DoesNotExist otherwise."""
    return DistrictPlan.objects.select_related("district__municipality", "programme").filter(
        Q(comments_open=True) | Q(published=True),
    ).get(pk=pk)


def plans_open_for_comment(*, municipality_id: int | None = None) -> QuerySet[DistrictPlan]:
    qs = DistrictPlan.objects.filter(comments_open=True).select_related("district__municipality")
    if municipality_id is not None:
        qs = qs.filter(district__municipality_id=municipality_id)
    return qs


def comments_public(*, plan: DistrictPlan) -> QuerySet[PlanComment]:
    """What anyone sees of a plan's comments: the approved ones, with the municipality's answers."""
    return plan.comments.filter(status=PlanComment.Status.APPROVED).order_by("created_at", "pk")


def comments_for_moderation(*, plan: DistrictPlan) -> QuerySet[PlanComment]:
    """Every comment on a plan, those awaiting moderation first (callers check the moderator's
    scope: the plan's municipality)."""
    pending_first = Case(When(status=PlanComment.Status.PENDING, then=Value(0)), default=Value(1))
    return plan.comments.select_related("moderated_by", "answered_by").order_by(pending_first, "created_at", "pk")


def goal_progress(*, plan: DistrictPlan, goals) -> dict[int, dict]:
    """Per goal of the plan: its first indicator, that indicator's stored yearly series in the
    plan's district (both sexes), and where the goal stands by the follow-up report's rule
    (`compute.goal_status`: achieved, on track, off track or no data). One query for every goal's
    series."""
    goals = list(goals)
    first = {g.pk: next(iter(g.indicators.all()), None) for g in goals}
    series: dict[int, list[tuple[int, float | None]]] = {}
    for indicator_id, period, value in Observation.objects.filter(
        indicator__in={i.pk for i in first.values() if i is not None}, level=Level.DISTRICT,
        district_id=plan.district_id, sex="T",
    ).order_by("period").values_list("indicator_id", "period", "value"):
        series.setdefault(indicator_id, []).append((period, value))
    out = {}
    for goal in goals:
        indicator = first[goal.pk]
        observed = series.get(indicator.pk, []) if indicator is not None else []
        out[goal.pk] = {
            "indicator": indicator, "series": observed,
            "status": goal_status(
                baseline_year=goal.baseline_year, baseline_value=goal.baseline_value,
                target_year=goal.target_year, target_value=goal.target_value, observations=observed,
                higher_is_better=indicator is None or indicator.direction == Indicator.Direction.HIGHER_BETTER),
        }
    return out


def stored_baseline(*, indicator, districts, year: int | None) -> dict | None:
    """The stored figure a goal's baseline should be: the indicator's value in the goal's one
    district (the plan's district when the scope names none or several) in the baseline year,
    both sexes. None when there is no indicator or year, or no figure is stored."""
    if indicator is None or year is None:
        return None
    districts = list(districts)
    if len(districts) != 1:
        return None
    district = districts[0]
    value = Observation.objects.filter(indicator=indicator, level=Level.DISTRICT, district=district, period=year,
                                       sex="T").values_list("value", flat=True).first()
    if value is None:
        return None
    return {"value": value, "year": year, "district": district.name, "unit": indicator.get_unit_display(),
            "decimals": indicator.decimals}
