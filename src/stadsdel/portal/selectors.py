"""What the public portal reads: published material only, whoever asks. Every query here starts
from `published=True` (or from the indicator catalogue, which holds no figures), so nothing a
municipality or the ministry has not published can appear or be downloaded, whatever the URL.

The search is one box over titles, names and text (`followup.selectors.search_q`, which also
folds non-ASCII case on SQLite). Which reports are public is decided in `followup.selectors`,
the same rule the report list `/reports/` uses."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from stadsdel.evaluation.models import Evaluation
from stadsdel.followup import selectors as followup_selectors
from stadsdel.followup.selectors import search_q
from stadsdel.indicators.models import Indicator
from stadsdel.plans.models import DistrictPlan, Goal, ResidentDialogue

MAX_QUERY = 200


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY]


def published_plans(*, q: str = "") -> QuerySet[DistrictPlan]:
    """Published district plans with their goals (a match in a goal's title or text finds the
    plan)."""
    qs = DistrictPlan.objects.filter(published=True).select_related("district__municipality", "programme")
    if q:
        goal_match = Goal.objects.filter(plan__published=True).filter(search_q(q, ("title", "text")))
        qs = qs.filter(
            search_q(q, ("title", "summary", "district__name", "district__municipality__name"))
            | Q(pk__in=goal_match.values("plan_id")),
        )
    return qs.prefetch_related("goals__goal_area").order_by("district__municipality__name", "district__name",
                                                            "-year")


def published_plan_get(*, pk: int) -> DistrictPlan:
    """One published plan (DoesNotExist for any other pk, so an unpublished plan answers 404)."""
    return DistrictPlan.objects.select_related("district__municipality", "programme").get(pk=pk, published=True)


def plans_open_for_comment(*, q: str = "") -> QuerySet[DistrictPlan]:
    """Plans the municipality has opened for comment: a draft published for consultation. Only
    their title, district and the way to the comment page are listed; no downloads."""
    qs = DistrictPlan.objects.filter(comments_open=True).select_related("district__municipality")
    if q:
        qs = qs.filter(search_q(q, ("title", "summary", "district__name", "district__municipality__name")))
    return qs.order_by("district__municipality__name", "district__name", "-year")


# Reports follow the one publication rule the report list uses too.
published_followup_reports = followup_selectors.published_followup_reports
published_national_reports = followup_selectors.published_national_reports


def published_dialogues(*, q: str = "") -> QuerySet[ResidentDialogue]:
    qs = ResidentDialogue.objects.filter(published=True).select_related("municipality", "organiser")
    if q:
        qs = qs.filter(
            search_q(q, ("title", "themes", "outcome", "participants_description", "organiser_text",
                         "organiser__name", "municipality__name"))
            | Q(pk__in=ResidentDialogue.objects.filter(search_q(q, ("districts__name",))).values("pk")),
        )
    return qs.prefetch_related("districts").order_by("-held_on", "title")


def published_dialogue_get(*, pk: int) -> ResidentDialogue:
    return ResidentDialogue.objects.select_related("municipality", "organiser").get(pk=pk, published=True)


def public_goals(*, dialogue: ResidentDialogue) -> QuerySet[Goal]:
    """The goals a published dialogue fed, as far as they are public: a programme's goals, and
    the goals of published plans (a draft plan's goal is left out)."""
    return dialogue.goals.filter(Q(plan__isnull=True) | Q(plan__published=True)).select_related(
        "plan__district", "programme", "goal_area",
    ).order_by("plan__district__name", "-plan__year", "goal_area__position", "position", "number")


def statistics_catalogue(*, q: str = "") -> QuerySet[Indicator]:
    """The indicator catalogue. Its figures are read on each indicator's page and CSV, which
    show a suppressed cell without a value (suppressed observations store none)."""
    qs = Indicator.objects.all()
    if q:
        qs = qs.filter(search_q(q, ("code", "name", "name_en", "definition")))
    return qs.order_by("code")


def published_evaluations(*, q: str = ""):
    """Published evaluations (a match in the title or the intervention's description finds one)."""
    qs = Evaluation.objects.filter(published=True).select_related("owner", "synth_district").prefetch_related(
        "treated_districts", "outcomes")
    if q:
        qs = qs.filter(search_q(q, ("title", "description")))
    return qs.order_by("-start_year", "title", "pk")
