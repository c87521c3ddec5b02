"""Index models and their results over the stored statistics."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.api.core import Error, Invalid, list_and_csv
from stadsdel.indices.models import IndexModel
from stadsdel.indices.selectors import LEVELS, index_run
from stadsdel.lib.index import IndexInputError

router = Router(tags=["indices"])


class IndexModelOut(Schema):
    id: int
    name: str
    version: int
    base_year: int | None = None
    reference_municipality: str | None = None
    active: bool
    domains: list[dict]

    @staticmethod
    def resolve_reference_municipality(obj):
        return obj.reference_municipality.code if obj.reference_municipality else None


class IndexRecord(Schema):
    unit: str
    year: int
    index: float | None = None
    domains: dict[str, float | None]
    rank: int | None = None


list_and_csv(router, "/models", schema=IndexModelOut,
             columns=["id", "name", "version", "base_year", "reference_municipality", "active"],
             rows=lambda request: IndexModel.objects.select_related("reference_municipality").order_by("name", "-version"),
             summary="Index model versions")


@router.get("/models/{model_id}", response=IndexModelOut, summary="One index model version")
def model_get(request, model_id: int):
    return get_object_or_404(IndexModel.objects.select_related("reference_municipality"), pk=model_id)


@router.get("/models/{model_id}/results", response={200: list[IndexRecord], 404: Error, 422: Invalid},
            summary="The index per unit and year (the `stadsdel index compute` records)")
def model_results(request, model_id: int, year: int | None = None, level: str = "district"):
    model = get_object_or_404(IndexModel, pk=model_id)
    if level not in LEVELS:
        raise HttpError(422, f"level must be one of {', '.join(LEVELS)}")
    try:
        run = index_run(model=model, years=[year] if year is not None else None, level=level)
    except IndexInputError as exc:
        return Status(404, {"detail": str(exc)})
    return run.result.records()
