"""Project funds: funds (public) and applications (read through the caller's rights); drafts are
created and edited by the applicant, and each step of the chain decides through the same
services as the pages, with the application's version (409 when stale)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.agreements.models import Organisation
from stadsdel.agreements.services import StaleVersionError
from stadsdel.api.core import WRITE_AUTH, Conflict, Error, caller, list_and_csv
from stadsdel.areas.models import District
from stadsdel.funding import selectors, services
from stadsdel.funding.models import Application, Fund, FundArea, FundRound

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


class BudgetLineIO(Schema):
    year: int
    text: str
    amount: int
    co_financing: int = 0
    co_financier: str = ""


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


class ApplicationIn(Schema):
    round_id: int
    committee: str
    applicant: str
    title: str
    description: str = ""
    period_start: dt.date
    period_end: dt.date
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    district_ids: list[int] = []
    budget_lines: list[BudgetLineIO] = []


class ApplicationPatch(Schema):
    version: int
    title: str | None = None
    description: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    budget_lines: list[BudgetLineIO] | None = None


class DecisionIn(Schema):
    version: int
    outcome: str
    text: str = ""
    decided_on: dt.date | None = None
    amount: int | None = None


class ApplicationFilters(Schema):
    fund_id: int | None = None
    status: str | None = None


WRITE_ERRORS = {403: Error, 404: Error, 409: Conflict, 422: Error}


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


def _write(call):
    try:
        return call()
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc) or "Not allowed."})
    except StaleVersionError as exc:
        return Status(409, {"detail": str(exc), "current_version": exc.current_version})
    except ValidationError as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})


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


@router.post("/applications", auth=WRITE_AUTH, response={201: ApplicationDetailOut, 403: Error, 422: Error},
             summary="Start a draft application")
def application_create(request, data: ApplicationIn):
    round_ = FundRound.objects.filter(pk=data.round_id).select_related("fund").first()
    area = FundArea.objects.filter(fund=round_.fund, committee__key=data.committee).first() if round_ else None
    applicant = Organisation.objects.filter(key=data.applicant).first()
    if round_ is None or area is None or applicant is None:
        return Status(422, {"detail": "round_id, committee or applicant: not found for this fund"})
    fields = {k: getattr(data, k) for k in services.APPLICATION_FIELDS}

    def create():
        app = services.application_create(
            user=request.auth, round=round_, area=area, applicant=applicant, fields=fields,
            districts=list(District.objects.filter(pk__in=data.district_ids)),
            budget_lines=[line.model_dump() for line in data.budget_lines],
        )
        return Status(201, app)

    return _write(create)


@router.patch("/applications/{application_id}", auth=WRITE_AUTH, response={200: ApplicationDetailOut, **WRITE_ERRORS},
              summary="Edit a draft or returned application (send its version)")
def application_patch(request, application_id: int, data: ApplicationPatch):
    app = _application(request, application_id, request.auth)
    fields = {k: v for k, v in data.model_dump(exclude_unset=True, exclude={"version", "budget_lines"}).items()
              if v is not None}
    lines = [line.model_dump() for line in data.budget_lines] if data.budget_lines is not None else None
    return _write(lambda: services.application_update(user=request.auth, application=app, version=data.version,
                                                      fields=fields, budget_lines=lines))


@router.post("/applications/{application_id}/submit", auth=WRITE_AUTH,
             response={200: ApplicationDetailOut, **WRITE_ERRORS}, summary="Submit to the first step of the chain")
def application_submit(request, application_id: int, version: int):
    app = _application(request, application_id, request.auth)
    return _write(lambda: services.application_submit(user=request.auth, application=app, version=version))


@router.post("/applications/{application_id}/decide", auth=WRITE_AUTH,
             response={200: ApplicationDetailOut, **WRITE_ERRORS},
             summary="Decide the application's current step: approve, reject or return")
def application_decide(request, application_id: int, data: DecisionIn):
    app = _application(request, application_id, request.auth)

    def decide():
        services.application_decide(user=request.auth, application=app, version=data.version, outcome=data.outcome,
                                    text=data.text, decided_on=data.decided_on, amount=data.amount)
        return app

    return _write(decide)
