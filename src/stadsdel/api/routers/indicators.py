"""The indicator catalogue and the stored figures (aggregates only; a suppressed figure has no
value, numerator or denominator)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Router, Schema

from stadsdel.api.core import list_and_csv
from stadsdel.indicators.models import Indicator, Observation

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


@router.get("/indicators/{code}", response=IndicatorOut, summary="One indicator")
def indicator_get(request, code: str):
    return get_object_or_404(Indicator, code=code)
