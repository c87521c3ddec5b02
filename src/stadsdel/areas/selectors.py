"""Reads of municipalities and districts. These records are public: everyone may read them.
(Which municipalities the pages list depends on their agreements: agreements.selectors.municipality_list.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet

from stadsdel.areas.models import (
    AreaBoundary,
    District,
    DistrictArea,
    Municipality,
    MunicipalityBoundary,
    StatisticalArea,
)
from stadsdel.lib.geojson import geometry_for_d3
from stadsdel.sources.models import SourceIssue
from stadsdel.sources.selectors import source_issues_for


def district_list(*, municipality: Municipality | None = None) -> QuerySet[District]:
    """Districts with what pages and exports show of them. (Districts under agreements in force
    in a year: agreements.selectors.districts_in_force.)"""
    qs = District.objects.select_related("municipality", "code_system", "parent").prefetch_related(
        Prefetch("memberships", queryset=DistrictArea.objects.select_related("area").order_by("area__code"))
    )
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs.order_by("name", "municipality__name")


def district_export(districts) -> list[dict]:
    """The `stadsdel districts --json` shape: one plain dict per district."""
    districts = list(districts)
    issues = source_issues_for(districts)
    rows = []
    for d in districts:
        recorded = issues.get(d.pk, [])
        rows.append({
            "name": d.name,
            "municipality_code": d.municipality.code,
            "municipality": d.municipality.name,
            "kind": d.kind,
            "part_of": d.parent.name if d.parent else None,
            "code_system": d.code_system.code if d.code_system else None,
            "codes": [m.area.code for m in d.memberships.all()],
            "aliases": list(d.aliases),
            "issues": [i.message for i in recorded if i.severity == SourceIssue.Severity.ERROR],
            "notes": [i.message for i in recorded if i.severity == SourceIssue.Severity.NOTE],
        })
    return rows


def municipality_get(*, code: str) -> Municipality:
    """Any of the 290 municipalities, listed or not."""
    return Municipality.objects.select_related("county").prefetch_related(
        Prefetch("districts", queryset=District.objects.select_related("code_system", "parent")
                 .annotate(area_count=Count("memberships")).order_by("name"))
    ).get(code=code)


def district_get(*, pk: int) -> District:
    """One district with its nesting and its statistical areas (and their code systems)."""
    return District.objects.select_related("municipality__county", "code_system", "parent").prefetch_related(
        Prefetch("children", queryset=District.objects.order_by("name")),
        Prefetch("memberships", queryset=DistrictArea.objects.select_related("area__code_system").order_by("area__code")),
    ).get(pk=pk)


def boundary_features(*, code_system: str, codes: Iterable[str]) -> dict[str, dict]:
    """The stored boundaries of the areas `codes` of a (national) code system, by code: GeoJSON
    Features with `properties` {"code", "source"}. Codes without a boundary are left out, so
    a page can tell which areas a map cannot draw."""
    codes = set(codes)
    rows = AreaBoundary.objects.filter(area__code_system__code=code_system)
    if len(codes) <= BOUNDARY_CODES_IN_QUERY:
        rows = rows.filter(area__code__in=list(codes))
    return {
        code: {"type": "Feature", "geometry": geometry, "properties": {"code": code, "source": source}}
        for code, geometry, source in rows.values_list("area__code", "geometry", "source").order_by("area__code")
        if code in codes
    }


# Past this many codes (a national run's 6 000 areas) the code system's boundaries are read whole
# and picked here: cheaper than a query naming every code, as there are seldom more boundaries
# loaded than the codes asked for.
BOUNDARY_CODES_IN_QUERY = 500


def district_labels(districts: Iterable[District]) -> dict[int, str]:
    """Each district's name with its municipality ("Centrum (Malmö)"), and its kind too where a
    namesake lies in the same municipality ("Farsta (Stockholm, stadsdelsnämndsområde)": Stockholm's
    committee area has its district's name). Namesakes are looked for among all districts."""
    districts = list(districts)
    same_place: set[tuple[str, int]] = set()
    seen: dict[tuple[str, int], int] = {}
    for name, municipality_id in District.objects.filter(name__in={d.name for d in districts}).values_list(
            "name", "municipality_id"):
        seen[(name, municipality_id)] = seen.get((name, municipality_id), 0) + 1
        if seen[(name, municipality_id)] > 1:
            same_place.add((name, municipality_id))
    labels = {}
    for d in districts:
        if (d.name, d.municipality_id) in same_place:
            labels[d.pk] = f"{d.name} ({d.municipality.name}, {d.get_kind_display()})"
        else:
            labels[d.pk] = f"{d.name} ({d.municipality.name})"
    return labels


def area_labels(*, code_system: str, codes: Iterable[str], municipality: bool = True) -> dict[str, str]:
    """Each area's label, by code, for a page listing areas: its name with its municipality
    ("Rinkeby (Stockholm)"), or, without a name (DeSO areas have none), its code with its
    municipality ("0180C1090 (Stockholm)"), so a reader can place it. A name that more than one
    area bears in a municipality gets the code too ("Centrum (Malmö, 12800101)"): a label names
    one area. Codes not stored keep the code alone. `municipality=False`: the name, else the
    code, alone (a map's labels, inside the municipality's named outline)."""
    codes = set(codes)
    rows = StatisticalArea.objects.filter(code_system__code=code_system)
    if len(codes) <= BOUNDARY_CODES_IN_QUERY:
        rows = rows.filter(code__in=list(codes))
    found = [(code, name.strip(), municipality) for code, name, municipality in
             rows.values_list("code", "name", "municipality__name") if code in codes]
    named = Counter((name, municipality) for _code, name, municipality in found if name)
    labels = {code: code for code in codes}
    for code, name, place in found:
        if not municipality:
            labels[code] = name or code
        elif not name:
            labels[code] = f"{code} ({place})"
        elif named[(name, place)] > 1:
            labels[code] = f"{name} ({place}, {code})"
        else:
            labels[code] = f"{name} ({place})"
    return labels


# Prepared outlines (rounded, simplified, wound for d3-geo) by boundary, file and load time: the
# national map draws all 290 on every view, and decoding and preparing them is most of its time.
# A new load changes `loaded_at`, so a stale entry is never used; the dict is emptied when full.
_PREPARED: dict[tuple, dict] = {}
_PREPARED_MAX = 3000


def municipality_outlines(*, codes: Iterable[str] | None = None, decimals: int | None = None) -> dict[str, dict]:
    """The stored outlines of the municipalities (all, or those with `codes`), by code: GeoJSON
    Features with `properties` {"code", "label": the name, "source"}. Municipalities without an
    outline are left out. With `decimals` the geometries come ready for a map
    (`lib.geojson.geometry_for_d3`: rounded, simplified to the rounding, wound for d3-geo)."""
    rows = MunicipalityBoundary.objects.all()
    if codes is not None:
        rows = rows.filter(municipality__code__in=list(codes))
    heads = list(rows.order_by("municipality__code").values_list(
        "pk", "municipality__code", "municipality__name", "source", "file_sha256", "loaded_at"))
    keys = {pk: (pk, sha, loaded, decimals) for pk, _c, _n, _s, sha, loaded in heads}
    missing = [pk for pk, key in keys.items() if key not in _PREPARED]
    if missing:
        if len(_PREPARED) + len(missing) > _PREPARED_MAX:
            _PREPARED.clear()
        for pk, geometry in MunicipalityBoundary.objects.filter(pk__in=missing).values_list("pk", "geometry"):
            _PREPARED[keys[pk]] = geometry if decimals is None else geometry_for_d3(geometry, decimals=decimals)
    return {
        code: {"type": "Feature", "geometry": _PREPARED[keys[pk]],
               "properties": {"code": code, "label": name, "source": source}}
        for pk, code, name, source, _sha, _loaded in heads
    }


def boundaries_synthetic(sources: Iterable[str]) -> bool:
    """Whether any of these boundary files is invented rather than a real map: the demo's files
    say so in their name (`demo.builder.BOUNDARIES_FILE_NAME`), and a map drawn from one must
    say so on the map itself."""
    return any("synthetic" in source.casefold() for source in sources)
