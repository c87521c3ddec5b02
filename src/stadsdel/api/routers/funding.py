"""Project funds: funds (public) and applications (read through the caller's rights); drafts are
created and edited by the applicant, and each step of the chain decides through the same
services as the pages, with the application's version (409 when stale)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.agreements.models import Organisation
from stadsdel.api.core import (
    READ_VERSION,
    WRITE_AUTH,
    WRITE_ERRORS,
    Error,
    Id,
    Input,
    ReadVersion,
    YearValue,
    by_ids,
    caller,
    list_and_csv,
)
from stadsdel.areas.models import District
from stadsdel.funding import selectors, services
from stadsdel.funding.models import Application, Fund, FundArea, FundRound
from stadsdel.indicators.models import Indicator

router = Router(tags=["funding"])


class StepOut(Schema):
    position: int
    name: str
    body: str
    organisation: str | None = None

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.key if obj.organisation_id else None


class RoundOut(Schema):
    id: int
    name: str
    year: int
    opens_on: dt.date
    closes_on: dt.date
    budget: int
    granted: int
    remaining: int


class FundOut(Schema):
    id: int
    key: str
    name: str
    owner: str
    municipality_code: str | None = None

    @staticmethod
    def resolve_owner(obj):
        return obj.owner.key

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.municipality.code if obj.municipality_id else None


class FundDetailOut(FundOut):
    guidance: str
    steps: list[StepOut]
    rounds: list[RoundOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.select_related("organisation"))

    @staticmethod
    def resolve_rounds(obj):
        return list(obj.rounds.all())


class BudgetLineIO(Input):
    year: YearValue
    text: str
    amount: int = Field(..., ge=0)
    co_financing: int = Field(0, ge=0)
    co_financier: str = ""


class ResultIn(Input):
    text: str
    indicator: str | None = None  # an indicator code from the catalogue
    measure: str = ""
    baseline_value: float | None = None
    baseline_year: YearValue | None = None
    target_value: float | None = None
    target_year: YearValue | None = None


class ApplicationOut(Schema):
    id: int
    fund_id: int
    round_id: int
    title: str
    applicant: str
    committee: str
    status: str
    current_step: str | None = None
    period_start: dt.date
    period_end: dt.date
    applied_amount: int
    proposed_amount: int | None = None
    granted_amount: int | None = None
    version: int

    @staticmethod
    def resolve_fund_id(obj):
        return obj.round.fund_id

    @staticmethod
    def resolve_applicant(obj):
        return obj.applicant.key

    @staticmethod
    def resolve_committee(obj):
        return obj.area.committee.key

    @staticmethod
    def resolve_current_step(obj):
        return obj.current_step.name if obj.current_step_id else None


class DecisionOut(Schema):
    step: str
    organisation: str
    outcome: str
    decided_on: dt.date
    text: str
    amount: int | None = None

    @staticmethod
    def resolve_step(obj):
        return obj.step.name

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.key


class ApplicationDetailOut(ApplicationOut):
    description: str
    districts: list[str]
    budget_lines: list[BudgetLineIO]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_districts(obj):
        return sorted(d.name for d in obj.districts.all())

    @staticmethod
    def resolve_budget_lines(obj):
        return list(obj.budget_lines.all())

    @staticmethod
    def resolve_decisions(obj):
        return list(obj.decisions.select_related("step", "organisation"))


class ApplicationIn(Input):
    round_id: Id
    committee: str
    applicant: str
    title: str
    description: str = ""
    period_start: dt.date
    period_end: dt.date
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    district_ids: list[Id] = []
    goal_ids: list[Id] = []
    budget_lines: list[BudgetLineIO] = []
    results: list[ResultIn] = []


class ApplicationPatch(Input):
    version: ReadVersion = None
    title: str | None = None
    description: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    district_ids: list[Id] | None = None
    goal_ids: list[Id] | None = None
    budget_lines: list[BudgetLineIO] | None = None
    results: list[ResultIn] | None = None


class DecisionIn(Input):
    version: ReadVersion = None
    outcome: str
    text: str = ""
    decided_on: dt.date | None = None
    amount: int | None = None


class ApplicationFilters(Schema):
    fund_id: int | None = None
    status: str | None = None


def _funds(request):
    return selectors.fund_list()


def _applications(request, fund_id: int | None = None, status: str | None = None):
    fund = Fund.objects.filter(pk=fund_id).first() if fund_id else None
    if fund_id and fund is None:
        return Application.objects.none()
    return selectors.application_list(user=caller(request), fund=fund, status=status).prefetch_related(
        "budget_lines")


def _application(request, application_id: int, user=None) -> Application:
    try:
        return selectors.application_get(user=user or caller(request), pk=application_id)
    except Application.DoesNotExist:
        raise HttpError(404, "No such application.") from None


def _parts(data, *, user, fund) -> dict:
    """The application's parts from the request, as the service takes them (None: unchanged).
    Goals are those the fund's applications may serve and the caller may read."""
    parts: dict = {}
    if data.district_ids is not None:
        parts["districts"] = by_ids(District.objects.all(), data.district_ids, field="district_ids", noun="district")
    if data.goal_ids is not None:
        goals = selectors.goal_choices(fund=fund, user=user)
        parts["goals"] = by_ids(goals, data.goal_ids, field="goal_ids", noun="goal")
    if data.budget_lines is not None:
        parts["budget_lines"] = [line.model_dump() for line in data.budget_lines]
    if data.results is not None:
        codes = {r.indicator for r in data.results if r.indicator}
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
        if codes - set(indicators):
            raise HttpError(422, f"results: no indicator {sorted(codes - set(indicators))[0]!r} in the catalogue")
        parts["results"] = [{**r.model_dump(), "indicator": indicators.get(r.indicator)} for r in data.results]
    return parts


list_and_csv(router, "/funds", schema=FundOut, columns=["id", "key", "name", "owner", "municipality_code"],
             rows=_funds, summary="Project funds")


@router.get("/funds/{fund_id}", response={200: FundDetailOut, 404: Error}, summary="One fund, its chain and rounds")
def fund_get(request, fund_id: int):
    fund = selectors.fund_list().filter(pk=fund_id).first()
    if fund is None:
        raise HttpError(404, "No such fund.")
    return fund


list_and_csv(router, "/applications", schema=ApplicationOut,
             columns=["id", "fund_id", "round_id", "title", "applicant", "committee", "status", "current_step",
                      "period_start", "period_end", "applied_amount", "proposed_amount", "granted_amount",
                      "version"],
             rows=_applications, filters=ApplicationFilters, summary="Fund applications the caller may read")


@router.get("/applications/{application_id}", response={200: ApplicationDetailOut, 404: Error},
            summary="One application with its budget and decisions")
def application_get(request, application_id: int):
    return _application(request, application_id)


@router.post("/applications", auth=WRITE_AUTH, response={201: ApplicationDetailOut, **WRITE_ERRORS},
             summary="Start a draft application")
def application_create(request, data: ApplicationIn):
    round_ = FundRound.objects.filter(pk=data.round_id).select_related("fund").first()
    area = FundArea.objects.filter(fund=round_.fund, committee__key=data.committee).first() if round_ else None
    applicant = Organisation.objects.filter(key=data.applicant).first()
    if round_ is None or area is None or applicant is None:
        return Status(422, {"detail": "round_id, committee or applicant: not found for this fund"})
    fields = {k: getattr(data, k) for k in services.APPLICATION_FIELDS}
    app = services.application_create(user=request.auth, round=round_, area=area, applicant=applicant, fields=fields,
                                      **_parts(data, user=request.auth, fund=round_.fund))
    return Status(201, _application(request, app.pk, request.auth))


@router.patch("/applications/{application_id}", auth=WRITE_AUTH, response={200: ApplicationDetailOut, **WRITE_ERRORS},
              summary="Edit a draft or returned application (send its version)")
def application_patch(request, application_id: int, data: ApplicationPatch):
    app = _application(request, application_id, request.auth)
    fields = {k: v for k, v in data.model_dump(
        exclude_unset=True, exclude={"version", "budget_lines", "results", "district_ids", "goal_ids"}).items()
        if v is not None}
    services.application_update(user=request.auth, application=app, version=data.version, fields=fields,
                                **_parts(data, user=request.auth, fund=app.round.fund))
    # Read again: the parts were replaced, and the copy read before holds the old ones.
    return _application(request, app.pk, request.auth)


@router.post("/applications/{application_id}/submit", auth=WRITE_AUTH,
             response={200: ApplicationDetailOut, **WRITE_ERRORS}, summary="Submit to the first step of the chain")
def application_submit(request, application_id: int,
                       version: int | None = Query(None, ge=0, le=2**31 - 1, description=READ_VERSION)):
    app = _application(request, application_id, request.auth)
    services.application_submit(user=request.auth, application=app, version=version)
    return _application(request, app.pk, request.auth)


@router.post("/applications/{application_id}/decide", auth=WRITE_AUTH,
             response={200: ApplicationDetailOut, **WRITE_ERRORS},
             summary="Decide the application's current step: approve, reject or return")
def application_decide(request, application_id: int, data: DecisionIn):
    app = _application(request, application_id, request.auth)

    services.application_decide(user=request.auth, application=app, version=data.version, outcome=data.outcome,
                                text=data.text, decided_on=data.decided_on, amount=data.amount)
    return _application(request, app.pk, request.auth)
