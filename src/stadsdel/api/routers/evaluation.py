"""Evaluations: read through the caller's scope (the public sees published ones); created and
edited by the ministry and analysts with the record's version (409 when stale). The results are
the `stadsdel evaluate --json` objects, per outcome, with the figures' provenance."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.api.core import (
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
)
from stadsdel.areas.models import District
from stadsdel.core.versions import StaleVersionError
from stadsdel.evaluation import estimates, selectors, services
from stadsdel.evaluation.models import Evaluation
from stadsdel.followup.precompute import current_version
from stadsdel.indicators.models import Indicator

router = Router(tags=["evaluation"])


class EvaluationOut(Schema):
    id: int
    title: str
    description: str
    owner: str
    treated_district_ids: list[int]
    start_year: int
    outcomes: list[str]
    pool: str
    pool_size: int
    comparison_district_ids: list[int]
    synth_district_id: int | None = None
    first_year: int | None = None
    last_year: int | None = None
    published: bool
    version: int

    @staticmethod
    def resolve_owner(obj):
        return obj.owner.key

    @staticmethod
    def resolve_treated_district_ids(obj):
        return sorted(d.pk for d in obj.treated_districts.all())

    @staticmethod
    def resolve_outcomes(obj):
        return sorted(i.code for i in obj.outcomes.all())

    @staticmethod
    def resolve_comparison_district_ids(obj):
        return sorted(d.pk for d in obj.comparison_districts.all())


class EvaluationIn(Input):
    title: str
    start_year: YearValue
    treated_district_ids: list[Id]
    outcomes: list[str]
    description: str = ""
    pool: str = Evaluation.Pool.NEAREST
    pool_size: int = 10
    comparison_district_ids: list[Id] = []
    synth_district_id: Id | None = None
    first_year: YearValue | None = None
    last_year: YearValue | None = None
    published: bool = False


class EvaluationPatch(Input):
    version: ReadVersion = None
    title: str | None = None
    description: str | None = None
    start_year: YearValue | None = None
    treated_district_ids: list[Id] | None = None
    outcomes: list[str] | None = None
    pool: str | None = None
    pool_size: int | None = None
    comparison_district_ids: list[Id] | None = None
    synth_district_id: Id | None = None
    first_year: YearValue | None = None
    last_year: YearValue | None = None
    published: bool | None = None


class YearOut(Schema):
    year: int
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


class WarningOut(Schema):
    code: str  # stable: single_treated_cluster, few_clusters, pre_trend_rejected, coarse_placebo_p, …
    message: str


class EstimateOut(Schema):
    method: str
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    pre_fit_rmspe: float | None = None
    per_year: list[YearOut]
    donor_weights: dict[str, float | None] | None = None
    warnings: list[WarningOut] = []  # why the estimate should not be trusted, if it should not


class OutcomeOut(Schema):
    indicator: str
    figures: int
    imports: list[int]
    fingerprint: str
    treated: list[str]
    comparison: list[str]
    did: EstimateOut | None = None
    did_refused: str | None = None
    synth_unit: str | None = None
    synth: EstimateOut | None = None
    synth_refused: str | None = None


def _evaluation(request, evaluation_id: int, user=None) -> Evaluation:
    try:
        return selectors.evaluation_get(user=user or caller(request), pk=evaluation_id)
    except Evaluation.DoesNotExist:
        raise HttpError(404, "No such evaluation.") from None


def _districts(ids: list[int], name: str) -> list[District]:
    return by_ids(District.objects.all(), ids, field=name, noun="district")


def _indicators(codes: list[str]) -> list[Indicator]:
    found = list(Indicator.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise HttpError(422, "outcomes: unknown indicator")
    return found


def _fields(data: dict) -> tuple[dict, dict]:
    relations = {}
    if data.get("treated_district_ids") is not None:
        relations["treated"] = _districts(data.pop("treated_district_ids"), "treated_district_ids")
    else:
        data.pop("treated_district_ids", None)
    if data.get("comparison_district_ids") is not None:
        relations["comparison"] = _districts(data.pop("comparison_district_ids"), "comparison_district_ids")
    else:
        data.pop("comparison_district_ids", None)
    if data.get("outcomes") is not None:
        relations["outcomes"] = _indicators(data.pop("outcomes"))
    else:
        data.pop("outcomes", None)
    if "synth_district_id" in data:
        synth_id = data.pop("synth_district_id")
        data["synth_district"] = _districts([synth_id], "synth_district_id")[0] if synth_id is not None else None
    if "pool" in data and data["pool"] not in Evaluation.Pool.values:
        raise HttpError(422, f"pool must be one of {', '.join(Evaluation.Pool.values)}")
    return data, relations


def _evaluations(request):
    return selectors.evaluation_list(user=caller(request))


list_and_csv(router, "/evaluations", schema=EvaluationOut,
             columns=["id", "title", "owner", "start_year", "pool", "pool_size", "synth_district_id", "first_year",
                      "last_year", "published", "version"],
             rows=_evaluations, summary="Evaluations the caller may read")



def _write_error(exc: Exception):
    if isinstance(exc, PermissionDenied):
        return Status(403, {"detail": str(exc) or "Not allowed."})
    if isinstance(exc, StaleVersionError):
        return Status(409, {"detail": str(exc), "current_version": exc.current_version})
    return Status(422, {"detail": "; ".join(exc.messages)})


@router.post("/evaluations", auth=WRITE_AUTH, response={201: EvaluationOut, 403: Error, 422: Invalid},
             summary="Create an evaluation design")
def evaluation_create(request, data: EvaluationIn):
    fields, relations = _fields(data.model_dump())
    try:
        return Status(201, services.evaluation_create(user=request.auth, fields=fields, **relations))
    except (PermissionDenied, ValidationError) as exc:
        return _write_error(exc)


@router.get("/evaluations/{evaluation_id}", response={200: EvaluationOut, 404: Error}, summary="One evaluation")
def evaluation_get(request, evaluation_id: int):
    return _evaluation(request, evaluation_id)


@router.patch("/evaluations/{evaluation_id}", auth=WRITE_AUTH, response={200: EvaluationOut, **WRITE_ERRORS},
              summary="Edit an evaluation design (send its version)")
def evaluation_patch(request, evaluation_id: int, data: EvaluationPatch):
    evaluation = _evaluation(request, evaluation_id, request.auth)
    raw = data.model_dump(exclude_unset=True, exclude={"version"})
    fields, relations = _fields(raw)
    try:
        return services.evaluation_update(user=request.auth, evaluation=evaluation, version=data.version,
                                          fields=fields, **relations)
    except (PermissionDenied, StaleVersionError, ValidationError) as exc:
        return _write_error(exc)


@router.get("/evaluations/{evaluation_id}/results", response={200: list[OutcomeOut], 404: Error},
            summary="The estimates per outcome, computed from the stored figures")
def evaluation_results(request, evaluation_id: int):
    evaluation = _evaluation(request, evaluation_id)
    out = []
    # The kept estimates when the page (or its task) computed them at this data version.
    found = estimates.estimates_for(evaluation, data_version=current_version().version, background=False)
    for r in found:
        out.append({
            "indicator": r.indicator.code, "figures": r.data.figures, "imports": [b for b, _name in r.data.batches],
            "fingerprint": r.data.fingerprint, "treated": r.treated, "comparison": r.pool,
            "did": r.did.as_json() if r.did else None, "did_refused": str(r.did_refusal) if r.did_refusal else None,
            "synth_unit": r.synth_unit, "synth": r.synth.as_json() if r.synth else None,
            "synth_refused": str(r.synth_refusal) if r.synth_refusal else None,
        })
    return out
