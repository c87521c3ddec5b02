"""Municipalities, districts and the boundaries of statistical areas (public registry data)."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router, Schema

from stadsdel.agreements.selectors import municipality_list
from stadsdel.api.core import list_and_csv
from stadsdel.areas import selectors
from stadsdel.areas.models import AreaBoundary, District, Municipality

router = Router(tags=["areas"])


class MunicipalityOut(Schema):
    code: str
    name: str
    county_code: str | None = None

    @staticmethod
    def resolve_county_code(obj):
        return obj.county.code if getattr(obj, "county", None) else None


class DistrictOut(Schema):
    id: int
    name: str
    kind: str
    municipality_code: str
    parent_id: int | None = None
    area_codes: list[str]

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.municipality.code

    @staticmethod
    def resolve_area_codes(obj):
        return [m.area.code for m in obj.memberships.all()]


class DistrictFilter(FilterSchema):
    municipality: str | None = None


def _districts(request, municipality: str | None = None):
    qs = District.objects.select_related("municipality").prefetch_related("memberships__area").order_by(
        "municipality__name", "name")
    return qs.filter(municipality__code=municipality) if municipality else qs


list_and_csv(router, "/municipalities", schema=MunicipalityOut, columns=["code", "name", "county_code"],
             rows=lambda request: municipality_list().select_related("county"), summary="Municipalities")
list_and_csv(router, "/districts", schema=DistrictOut,
             columns=["id", "name", "kind", "municipality_code", "parent_id", "area_codes"],
             rows=_districts, summary="Districts", filters=DistrictFilter)


@router.get("/municipalities/{code}", response=MunicipalityOut, summary="One municipality")
def municipality_get(request, code: str):
    return get_object_or_404(Municipality.objects.select_related("county"), code=code)


@router.get("/districts/{district_id}", response=DistrictOut, summary="One district")
def district_get(request, district_id: int):
    return get_object_or_404(District.objects.select_related("municipality").prefetch_related("memberships__area"),
                             pk=district_id)


class BoundaryOut(Schema):
    code_system: str
    code: str
    source: str
    file_sha256: str
    loaded_at: dt.datetime


class BoundaryFilter(FilterSchema):
    code_system: str | None = None


def _boundaries(request, code_system: str | None = None):
    # Without the geometry: a list of what is loaded, from which file; the shapes come from
    # /boundaries/{code_system}/features.
    qs = AreaBoundary.objects.order_by("area__code_system__code", "area__code")
    if code_system:
        qs = qs.filter(area__code_system__code=code_system)
    return [{"code_system": s, "code": c, "source": src, "file_sha256": sha, "loaded_at": at}
            for s, c, src, sha, at in qs.values_list("area__code_system__code", "area__code", "source",
                                                     "file_sha256", "loaded_at")]


list_and_csv(router, "/boundaries", schema=BoundaryOut,
             columns=["code_system", "code", "source", "file_sha256", "loaded_at"],
             rows=_boundaries, summary="Loaded area boundaries (without the shapes)", filters=BoundaryFilter)


class FeatureFilter(Schema):
    codes: str | None = None  # comma-separated area codes; all of the code system when left out


@router.get("/boundaries/{code_system}/features", summary="Area boundaries as a GeoJSON FeatureCollection",
            openapi_extra={"responses": {200: {"description": "GeoJSON FeatureCollection (WGS84)", "content": {
                "application/geo+json": {"schema": {"type": "object"}}}}}})
def boundary_features(request, code_system: str, f: Query[FeatureFilter]):
    if f.codes:
        codes = [c.strip() for c in f.codes.split(",") if c.strip()]
    else:
        codes = AreaBoundary.objects.filter(area__code_system__code=code_system).values_list("area__code", flat=True)
    features = selectors.boundary_features(code_system=code_system, codes=codes)
    return JsonResponse({"type": "FeatureCollection", "features": list(features.values())},
                        content_type="application/geo+json")
