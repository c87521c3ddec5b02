"""Reads of project funds through the user's rights (`funding.rights`): funds and their budget
use, applications, the decision queue of a user's organisations, overdue follow-ups, the SMART
check of expected results, and the funded projects a municipality's follow-up report shows."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext

from stadsdel.funding import rights
from stadsdel.funding.models import Application, ChainStep, Decision, FollowUp, Fund, FundRound
from stadsdel.indicators.models import Indicator
from stadsdel.plans.compute import GoalInput, smart_check
from stadsdel.plans.models import Goal
from stadsdel.plans.selectors import goal_list
from stadsdel.plans.smart import smart_history


def fund_list() -> QuerySet[Fund]:
    # A fund, its rounds, guidance and budget use are public: anyone may apply, and how the money
    # is spent is a matter of transparency (seed 004).
    return Fund.objects.select_related("owner", "municipality", "programme").order_by("name")


def application_list(*, user, fund: Fund | None = None, status: str | None = None) -> QuerySet[Application]:
    q = rights.visible_applications_q(user=user)
    if q is None:
        return Application.objects.none()
    qs = Application.objects.filter(pk__in=Application.objects.filter(q).values("pk"))
    if fund is not None:
        qs = qs.filter(round__fund=fund)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("round__fund", "area__committee", "applicant", "current_step").prefetch_related(
        "budget_lines").order_by("-created_at")


def application_get(*, user, pk: int) -> Application:
    """Raises Application.DoesNotExist when it does not exist or the user may not read it."""
    return application_list(user=user).prefetch_related(
        "budget_lines", "expected_results__indicator", "attachments", "districts", "goals",
    ).get(pk=pk)


def decision_queue(*, user) -> list[Application]:
    """The applications at a step one of the user's organisations decides."""
    orgs = rights.decision_organisation_ids(user=user)
    if not orgs:
        return []
    candidates = Application.objects.filter(status=Application.Status.IN_REVIEW).filter(
        Q(current_step__organisation_id__in=orgs)
        | Q(current_step__body=ChainStep.Body.AREA_COMMITTEE, area__committee_id__in=orgs)
        | Q(current_step__body=ChainStep.Body.AREA_STEERING_GROUP, area__steering_group_id__in=orgs)
    ).select_related(
        "round__fund", "area__committee", "area__steering_group", "applicant", "current_step__organisation",
    ).prefetch_related("budget_lines").order_by("submitted_at")
    return list(candidates)


def followups_overdue(*, user, today: dt.date | None = None) -> QuerySet[FollowUp]:
    today = today or timezone.localdate()
    return FollowUp.objects.filter(
        application__in=application_list(user=user), submitted_at__isnull=True, due_on__lt=today,
    ).select_related("application__applicant", "application__round__fund").order_by("due_on")


def followups_for(*, user) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(application__in=application_list(user=user)).select_related(
        "application__applicant", "application__round__fund").order_by("due_on")


@dataclass
class StepCount:
    step: ChainStep
    count: int
    amount: int


@dataclass
class RoundUse:
    round: FundRound
    applied_in_review: int

    @property
    def percent_used(self) -> float:
        return 100.0 * self.round.granted / self.round.budget if self.round.budget else 0.0


def fund_pipeline(*, fund: Fund) -> dict:
    """How many applications are where (counts and amounts only: no application is revealed)."""
    apps = Application.objects.filter(round__fund=fund)
    by_status = dict(apps.values_list("status").annotate(n=Count("pk")))
    steps = []
    for step in fund.steps.all():
        at = apps.filter(current_step=step)
        steps.append(StepCount(step, at.count(), at.aggregate(s=Sum("budget_lines__amount"))["s"] or 0))
    rounds = []
    for round_ in fund.rounds.all():
        pending = apps.filter(round=round_, status=Application.Status.IN_REVIEW)
        rounds.append(RoundUse(round_, pending.aggregate(s=Sum("budget_lines__amount"))["s"] or 0))
    budgets = []
    for budget in fund.budgets.all():
        in_rounds = fund.rounds.filter(year=budget.year).aggregate(b=Sum("budget"), g=Sum("granted"))
        budgets.append({"year": budget.year, "amount": budget.amount, "in_rounds": in_rounds["b"] or 0,
                        "granted": in_rounds["g"] or 0, "remaining": budget.amount - (in_rounds["g"] or 0)})
    return {"by_status": [(s, by_status.get(s.value, 0)) for s in Application.Status], "steps": steps,
            "rounds": rounds, "budgets": budgets,
            "paid": apps.aggregate(s=Sum("payments__amount"))["s"] or 0}


def decisions_over_time(*, fund: Fund) -> list[dict]:
    """Decisions per month and outcome, oldest first."""
    counts = Counter(
        (d.strftime("%Y-%m"), outcome)
        for d, outcome in Decision.objects.filter(application__round__fund=fund).values_list("decided_on", "outcome")
    )
    months = sorted({m for m, _ in counts})
    return [{"month": m, **{o: counts.get((m, o), 0) for o in Decision.Outcome.values}} for m in months]


# An own measure that counts something the project itself records ("antal deltagare", "number of
# participants"): measurable with a baseline, though no statistics series holds it. A share or
# rate of its own ("andel elever …") still needs data to be shown measurable.
OWN_COUNT = re.compile(r"\b(antal|number of|count of|deltagare|participants|besökare|visitors)\b", re.IGNORECASE)


def is_own_count(measure: str | None) -> bool:
    return bool(OWN_COUNT.search(measure or ""))


def _in(record, lang: str) -> str:
    """A record's name in `lang` (its English name when it has one)."""
    return (record.name_en or record.name) if lang == "en" else record.name


def application_smart(*, application: Application, lang: str = "sv") -> list[tuple]:
    """Each expected result through the plans' SMART check, as the check reads a plan goal: the
    application's districts are the scope, the applicant is responsible, and the result counts as
    accepted once the local steering group (the first step) has approved the application."""
    districts = tuple(d.name for d in application.districts.all())
    goal = next(iter(application.goals.all()), None)
    first = application.decisions.filter(outcome=Decision.Outcome.APPROVE).order_by("recorded_at").first()
    with translation.override(lang):
        social_sustainability = gettext("social sustainability")
    rows = []
    for result in application.expected_results.all():
        indicator = result.indicator
        facts = GoalInput(
            text=result.text, goal_area=goal.goal_area.key if goal is not None else "social_sustainability",
            scope=districts,
            unit="percent" if indicator is not None and indicator.unit == Indicator.Unit.PERCENT else "number",
            higher_is_better=indicator is None or indicator.direction == Indicator.Direction.HIGHER_BETTER,
            indicator=indicator.code if indicator is not None else (result.measure or None),
            indicator_name=_in(indicator, lang) if indicator is not None else "",
            goal_area_name=_in(goal.goal_area, lang) if goal is not None else social_sustainability,
            baseline_value=result.baseline_value, baseline_year=result.baseline_year,
            target_value=result.target_value, target_year=result.target_year,
            responsible=(application.applicant.name,),
            accepted_by=str(first.organisation) if first is not None else None,
            accepted_on=first.decided_on if first is not None else None,
            plan_period_end=application.period_end.year,
            own_count=indicator is None and is_own_count(result.measure),
        )
        checked = smart_check(facts, smart_history(indicator=indicator), lang=lang)
        rows.append((result, [(letter, checked[letter]) for letter in ("S", "M", "A", "R", "T")]))
    return rows


@dataclass
class FundedProject:
    application: Application
    follow_up: FollowUp | None
    results: list  # [(ExpectedResult, ResultReport | None)]


def funded_projects(*, municipality, year: int) -> list[FundedProject]:
    """Granted projects of the municipality's funds running in the year, with their latest
    reported follow-up: what the district follow-up report lists under "Funded projects".
    Grants are decisions of public bodies and shown in the public version too."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    apps = Application.objects.filter(
        round__fund__municipality=municipality, status=Application.Status.GRANTED,
        period_start__lte=end, period_end__gte=start,
    ).select_related("applicant", "area__committee", "round__fund").prefetch_related(
        "districts", "expected_results", "follow_ups__result_reports", "payments",
    ).order_by("area__committee__name", "title")
    out = []
    for app in apps:
        reported = [f for f in app.follow_ups.all() if f.submitted_at is not None]
        follow_up = max(reported, key=lambda f: f.submitted_at) if reported else None
        by_result = {r.expected_result_id: r for r in follow_up.result_reports.all()} if follow_up else {}
        out.append(FundedProject(app, follow_up, [(r, by_result.get(r.pk)) for r in app.expected_results.all()]))
    return out


def goal_choices(*, fund: Fund, user) -> QuerySet[Goal]:
    """The goals an application may serve: those of the areas' local action plans and the
    programme's own goals, as far as the user may read them."""
    q = Q(action_plans__fund_areas__fund=fund)
    if fund.programme_id:
        q |= Q(programme_id=fund.programme_id, plan__isnull=True)
    return Goal.objects.filter(q).filter(pk__in=goal_list(user=user)).distinct().select_related("goal_area").order_by("goal_area__position", "position")
