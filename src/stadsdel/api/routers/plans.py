"""District plans and their goals: read through the caller's scope; written by the plan's
municipality with the record's version (409 when stale)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.agreements.services import StaleVersionError
from stadsdel.api.core import (
    WRITE_AUTH,
    Conflict,
    Error,
    caller,
    list_and_csv,
    page_of,
    page_schema,
)
from stadsdel.areas.models import District
from stadsdel.indicators.models import Indicator
from stadsdel.plans import selectors, services
from stadsdel.plans.models import DistrictPlan, Goal, GoalArea
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


class PlanIn(Schema):
    district_id: int
    year: int
    period_end: int
    title: str = ""


class PlanPatch(Schema):
    version: int
    title: str | None = None
    summary: str | None = None
    period_end: int | None = None
    published: bool | None = None


class StatusIn(Schema):
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


class GoalIn(Schema):
    goal_area: str
    number: str
    text: str
    title: str = ""
    scope_district_ids: list[int] = []
    population_group: str = ""
    indicator: str | None = None
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    target_year: int | None = None
    accepted_by: str = ""
    accepted_on: dt.date | None = None


class GoalPatch(GoalIn):
    version: int


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
    districts = list(District.objects.filter(pk__in=data.scope_district_ids))
    if len(districts) != len(set(data.scope_district_ids)):
        raise HttpError(422, "scope_district_ids: unknown district")
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

WRITE_ERRORS = {403: Error, 404: Error, 409: Conflict, 422: Error}


@router.post("/plans", auth=WRITE_AUTH, response={201: PlanOut, 403: Error, 422: Error}, summary="Start a plan")
def plan_create(request, data: PlanIn):
    district = District.objects.filter(pk=data.district_id).first()
    if district is None:
        return Status(422, {"detail": "district_id: no such district"})
    try:
        plan = services.plan_create(user=request.auth, district=district, year=data.year,
                                    period_end=data.period_end, title=data.title)
        return Status(201, plan)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except ValidationError as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})


@router.get("/plans/{plan_id}", response={200: PlanOut, 404: Error}, summary="One plan")
def plan_get(request, plan_id: int):
    return _plan(request, plan_id)


@router.patch("/plans/{plan_id}", auth=WRITE_AUTH, response={200: PlanOut, **WRITE_ERRORS},
              summary="Edit a plan (send its version)")
def plan_patch(request, plan_id: int, data: PlanPatch):
    plan = _plan(request, plan_id, request.auth)
    fields = {k: v for k, v in data.model_dump(exclude_unset=True, exclude={"version"}).items() if v is not None}
    try:
        return services.plan_update(user=request.auth, plan=plan, version=data.version, fields=fields)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except StaleVersionError as exc:
        return Status(409, {"detail": str(exc), "current_version": exc.current_version})
    except ValidationError as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})


@router.post("/plans/{plan_id}/status", auth=WRITE_AUTH, response={200: PlanOut, **WRITE_ERRORS},
             summary="Move the plan one step (adopted, submitted, received)")
def plan_status(request, plan_id: int, data: StatusIn):
    plan = _plan(request, plan_id, request.auth)
    try:
        return services.plan_transition(user=request.auth, plan=plan, to=data.to)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except StaleVersionError as exc:
        return Status(409, {"detail": str(exc), "current_version": exc.current_version})
    except ValidationError as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})


@router.get("/plans/{plan_id}/goals", response={200: page_schema(GoalOut), 404: Error}, summary="A plan's goals")
def plan_goals(request, plan_id: int, page: int = 1, page_size: int = 50):
    return page_of(selectors.plan_goals(plan=_plan(request, plan_id)), page=page, page_size=page_size)


@router.post("/plans/{plan_id}/goals", auth=WRITE_AUTH, response={201: GoalOut, 403: Error, 404: Error, 422: Error},
             summary="Add a goal to a plan")
def goal_create(request, plan_id: int, data: GoalIn):
    plan = _plan(request, plan_id, request.auth)
    fields, relations = _goal_fields(plan, data)
    try:
        return Status(201, services.goal_create(user=request.auth, plan=plan, fields=fields, **relations))
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except ValidationError as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})


@router.get("/goals/{goal_id}", response={200: GoalOut, 404: Error}, summary="One goal")
def goal_get(request, goal_id: int):
    return _goal(request, goal_id)


@router.put("/goals/{goal_id}", auth=WRITE_AUTH, response={200: GoalOut, **WRITE_ERRORS},
            summary="Replace a goal (send its version)")
def goal_put(request, goal_id: int, data: GoalPatch):
    goal = _goal(request, goal_id, request.auth)
    fields, relations = _goal_fields(goal.plan, data)
    try:
        return services.goal_update(user=request.auth, goal=goal, version=data.version, fields=fields, **relations)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except StaleVersionError as exc:
        return Status(409, {"detail": str(exc), "current_version": exc.current_version})
    except ValidationError as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})


@router.delete("/goals/{goal_id}", auth=WRITE_AUTH, response={204: None, **WRITE_ERRORS}, summary="Remove a goal")
def goal_delete(request, goal_id: int, version: int):
    goal = _goal(request, goal_id, request.auth)
    try:
        services.goal_delete(user=request.auth, goal=goal, version=version)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except StaleVersionError as exc:
        return Status(409, {"detail": str(exc), "current_version": exc.current_version})
    return Status(204, None)


@router.get("/goals/{goal_id}/smart", response={200: dict[str, LetterOut], 404: Error},
            summary="The goal's SMART check")
def goal_smart_check(request, goal_id: int, lang: str = "sv"):
    if lang not in ("sv", "en"):
        raise HttpError(422, "lang must be sv or en")
    return {k: v.as_dict() for k, v in goal_smart(goal=_goal(request, goal_id), lang=lang).items()}
