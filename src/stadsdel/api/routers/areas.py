"""Municipalities and districts (public registry data)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Router, Schema

from stadsdel.api.core import list_and_csv
from stadsdel.areas import selectors
from stadsdel.areas.models import District, Municipality

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
             rows=lambda request: selectors.municipality_list().select_related("county"), summary="Municipalities")
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
