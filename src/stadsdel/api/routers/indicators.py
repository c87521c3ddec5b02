"""The indicator catalogue, the stored figures (aggregates only; a suppressed figure has no
value, numerator or denominator) and the imports that set them; statistics staff and the ministry
import a file here as on the import page."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, FilterSchema, Form, Query, Router, Schema, Status, UploadedFile

from stadsdel.accounts.scoping import scope_for
from stadsdel.api.core import WRITE_AUTH, Error, caller, list_and_csv
from stadsdel.indicators import explore as explorer
from stadsdel.indicators import page_selectors, selectors
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.models import ImportBatch, Indicator, Observation, RefusedImport
from stadsdel.indicators.services.imports import (
    observations_import_upload,
    observations_import_upload_queue,
)
from stadsdel.indices.selectors import similar_districts
from stadsdel.jobs.services import workers_alive

router = Router(tags=["indicators"])


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    unit: str
    direction: str
    is_share: bool
    dimension: str
    source: str
    kolada_kpi: str


class ObservationOut(Schema):
    indicator: str
    level: str
    unit: str
    period: int
    sex: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    status: str

    @staticmethod
    def resolve_indicator(obj):
        return obj.indicator.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit_key


class ObservationFilter(FilterSchema):
    indicator: str | None = None
    level: str | None = None
    unit: str | None = None
    year: int | None = None
    sex: str | None = None


def _observations(request, indicator=None, level=None, unit=None, year=None, sex=None):
    qs = Observation.objects.select_related("indicator").order_by("indicator__code", "unit_key", "period", "sex")
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if level:
        qs = qs.filter(level=level)
    if unit:
        qs = qs.filter(unit_key=unit)
    if year is not None:
        qs = qs.filter(period=year)
    if sex:
        qs = qs.filter(sex=sex)
    return qs


list_and_csv(router, "/indicators", schema=IndicatorOut,
             columns=["code", "name", "name_en", "unit", "direction", "is_share", "dimension", "source", "kolada_kpi"],
             rows=lambda request: Indicator.objects.all(), summary="The indicator catalogue")
list_and_csv(router, "/observations", schema=ObservationOut,
             columns=["indicator", "level", "unit", "period", "sex", "value", "numerator", "denominator", "status"],
             rows=_observations, summary="Stored figures", filters=ObservationFilter)


class ExploreParams(Schema):
    """The indicator explorer's choice, the parameters of its page (`/statistics/explore/`);
    a list is given as repeated parameters (`indicator=a&indicator=b`) or comma-separated."""

    indicator: list[str] = Field(default_factory=list, description="Indicator codes.")
    district: list[int] = Field(default_factory=list, description="Districts (ids).")
    areas_of: list[int] = Field(default_factory=list, description="Districts whose statistical areas are shown.")
    municipality: list[str] = Field(default_factory=list, description="Municipality codes (4 digits), or all.")
    county: list[str] = Field(default_factory=list, description="County codes (2 digits), or all.")
    country: bool = Field(False, description="The whole country.")
    similar_to: int | None = Field(None, description="A district: add the districts like it.")
    similar_by: Literal["area_type", "risk_band"] = Field(
        "area_type", description="Alike by SCB area type (the type most of its areas have) or by the fifth of "
                                 "the active risk index.")
    year_from: int | None = Field(None, alias="from", description="First year (default: every year).")
    year_to: int | None = Field(None, alias="to", description="Last year.")
    sex: list[str] = Field(default_factory=list, description="T total (default), K women, M men.")
    view: Literal["line", "bar", "table"] = Field("line", description="The page's view (no effect on the rows).")
    year: int | None = Field(None, description="The bar chart's year (no effect on the rows).")


class ExploreUnitOut(Schema):
    key: str
    label: str
    level: str


class ExploreRowOut(Schema):
    indicator: str
    indicator_name: str
    unit: str = Field(description="The unit's name as the page shows it.")
    unit_key: str
    level: str
    period: int
    sex: str
    value: float | None = Field(None, description="None for a suppressed cell (never zero).")
    numerator: float | None = None
    denominator: float | None = None
    status: str
    import_id: int
    import_label: str
    imported_by: str | None = Field(None, description="Who imported (signed-in callers only).")


class ExploreOut(Schema):
    count: int
    capped: bool = Field(description=f"True when there were more than {explorer.ROW_CAP} figures and the rest "
                                     "were left out.")
    units: list[ExploreUnitOut]
    similar: str | None = Field(None, description="What made the similar districts alike.")
    similar_error: str | None = None
    rows: list[ExploreRowOut]


@router.get("/explore", response=ExploreOut, summary="The indicator explorer's figures (the same rows as its page)")
def explore(request, params: Query[ExploreParams]):
    # The page's own parser reads the query string, so the API and the page cannot differ on it.
    query = explorer.explore_query_parse(request.GET)
    result = explorer.explore(query=query, scope=scope_for(caller(request)), similar=similar_districts)
    return {
        "count": len(result.rows), "capped": result.capped,
        "units": [{"key": u.key, "label": u.label, "level": u.level} for u in result.units],
        "similar": result.similar.description if result.similar else None,
        "similar_error": result.similar_error or None,
        "rows": [r.as_dict() for r in result.rows],
    }


@router.get("/indicators/{code}", response=IndicatorOut, summary="One indicator")
def indicator_get(request, code: str):
    return get_object_or_404(Indicator, code=code)


class ImportOut(Schema):
    id: int
    kind: str
    source_name: str
    file_sha256: str
    created_at: dt.datetime
    created_by: str | None = Field(None, description="Who imported (signed-in callers only).")
    rows_created: int
    rows_updated: int
    rows_unchanged: int


class ImportContent(Schema):
    indicator: str
    level: str
    count: int
    first: int
    last: int
    suppressed: int


class ImportDetail(ImportOut):
    contents: list[ImportContent]


class ImportForm(Schema):
    format: Literal["csv", "xlsx", "pxweb", "kolada"]
    indicator: str | None = None
    dry_run: bool = False


class ImportResult(Schema):
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    batch_id: int | None = None
    summary: str


class ImportProblems(Schema):
    detail: str
    problems: list[str]


def _import_row(batch: ImportBatch, *, authors: bool) -> dict:
    return {
        "id": batch.pk, "kind": batch.kind, "source_name": batch.source_name, "file_sha256": batch.file_sha256,
        "created_at": batch.created_at, "created_by": batch.created_by_name if authors else None,
        "rows_created": batch.rows_created, "rows_updated": batch.rows_updated,
        "rows_unchanged": batch.rows_unchanged,
    }


def _imports(request):
    authors = scope_for(caller(request)).sees_import_authors
    return [_import_row(b, authors=authors) for b in selectors.import_list(limit=None)]


list_and_csv(router, "/imports", schema=ImportOut,
             columns=["id", "kind", "source_name", "file_sha256", "created_at", "created_by", "rows_created",
                      "rows_updated", "rows_unchanged"],
             rows=_imports, summary="Imports of figures, newest first")


@router.get("/imports/{import_id}", response={200: ImportDetail, 404: Error},
            summary="One import and what the figures it set are")
def import_get(request, import_id: int):
    batch = get_object_or_404(ImportBatch, pk=import_id)
    row = _import_row(batch, authors=scope_for(caller(request)).sees_import_authors)
    row["contents"] = [{"indicator": c["indicator__code"], "level": c["level"], "count": c["count"],
                        "first": c["first"], "last": c["last"], "suppressed": c["suppressed"]}
                       for c in page_selectors.import_contents(batch=batch)]
    return row


class ImportQueued(Schema):
    task_id: str
    state_url: str


def _prefers_async(request) -> bool:
    """Whether the `Prefer` header (RFC 7240: preferences separated by commas, each a token with
    optional parameters after ";") asks for `respond-async`."""
    for header in request.headers.get("Prefer", "").split(","):
        if header.split(";")[0].strip().lower() == "respond-async":
            return True
    return False


def _refused(exc: ImportFileError) -> Status:
    """The 400 of a refused file, the same whether it was refused in the request or before queueing:
    the first line of the error as `detail`, every problem (file, row, column) in `problems`."""
    return Status(400, {"detail": str(exc).splitlines()[0] if str(exc) else "The file was not imported.",
                        "problems": [str(p) for p in exc.problems]})


@router.post("/imports", auth=WRITE_AUTH,
             response={201: ImportResult, 202: ImportQueued, 400: ImportProblems, 403: Error},
             summary="Import a file of figures (all or nothing; dry_run checks without writing)",
             description="With `Prefer: respond-async` (RFC 7240) and a worker running, the file is imported by "
                         "a background task: the answer is 202 with `Location` (and `state_url`) naming the "
                         "task's state at `/api/tasks/{task_id}`, and `Preference-Applied: respond-async`. "
                         "Without the header, or without a worker, the import runs in the request (201).")
def import_post(request, response: HttpResponse, data: Form[ImportForm], file: File[UploadedFile]):
    if _prefers_async(request) and workers_alive():
        try:
            task_id = observations_import_upload_queue(user=request.auth, upload=file, fmt=data.format,
                                                       indicator=data.indicator, dry_run=data.dry_run,
                                                       channel=RefusedImport.Channel.API)
        except ImportFileError as exc:
            return _refused(exc)
        url = reverse("api:task_get", args=[task_id])
        response["Location"] = url
        response["Preference-Applied"] = "respond-async"
        return Status(202, {"task_id": task_id, "state_url": url})
    try:
        outcome = observations_import_upload(user=request.auth, upload=file, fmt=data.format,
                                             indicator=data.indicator, dry_run=data.dry_run,
                                             channel=RefusedImport.Channel.API)
    except ImportFileError as exc:
        return _refused(exc)
    return Status(201, {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
                        "dry_run": outcome.dry_run, "batch_id": outcome.batch.pk if outcome.batch else None,
                        "summary": outcome.summary()})
