"""Writes to strategic district plans and their goals, and to residents' participation (resident
dialogues, comments on plans open for comment). Only the plan's municipality edits its plans and
dialogues and moderates their comments (the ministry receives plans); every edit carries the
record's version, so a stale save is refused instead of overwriting (no lost updates). Anyone may
comment on a plan open for comment, within a rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District, Municipality
from stadsdel.core.versions import allowed_fields, version_bump, versioned_update
from stadsdel.plans.models import (
    NATIONAL_PROGRAMME,
    Activity,
    DistrictPlan,
    Goal,
    GoalArea,
    PlanComment,
    Programme,
    ResidentDialogue,
    Responsibility,
    SubCommitment,
)
from stadsdel.plans.selectors import dialogue_goal_choices, plan_snapshot

PLAN_FIELDS = frozenset({"title", "summary", "period_end", "published", "comments_open"})
GOAL_FIELDS = frozenset({
    "goal_area", "number", "title", "text", "population_group", "baseline_value", "baseline_year",
    "target_value", "target_year", "accepted_by", "accepted_on", "follow_up", "position",
})

# Who moves a plan on: the municipality adopts and submits its plan, the ministry receives it.
TRANSITIONS = {
    DistrictPlan.Status.DRAFT: (DistrictPlan.Status.ADOPTED, "municipality"),
    DistrictPlan.Status.ADOPTED: (DistrictPlan.Status.SUBMITTED, "municipality"),
    DistrictPlan.Status.SUBMITTED: (DistrictPlan.Status.RECEIVED, "ministry"),
}


def _check_editor(user, municipality_id: int) -> None:
    if not scope_for(user).edits_own_municipality(municipality_id):
        raise PermissionDenied("Only the plan's municipality may change its plans.")


def plan_create(*, user, district: District, year: int, period_end: int, title: str = "",
                programme: Programme | None = None) -> DistrictPlan:
    """A new draft plan for a district and year (the first of its line; later years come from
    `plan_revise`)."""
    _check_editor(user, district.municipality_id)
    if district.plans.filter(year=year).exists():
        raise ValidationError(f"{district.name} already has a plan for {year}; revise it instead.")
    if period_end < year:
        raise ValidationError("The plan period cannot end before the plan's year.")
    programme = programme or Programme.objects.get(key=NATIONAL_PROGRAMME)
    number = (district.plans.aggregate(n=Max("plan_version"))["n"] or 0) + 1
    return DistrictPlan.objects.create(
        district=district, programme=programme, year=year, plan_version=number, period_end=period_end,
        title=title or f"Strategisk stadsdelsplan för {district.name} {year}",
    )


def plan_update(*, user, plan: DistrictPlan, version: int, fields: dict[str, Any]) -> DistrictPlan:
    _check_editor(user, plan.district.municipality_id)
    return versioned_update(DistrictPlan, plan, version=version, fields=fields, allowed=PLAN_FIELDS,
                            full_clean=True, exclude=["previous"])


def plan_transition(*, user, plan: DistrictPlan, to: str) -> DistrictPlan:
    """Move the plan one step on (draft → adopted → submitted → received), recording who and
    when; submitting keeps the plan's goals as they are now."""
    step = TRANSITIONS.get(plan.status)
    if step is None or step[0] != to:
        raise ValidationError(f"A plan that is {plan.get_status_display()} cannot become {to}.")
    scope = scope_for(user)
    if step[1] == "ministry":
        if not scope.national:
            raise PermissionDenied("Only the ministry receives plans.")
    else:
        _check_editor(user, plan.district.municipality_id)
    now = timezone.now()
    with transaction.atomic():
        version_bump(DistrictPlan, plan, plan.version)
        plan.status = to
        if to == DistrictPlan.Status.ADOPTED:
            plan.adopted_at, plan.adopted_by = now, user
        elif to == DistrictPlan.Status.SUBMITTED:
            plan.submitted_at, plan.submitted_by = now, user
            plan.submitted_snapshot = plan_snapshot(plan=plan)
        else:
            plan.received_at, plan.received_by = now, user
        plan.save()
    return plan


def _goal_relations(goal: Goal, *, scope_districts, indicators, responsible) -> None:
    if scope_districts is not None:
        if any(d.municipality_id != goal.plan.district.municipality_id for d in scope_districts):
            raise PermissionDenied("A goal can only be for districts of the plan's municipality.")
        goal.scope_districts.set(scope_districts)
    if indicators is not None:
        goal.indicators.set(indicators)
    if responsible is not None:
        goal.responsibilities.all().delete()
        Responsibility.objects.bulk_create(
            Responsibility(goal=goal, organisation=org, position=pos) for pos, org in enumerate(responsible)
        )


def _check_goal_area(plan: DistrictPlan, goal_area: GoalArea | None) -> None:
    if goal_area is not None and goal_area.programme_id != plan.programme_id:
        raise ValidationError("The goal area belongs to another programme.")


def goal_create(*, user, plan: DistrictPlan, fields: dict[str, Any], scope_districts: list[District] | None = None,
                indicators: list | None = None, responsible: list[Organisation] | None = None) -> Goal:
    _check_editor(user, plan.district.municipality_id)
    fields = allowed_fields(fields, GOAL_FIELDS)
    _check_goal_area(plan, fields.get("goal_area"))
    with transaction.atomic():
        goal = Goal(plan=plan, programme=plan.programme, **fields)
        goal.full_clean(exclude=["programme", "plan"])
        goal.save()
        _goal_relations(goal, scope_districts=scope_districts, indicators=indicators, responsible=responsible)
    return goal


def goal_update(*, user, goal: Goal, version: int, fields: dict[str, Any],
                scope_districts: list[District] | None = None, indicators: list | None = None,
                responsible: list[Organisation] | None = None) -> Goal:
    if goal.plan is None:
        raise PermissionDenied("A programme's goals are changed by loading the programme, not here.")
    _check_editor(user, goal.plan.district.municipality_id)
    fields = allowed_fields(fields, GOAL_FIELDS)
    _check_goal_area(goal.plan, fields.get("goal_area"))
    with transaction.atomic():
        versioned_update(Goal, goal, version=version, fields=fields, allowed=GOAL_FIELDS,
                         full_clean=True, exclude=["programme", "plan"])
        _goal_relations(goal, scope_districts=scope_districts, indicators=indicators, responsible=responsible)
    return goal


def goal_delete(*, user, goal: Goal, version: int) -> None:
    if goal.plan is None:
        raise PermissionDenied("A programme's goals are changed by loading the programme, not here.")
    _check_editor(user, goal.plan.district.municipality_id)
    with transaction.atomic():
        version_bump(Goal, goal, version)
        goal.delete()


def plan_revise(*, user, plan: DistrictPlan, year: int) -> DistrictPlan:
    """The plan for a new year: a copy of this one (goals with their districts, indicators,
    responsible bodies, sub-commitments and activities) as the next version, in draft. This
    plan stays as it is."""
    _check_editor(user, plan.district.municipality_id)
    if year <= plan.year:
        raise ValidationError("A plan is revised for a later year.")
    if hasattr(plan, "next_version"):
        raise ValidationError(f"This plan has already been revised (for {plan.next_version.year}).")
    if plan.district.plans.filter(year=year).exists():
        raise ValidationError(f"{plan.district.name} already has a plan for {year}.")
    with transaction.atomic():
        new = DistrictPlan.objects.create(
            district=plan.district, programme=plan.programme, year=year,
            plan_version=(plan.district.plans.aggregate(n=Max("plan_version"))["n"] or 0) + 1, previous=plan,
            title=plan.title.replace(str(plan.year), str(year)), summary=plan.summary,
            period_end=max(plan.period_end, year),
        )
        for goal in plan.goals.prefetch_related(
            "scope_districts", "indicators", "responsibilities", "sub_commitments__responsibilities", "activities",
            "commitments",
        ):
            copy = Goal.objects.create(
                plan=new, programme=goal.programme, goal_area=goal.goal_area, number=goal.number, title=goal.title,
                text=goal.text, population_group=goal.population_group, baseline_value=goal.baseline_value,
                baseline_year=goal.baseline_year, target_value=goal.target_value, target_year=goal.target_year,
                accepted_by=goal.accepted_by, accepted_on=goal.accepted_on, follow_up=goal.follow_up,
                position=goal.position,
            )
            copy.scope_districts.set(goal.scope_districts.all())
            copy.indicators.set(goal.indicators.all())
            copy.commitments.set(goal.commitments.all())
            for r in goal.responsibilities.all():
                Responsibility.objects.create(goal=copy, organisation_id=r.organisation_id, position=r.position)
            for sub in goal.sub_commitments.all():
                sub_copy = SubCommitment.objects.create(goal=copy, text=sub.text, position=sub.position)
                for r in sub.responsibilities.all():
                    Responsibility.objects.create(sub_commitment=sub_copy, organisation_id=r.organisation_id,
                                                  position=r.position)
            for a in goal.activities.all():
                Activity.objects.create(goal=copy, text=a.text, responsible_id=a.responsible_id, starts=a.starts,
                                        ends=a.ends, status=a.status, position=a.position)
    return new


# -- residents' participation ---------------------------------------------------------------------

DIALOGUE_FIELDS = frozenset({
    "title", "held_on", "organiser", "organiser_text", "participants", "participants_description", "themes",
    "outcome", "published",
})


def _dialogue_relations(dialogue: ResidentDialogue, *, districts, goals) -> None:
    if districts is not None:
        if any(d.municipality_id != dialogue.municipality_id for d in districts):
            raise PermissionDenied("A dialogue can only be about districts of its municipality.")
        dialogue.districts.set(districts)
    if goals is not None:
        allowed = set(dialogue_goal_choices(municipality_id=dialogue.municipality_id).values_list("pk", flat=True))
        if any(g.pk not in allowed for g in goals):
            raise PermissionDenied("A dialogue can only feed the goals of its municipality's plans and programmes.")
        dialogue.goals.set(goals)


def dialogue_create(*, user, municipality: Municipality, fields: dict[str, Any],
                    districts: list[District] | None = None, goals: list[Goal] | None = None) -> ResidentDialogue:
    """Record a resident dialogue the municipality held (its coordinators only)."""
    _check_editor(user, municipality.pk)
    fields = allowed_fields(fields, DIALOGUE_FIELDS)
    with transaction.atomic():
        dialogue = ResidentDialogue(municipality=municipality, **fields)
        dialogue.full_clean()
        dialogue.save()
        _dialogue_relations(dialogue, districts=districts, goals=goals)
    return dialogue


def dialogue_update(*, user, dialogue: ResidentDialogue, version: int, fields: dict[str, Any],
                    districts: list[District] | None = None, goals: list[Goal] | None = None) -> ResidentDialogue:
    _check_editor(user, dialogue.municipality_id)
    with transaction.atomic():
        versioned_update(ResidentDialogue, dialogue, version=version, fields=fields, allowed=DIALOGUE_FIELDS,
                         full_clean=True)
        _dialogue_relations(dialogue, districts=districts, goals=goals)
    return dialogue


# At most this many comments from one client an hour, and on one plan a day: enough for anyone
# taking part in earnest, too few for a flood to bury the moderators.
COMMENTS_PER_CLIENT_PER_HOUR = 5
COMMENTS_PER_PLAN_PER_DAY = 50


class CommentsClosed(PermissionDenied):
    """The plan is not open for comments."""


class CommentRateLimited(Exception):
    """Too many comments: `per` is "client" (from one client in the last hour) or "plan" (on the
    plan in the last day)."""

    def __init__(self, per: str):
        super().__init__(per)
        self.per = per


def client_hash(ip: str) -> str:
    """A keyed SHA-256 (HMAC, keyed with SECRET_KEY) of a client's IP address: the same client
    gives the same hash, so comments can be counted per client, while the address itself is never
    stored and cannot be recovered from the hash without the key."""
    return hmac.new(settings.SECRET_KEY.encode(), f"plan-comment-ip:{ip}".encode(), hashlib.sha256).hexdigest()


def comment_create(*, plan: DistrictPlan, text: str, name: str = "", ip: str, now: dt.datetime | None = None
                   ) -> PlanComment:
    """A comment from anyone on a plan open for comments; it waits for moderation. `ip` is only
    hashed (see `client_hash`), never stored."""
    now = now or timezone.now()
    ip_hash = client_hash(ip or "")
    with transaction.atomic():
        # Locking the plan row serialises concurrent comments on one plan, so its daily limit
        # holds (a no-op on SQLite, which serialises writes anyway).
        plan = DistrictPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.comments_open:
            raise CommentsClosed("The plan is not open for comments.")
        if PlanComment.objects.filter(ip_hash=ip_hash, created_at__gt=now - dt.timedelta(hours=1)).count() \
                >= COMMENTS_PER_CLIENT_PER_HOUR:
            raise CommentRateLimited("client")
        if plan.comments.filter(created_at__gt=now - dt.timedelta(days=1)).count() >= COMMENTS_PER_PLAN_PER_DAY:
            raise CommentRateLimited("plan")
        comment = PlanComment(plan=plan, text=text.strip(), name=name.strip(), ip_hash=ip_hash, created_at=now)
        comment.full_clean()
        comment.save()
    return comment


def _check_moderator(user, comment: PlanComment) -> None:
    if not scope_for(user).edits_own_municipality(comment.plan.district.municipality_id):
        raise PermissionDenied("Only the plan's municipality moderates its comments.")


def comment_moderate(*, user, comment: PlanComment, version: int, status: str) -> PlanComment:
    """Approve (it shows publicly) or reject (it never shows) a comment; a decision can be
    changed later, and who decided and when is kept."""
    _check_moderator(user, comment)
    if status not in (PlanComment.Status.APPROVED, PlanComment.Status.REJECTED):
        raise ValidationError("A comment is approved or rejected.")
    with transaction.atomic():
        version_bump(PlanComment, comment, version)
        comment.status = status
        comment.moderated_at, comment.moderated_by = timezone.now(), user
        comment.save()
    return comment


def comment_answer(*, user, comment: PlanComment, version: int, answer: str) -> PlanComment:
    """The municipality's public answer to an approved comment (an empty answer removes it)."""
    _check_moderator(user, comment)
    if comment.status != PlanComment.Status.APPROVED:
        raise ValidationError("Only an approved comment can be answered.")
    answer = answer.strip()
    with transaction.atomic():
        version_bump(PlanComment, comment, version)
        comment.answer = answer
        comment.answered_at, comment.answered_by = (timezone.now(), user) if answer else (None, None)
        comment.save()
    return comment
