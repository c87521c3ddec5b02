"""District figures summed from their areas' numerators and denominators."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from stadsdel.areas.models import DistrictArea
from stadsdel.core.progress import Progress, quiet
from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation
from stadsdel.indicators.services.observations import (
    NewObservation,
    WriteOutcome,
    observations_write,
)
from stadsdel.indicators.services.units import unit_for_area_code, unit_for_district


def _district_memberships() -> tuple[dict[int, list[int]], set[str]]:
    """District id → statistical area ids, for every district with areas; and the unit keys
    of those areas (what their figures are stored under)."""
    result: dict[int, list[int]] = defaultdict(list)
    unit_keys: set[str] = set()
    for district_id, area_id, code, system in DistrictArea.objects.order_by().values_list(
            "district_id", "area_id", "area__code", "area__code_system__code"):
        result[district_id].append(area_id)
        unit_keys.add(unit_for_area_code(area_id, system, code).key)
    return result, unit_keys


def aggregates_refresh(
    *, indicator_ids: Iterable[int], periods: Iterable[int], batch: ImportBatch, user=None, progress: Progress = quiet,
) -> WriteOutcome:
    """Recompute district figures from their areas' numerators and denominators.

    A district gets a figure only when every one of its areas has one with numerator and
    denominator: a sum over part of a district would be a different district. Rates are
    Σnumerator / Σdenominator, never a mean of the areas' rates.
    """
    indicator_ids, periods = set(indicator_ids), set(periods)
    if not indicator_ids or not periods:
        return WriteOutcome()
    memberships, unit_keys = _district_memberships()
    if not memberships:
        return WriteOutcome()
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=indicator_ids)}
    area_rows = defaultdict(dict)  # (indicator, period, sex) -> area id -> (num, den, status, crosswalk)
    # Only the areas of some district (a few hundred ids): a national file's thousands of other
    # areas sum into nothing. A list, not a subquery: planned on the statistics of a table the
    # import has just grown, PostgreSQL scanned every figure for the subquery (0.7 s a file).
    # Not asked for the level (only area figures have an area; checked below): asked for it,
    # SQLite read every area figure of those years through the (level, year) index. Asked by
    # unit key as well, so that the unique key's index (indicator, unit key, …) finds the few
    # figures of each area: asked by indicator and area id alone, SQLite read every figure of
    # the indicator (120 000 for a national file: 0.06 s of a 0.6 s unchanged import).
    for o in Observation.objects.filter(
        indicator_id__in=indicator_ids, unit_key__in=unit_keys, period__in=periods,
        statistical_area_id__in={a for area_ids in memberships.values() for a in area_ids},
    ).order_by().values(
        "indicator_id", "period", "sex", "statistical_area_id", "numerator", "denominator", "status", "crosswalk_id",
        "level",
    ):
        if o["level"] != Level.AREA:
            continue
        area_rows[(o["indicator_id"], o["period"], o["sex"])][o["statistical_area_id"]] = o
    rows: list[NewObservation] = []
    for district_id, area_ids in memberships.items():
        for (indicator_id, period, sex), by_area in area_rows.items():
            parts = [by_area.get(a) for a in area_ids]
            if not any(parts):
                continue
            if any(p is None or p["numerator"] is None or not p["denominator"] or p["status"] == "suppressed" for p in parts):
                continue
            num = sum(p["numerator"] for p in parts)
            den = sum(p["denominator"] for p in parts)
            status = "provisional" if any(p["status"] == "provisional" for p in parts) else "ok"
            crosswalks = {p["crosswalk_id"] for p in parts if p["crosswalk_id"]}
            rows.append(NewObservation(
                indicator_id, unit_for_district(district_id), period, sex, indicators[indicator_id].scale * num / den,
                num, den, status, crosswalk_id=min(crosswalks) if crosswalks else None,
            ))
    if rows:
        progress(f"summerar {len(rows)} stadsdelsvärden från områdena")
    return observations_write(rows, batch=batch, user=user, progress=progress)
