"""District plans and their goals, residents' dialogues and the public comments on plans: read
through the caller's scope; written by the plan's municipality with the record's version (409
when stale)."""

from __future__ import annotations

import datetime as dt

from ninja import FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.accounts.scoping import scope_for
from stadsdel.api.core import (
    READ_VERSION,
    WRITE_AUTH,
    WRITE_ERRORS,
    Error,
    Id,
    Input,
    Invalid,
    ReadVersion,
    YearValue,
    by_ids,
    caller,
    list_and_csv,
    municipality_by_code,
    page_of,
    page_schema,
)
from stadsdel.areas.models import District
from stadsdel.indicators.models import Indicator
from stadsdel.plans import selectors, services
from stadsdel.plans.models import DistrictPlan, Goal, GoalArea, PlanComment, ResidentDialogue
from stadsdel.plans.smart import goal_smart

router = Router(tags=["plans"])


class PlanOut(Schema):
    id: int
    title: str
    district_id: int
    district: str
    municipality_code: str
    year: int
    plan_version: int
    period_end: int
    status: str
    published: bool
    version: int

    @staticmethod
    def resolve_district(obj):
        return obj.district.name

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.district.municipality.code


class PlanIn(Input):
    district_id: Id
    year: YearValue
    period_end: YearValue
    title: str = ""


class PlanPatch(Input):
    version: ReadVersion = None
    title: str | None = None
    summary: str | None = None
    period_end: YearValue | None = None
    published: bool | None = None


class StatusIn(Input):
    to: str


class GoalOut(Schema):
    id: int
    plan_id: int
    goal_area: str
    number: str
    title: str
    text: str
    scope: list[str]
    population_group: str
    indicators: list[str]
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    target_year: int | None = None
    responsible: list[str]
    accepted_by: str
    accepted_on: dt.date | None = None
    version: int

    @staticmethod
    def resolve_goal_area(obj):
        return obj.goal_area.key

    @staticmethod
    def resolve_scope(obj):
        return sorted(d.name for d in obj.scope_districts.all())

    @staticmethod
    def resolve_indicators(obj):
        return sorted(i.code for i in obj.indicators.all())

    @staticmethod
    def resolve_responsible(obj):
        return [r.organisation.key for r in obj.responsibilities.all()]


class GoalIn(Input):
    goal_area: str
    number: str
    text: str
    title: str = ""
    scope_district_ids: list[Id] = []
    population_group: str = ""
    indicator: str | None = None
    baseline_value: float | None = None
    baseline_year: YearValue | None = None
    target_value: float | None = None
    target_year: YearValue | None = None
    accepted_by: str = ""
    accepted_on: dt.date | None = None


class GoalPatch(GoalIn):
    version: ReadVersion = None


class LetterOut(Schema):
    result: str
    reason: str


def _plan(request, plan_id: int, user=None) -> DistrictPlan:
    try:
        return selectors.plan_get(user=user or caller(request), pk=plan_id)
    except DistrictPlan.DoesNotExist:
        raise HttpError(404, "No such plan.") from None


def _goal(request, goal_id: int, user=None) -> Goal:
    goal = Goal.objects.filter(pk=goal_id, plan__isnull=False).select_related("plan").first()
    if goal is None or not selectors.plan_list(user=user or caller(request)).filter(pk=goal.plan_id).exists():
        raise HttpError(404, "No such goal.")
    return goal


def _goal_fields(plan: DistrictPlan, data: GoalIn) -> tuple[dict, dict]:
    area = GoalArea.objects.filter(programme=plan.programme, key=data.goal_area).first()
    if area is None:
        raise HttpError(422, f"goal_area: no goal area {data.goal_area!r} in the plan's programme")
    indicator = None
    if data.indicator:
        indicator = Indicator.objects.filter(code=data.indicator).first()
        if indicator is None:
            raise HttpError(422, f"indicator: no indicator {data.indicator!r} in the catalogue")
    districts = by_ids(District.objects.all(), data.scope_district_ids, field="scope_district_ids", noun="district")
    fields = {"goal_area": area, "number": data.number, "title": data.title, "text": data.text,
              "population_group": data.population_group, "baseline_value": data.baseline_value,
              "baseline_year": data.baseline_year, "target_value": data.target_value,
              "target_year": data.target_year, "accepted_by": data.accepted_by, "accepted_on": data.accepted_on}
    return fields, {"scope_districts": districts, "indicators": [indicator] if indicator else []}


def _plans(request):
    return selectors.plan_list(user=caller(request)).order_by("district__municipality__name", "district__name", "year")


list_and_csv(router, "/plans", schema=PlanOut,
             columns=["id", "title", "district_id", "district", "municipality_code", "year", "plan_version",
                      "period_end", "status", "published", "version"],
             rows=_plans, summary="Strategic district plans the caller may read")

@router.post("/plans", auth=WRITE_AUTH, response={201: PlanOut, 403: Error, 422: Invalid}, summary="Start a plan")
def plan_create(request, data: PlanIn):
    district = District.objects.filter(pk=data.district_id).first()
    if district is None:
        return Status(422, {"detail": "district_id: no such district"})
    plan = services.plan_create(user=request.auth, district=district, year=data.year,
                                period_end=data.period_end, title=data.title)
    return Status(201, plan)


@router.get("/plans/{plan_id}", response={200: PlanOut, 404: Error}, summary="One plan")
def plan_get(request, plan_id: int):
    return _plan(request, plan_id)


@router.patch("/plans/{plan_id}", auth=WRITE_AUTH, response={200: PlanOut, **WRITE_ERRORS},
              summary="Edit a plan (send its version)")
def plan_patch(request, plan_id: int, data: PlanPatch):
    plan = _plan(request, plan_id, request.auth)
    fields = {k: v for k, v in data.model_dump(exclude_unset=True, exclude={"version"}).items() if v is not None}
    return services.plan_update(user=request.auth, plan=plan, version=data.version, fields=fields)


@router.post("/plans/{plan_id}/status", auth=WRITE_AUTH, response={200: PlanOut, **WRITE_ERRORS},
             summary="Move the plan one step (adopted, submitted, received)")
def plan_status(request, plan_id: int, data: StatusIn):
    plan = _plan(request, plan_id, request.auth)
    return services.plan_transition(user=request.auth, plan=plan, to=data.to)


@router.get("/plans/{plan_id}/goals", response={200: page_schema(GoalOut), 404: Error}, summary="A plan's goals")
def plan_goals(request, plan_id: int, page: int = 1, page_size: int = 50):
    return page_of(selectors.plan_goals(plan=_plan(request, plan_id)), page=page, page_size=page_size)


@router.post("/plans/{plan_id}/goals", auth=WRITE_AUTH, response={201: GoalOut, 403: Error, 404: Error, 422: Invalid},
             summary="Add a goal to a plan")
def goal_create(request, plan_id: int, data: GoalIn):
    plan = _plan(request, plan_id, request.auth)
    fields, relations = _goal_fields(plan, data)
    return Status(201, services.goal_create(user=request.auth, plan=plan, fields=fields, **relations))


@router.get("/goals/{goal_id}", response={200: GoalOut, 404: Error}, summary="One goal")
def goal_get(request, goal_id: int):
    return _goal(request, goal_id)


@router.put("/goals/{goal_id}", auth=WRITE_AUTH, response={200: GoalOut, **WRITE_ERRORS},
            summary="Replace a goal (send its version)")
def goal_put(request, goal_id: int, data: GoalPatch):
    goal = _goal(request, goal_id, request.auth)
    fields, relations = _goal_fields(goal.plan, data)
    return services.goal_update(user=request.auth, goal=goal, version=data.version, fields=fields, **relations)


@router.delete("/goals/{goal_id}", auth=WRITE_AUTH, response={204: None, **WRITE_ERRORS}, summary="Remove a goal")
def goal_delete(request, goal_id: int,
                version: int | None = Query(None, ge=0, le=2**31 - 1, description=READ_VERSION)):
    goal = _goal(request, goal_id, request.auth)
    services.goal_delete(user=request.auth, goal=goal, version=version)
    return Status(204, None)


@router.get("/goals/{goal_id}/smart", response={200: dict[str, LetterOut], 404: Error},
            summary="The goal's SMART check")
def goal_smart_check(request, goal_id: int, lang: str = "sv"):
    if lang not in ("sv", "en"):
        raise HttpError(422, "lang must be sv or en")
    return {k: v.as_dict() for k, v in goal_smart(goal=_goal(request, goal_id), lang=lang).items()}


# -- residents' participation ---------------------------------------------------------------------

class DialogueOut(Schema):
    id: int
    municipality_code: str
    title: str
    held_on: dt.date
    organiser: str | None = None
    organiser_text: str
    participants: int | None = None
    participants_description: str
    themes: str
    outcome: str
    districts: list[str]
    published: bool
    version: int

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.municipality.code

    @staticmethod
    def resolve_organiser(obj):
        return obj.organiser.key if obj.organiser_id else None

    @staticmethod
    def resolve_districts(obj):
        return sorted(d.name for d in obj.districts.all())


class DialogueFields(Input):
    title: str | None = None
    held_on: dt.date | None = None
    organiser: str | None = None  # an organisation's key
    organiser_text: str | None = None
    participants: int | None = None
    participants_description: str | None = None
    themes: str | None = None
    outcome: str | None = None
    published: bool | None = None
    district_ids: list[Id] | None = None
    goal_ids: list[Id] | None = None


class DialogueIn(DialogueFields):
    municipality_code: str
    title: str
    held_on: dt.date


class DialoguePatch(DialogueFields):
    version: ReadVersion = None


class DialogueFilter(FilterSchema):
    municipality: str | None = None


def _dialogues(request, municipality: str | None = None):
    qs = selectors.dialogue_list(user=caller(request)).order_by("-held_on", "pk")
    return qs.filter(municipality__code=municipality) if municipality else qs


list_and_csv(router, "/dialogues", schema=DialogueOut,
             columns=["id", "municipality_code", "title", "held_on", "organiser", "organiser_text", "participants",
                      "participants_description", "themes", "outcome", "districts", "published", "version"],
             rows=_dialogues, summary="Resident dialogues the caller may read", filters=DialogueFilter)


def _dialogue(request, dialogue_id: int, user=None) -> ResidentDialogue:
    try:
        return selectors.dialogue_get(user=user or caller(request), pk=dialogue_id)
    except ResidentDialogue.DoesNotExist:
        raise HttpError(404, "No such dialogue.") from None


def _dialogue_fields(data: DialogueFields, *, user, municipality_id: int) -> tuple[dict, dict]:
    fields = data.model_dump(exclude_unset=True, exclude={"version", "municipality_code", "district_ids", "goal_ids"})
    if fields.get("organiser"):
        organiser = selectors.dialogue_organiser_choices(municipality_id=municipality_id).filter(
            key=fields["organiser"]).first()
        if organiser is None:
            raise HttpError(422, f"organiser: no organisation {fields['organiser']!r}")
        fields["organiser"] = organiser
    relations = {}
    if data.district_ids is not None:
        relations["districts"] = by_ids(District.objects.all(), data.district_ids, field="district_ids",
                                        noun="district")
    if data.goal_ids is not None:
        goals = selectors.dialogue_goal_choices(municipality_id=municipality_id).filter(
            pk__in=selectors.goal_list(user=user))
        relations["goals"] = by_ids(goals, data.goal_ids, field="goal_ids", noun="goal")
    return {k: v for k, v in fields.items() if v is not None}, relations


@router.get("/dialogues/{dialogue_id}", response={200: DialogueOut, 404: Error}, summary="One resident dialogue")
def dialogue_get(request, dialogue_id: int):
    return _dialogue(request, dialogue_id)


@router.post("/dialogues", auth=WRITE_AUTH, response={201: DialogueOut, **WRITE_ERRORS},
             summary="Record a resident dialogue the municipality held")
def dialogue_create(request, data: DialogueIn):
    municipality = municipality_by_code(data.municipality_code)
    fields, relations = _dialogue_fields(data, user=request.auth, municipality_id=municipality.pk)
    dialogue = services.dialogue_create(user=request.auth, municipality=municipality, fields=fields, **relations)
    return Status(201, _dialogue(request, dialogue.pk, request.auth))


@router.patch("/dialogues/{dialogue_id}", auth=WRITE_AUTH, response={200: DialogueOut, **WRITE_ERRORS},
              summary="Edit a resident dialogue (send its version)")
def dialogue_patch(request, dialogue_id: int, data: DialoguePatch):
    dialogue = _dialogue(request, dialogue_id, request.auth)
    fields, relations = _dialogue_fields(data, user=request.auth, municipality_id=dialogue.municipality_id)
    services.dialogue_update(user=request.auth, dialogue=dialogue, version=data.version, fields=fields, **relations)
    return _dialogue(request, dialogue.pk, request.auth)


class CommentOut(Schema):
    id: int
    plan_id: int
    name: str
    text: str
    created_at: dt.datetime
    status: str
    answer: str
    answered_at: dt.datetime | None = None
    version: int


class DecisionIn(Input):
    status: str  # approved or rejected
    version: ReadVersion = None


class AnswerIn(Input):
    answer: str
    version: ReadVersion = None


@router.get("/plans/{plan_id}/comments", response={200: page_schema(CommentOut), 404: Error},
            summary="Comments on a plan: the approved ones, or all of them for the plan's municipality")
def plan_comments(request, plan_id: int, page: int = 1, page_size: int = 50):
    user = caller(request)
    plan = DistrictPlan.objects.filter(pk=plan_id).select_related("district").first()
    if plan is not None and scope_for(user).edits_own_municipality(plan.district.municipality_id):
        return page_of(selectors.comments_for_moderation(plan=plan), page=page, page_size=page_size)
    try:
        plan = selectors.plan_commentable_get(pk=plan_id)
    except DistrictPlan.DoesNotExist:
        raise HttpError(404, "No such plan open for comments.") from None
    return page_of(selectors.comments_public(plan=plan), page=page, page_size=page_size)


def _comment(comment_id: int) -> PlanComment:
    # Moderation is the plan's municipality's own; the service refuses anyone else (403), and a
    # comment that does not exist is 404 for everyone.
    comment = PlanComment.objects.filter(pk=comment_id).select_related("plan__district").first()
    if comment is None:
        raise HttpError(404, "No such comment.")
    return comment


@router.post("/comments/{comment_id}/decision", auth=WRITE_AUTH, response={200: CommentOut, **WRITE_ERRORS},
             summary="Approve or reject a comment (the plan's municipality; send its version)")
def comment_decision(request, comment_id: int, data: DecisionIn):
    return services.comment_moderate(user=request.auth, comment=_comment(comment_id), version=data.version,
                                     status=data.status)


@router.post("/comments/{comment_id}/answer", auth=WRITE_AUTH, response={200: CommentOut, **WRITE_ERRORS},
             summary="Answer an approved comment publicly (send its version)")
def comment_answer(request, comment_id: int, data: AnswerIn):
    return services.comment_answer(user=request.auth, comment=_comment(comment_id), version=data.version,
                                   answer=data.answer)
