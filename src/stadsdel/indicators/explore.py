"""The indicator explorer's one read: any indicators for any units, years and sexes, as the page
(`/statistics/explore/`), its downloads and the API (`GET /api/indicators/explore`) show them.

The choice lives in the query string (`explore_query_parse`), so a view can be bookmarked and
shared, and the page and the API read the same parameters and call the same selector
(`explore`): they return the same rows. The figures come from one query over the observations'
unique key (indicator, unit, year, sex), at most `ROW_CAP` of them, plus one small query per kind
of unit to name the units. Users see names, never keys: an area is named by its district and
code ("Jordbro 01360017").

Scoping: the stored figures are aggregates that passed disclosure control before they were
stored (a suppressed cell keeps no value, numerator or denominator), and every statistics page
and `GET /api/indicators/observations` show them to anyone; the explorer shows exactly those.
Who ran an import is staff information: the rows carry it only for a scope that
`sees_import_authors`, as the import pages do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from stadsdel.accounts.scoping import Scope
from stadsdel.areas.models import County, District, DistrictArea, Municipality
from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation
from stadsdel.ui.templatetags.stadsdel import in_language

# More figures than a page can show as a table; the page and the API say when a view was cut.
ROW_CAP = 2000
VIEWS = ("line", "bar", "table")
SIMILAR_BY = ("area_type", "risk_band")
COUNTRY_KEY = "country:SE"
# Enough units for any comparison a person reads; a longer list is cut (and said so).
UNIT_CAP = 400


def _ints(values) -> list[int]:
    out = []
    for v in values:
        try:
            number = int(v)
        except (TypeError, ValueError):
            continue  # a malformed value in a shared URL is ignored, not a server error
        if 0 <= number < 2**31:  # an id or a year; a larger number is no row (and no database error)
            out.append(number)
    return out


def _int(value) -> int | None:
    found = _ints([value])
    return found[0] if found else None


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v not in ("", None)))


@dataclass(frozen=True)
class ExploreQuery:
    """What the user chose: the parameters of the page's GET form and of the API operation."""

    indicators: tuple[str, ...] = ()
    districts: tuple[int, ...] = ()
    areas_of: tuple[int, ...] = ()  # districts whose statistical areas are shown
    municipalities: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    country: bool = False
    similar_to: int | None = None  # a district: add the districts like it …
    similar_by: str = "area_type"  # … by SCB area type or by risk-index band
    year_from: int | None = None
    year_to: int | None = None
    sexes: tuple[str, ...] = (Observation.Sex.TOTAL,)
    view: str = "line"
    year: int | None = None  # the bar chart's year (default: the latest shown)
    all_municipalities: bool = False  # "all": every municipality (a URL of 290 codes is too long)
    all_counties: bool = False

    @property
    def is_empty(self) -> bool:
        has_units = (self.districts or self.areas_of or self.municipalities or self.counties or self.country
                     or self.all_municipalities or self.all_counties or self.similar_to is not None)
        return not (self.indicators and has_units)


def explore_query_parse(params: Mapping) -> ExploreQuery:
    """The query from a QueryDict (the page) or a dict of lists (the API). Unknown or malformed
    values are dropped, so an old bookmark still opens."""

    def many(name: str) -> list[str]:
        getter = getattr(params, "getlist", None)
        raw = getter(name) if getter else params.get(name) or []
        if isinstance(raw, str):
            raw = [raw]
        # "a,b" as well as a=…&a=…: the API's callers write lists either way.
        # A NUL is in no code or id (and PostgreSQL refuses it in a query): such a value is dropped.
        return _unique(part.strip() for value in raw for part in str(value).split(",") if "\x00" not in part)

    def one(name: str) -> str:
        values = many(name)
        return values[0] if values else ""

    sexes = tuple(s for s in many("sex") if s in Observation.Sex.values) or (Observation.Sex.TOTAL,)
    year_from, year_to = _int(one("from")), _int(one("to"))
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    view = one("view")
    similar_by = one("similar_by")
    return ExploreQuery(
        indicators=tuple(many("indicator")),
        districts=tuple(_ints(many("district"))),
        areas_of=tuple(_ints(many("areas_of"))),
        municipalities=tuple(c for c in many("municipality") if c != "all"),
        counties=tuple(c for c in many("county") if c != "all"),
        country=one("country") in ("1", "true", "on", "yes"),
        all_municipalities="all" in many("municipality"),
        all_counties="all" in many("county"),
        similar_to=_int(one("similar_to")),
        similar_by=similar_by if similar_by in SIMILAR_BY else "area_type",
        year_from=year_from,
        year_to=year_to,
        sexes=sexes,
        view=view if view in VIEWS else "line",
        year=_int(one("year")),
    )


@dataclass(frozen=True)
class ExploreUnit:
    """One unit shown: its observation key, the name users see and what kind of unit it is."""

    key: str
    label: str
    level: str


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower, on 2 000 rows
class ExploreRow:
    """One figure as the table, the downloads and the API show it. `value`, `numerator` and
    `denominator` are None for a suppressed cell (status `suppressed`), never zero."""

    indicator: str
    indicator_name: str
    unit: str  # the name users see
    unit_key: str
    level: str
    period: int
    sex: str
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    import_id: int
    import_label: str
    imported_by: str | None = None  # only for a scope that sees import authors

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass
class ExploreResult:
    query: ExploreQuery
    indicators: list[Indicator] = field(default_factory=list)
    units: list[ExploreUnit] = field(default_factory=list)
    rows: list[ExploreRow] = field(default_factory=list)
    capped: bool = False
    units_capped: bool = False
    similar: object | None = None  # indices.selectors.SimilarDistricts
    similar_error: str = ""

    @property
    def years(self) -> list[int]:
        return sorted({r.period for r in self.rows})

    @property
    def bar_year(self) -> int | None:
        years = self.years
        if not years:
            return None
        return self.query.year if self.query.year in years else years[-1]

    @property
    def suppressed(self) -> int:
        return sum(1 for r in self.rows if r.status == Observation.Status.SUPPRESSED)

    def rows_for(self, indicator: Indicator) -> list[ExploreRow]:
        return [r for r in self.rows if r.indicator == indicator.code]


def _district_label(district: District) -> str:
    return f"{district.name} ({district.municipality.name})"


def _units(query: ExploreQuery, similar_ids: list[int]) -> list[ExploreUnit]:
    """The chosen units in the order the form lists their kinds, each named. A few queries,
    one per kind of unit chosen."""
    units: list[ExploreUnit] = []
    district_ids = _unique([*query.districts, *similar_ids])
    if district_ids or query.areas_of:
        districts = {d.pk: d for d in District.objects.filter(pk__in=[*district_ids, *query.areas_of])
                     .select_related("municipality")}
        units += [ExploreUnit(f"district:{pk}", _district_label(districts[pk]), Level.DISTRICT)
                  for pk in district_ids if pk in districts]
        if query.areas_of:
            memberships = (DistrictArea.objects.filter(district_id__in=query.areas_of)
                           .select_related("area__code_system").order_by("area__code"))
            by_district: dict[int, list[ExploreUnit]] = {}
            for m in memberships:
                by_district.setdefault(m.district_id, []).append(ExploreUnit(
                    f"area:{m.area.code_system.code}:{m.area.code}",
                    f"{districts[m.district_id].name} {m.area.code}", Level.AREA))
            for pk in query.areas_of:
                units += by_district.get(pk, [])
    if query.municipalities or query.all_municipalities:
        found = Municipality.objects.order_by("name").values_list("code", "name")
        names = dict(found if query.all_municipalities else found.filter(code__in=query.municipalities))
        codes = list(names) if query.all_municipalities else query.municipalities
        units += [ExploreUnit(f"municipality:{c}", names[c], Level.MUNICIPALITY) for c in codes if c in names]
    if query.counties or query.all_counties:
        found = County.objects.order_by("name").values_list("code", "name")
        names = dict(found if query.all_counties else found.filter(code__in=query.counties))
        codes = list(names) if query.all_counties else query.counties
        units += [ExploreUnit(f"county:{c}", names[c], Level.COUNTY) for c in codes if c in names]
    if query.country:
        units.append(ExploreUnit(COUNTRY_KEY, _("Sweden"), Level.COUNTRY))
    seen: set[str] = set()
    return [u for u in units if not (u.key in seen or seen.add(u.key))]


def explore(
    *, query: ExploreQuery, scope: Scope, similar: Callable | None = None, cap: int = ROW_CAP,
) -> ExploreResult:
    """The figures of the chosen indicators for the chosen units, years and sexes, ordered by
    indicator (catalogue order), unit (in the order chosen), year and sex; at most `cap` rows
    (`capped` says when there were more).

    `similar(district=…, by=…)` finds the districts like `query.similar_to` (the index app's
    `similar_districts`, handed in by the page and the API: that app sits above this one); it
    may raise LookupError or ValueError when the measure cannot be computed, which the result
    reports in `similar_error` and the other units are shown all the same."""
    result = ExploreResult(query=query)
    if query.is_empty:
        return result
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=query.indicators)}
    result.indicators = [indicators[c] for c in query.indicators if c in indicators]
    similar_ids: list[int] = []
    if query.similar_to is not None and similar is not None:
        district = District.objects.filter(pk=query.similar_to).select_related("municipality").first()
        if district is not None:
            try:
                result.similar = similar(district=district, by=query.similar_by)
            except (LookupError, ValueError) as exc:
                result.similar_error = str(exc)
            else:
                similar_ids = [d.pk for d in result.similar.districts]
    units = _units(query, similar_ids)
    result.units_capped = len(units) > UNIT_CAP
    result.units = units[:UNIT_CAP]
    if not result.indicators or not result.units:
        return result
    label = {u.key: u for u in result.units}
    qs = Observation.objects.filter(
        indicator_id__in=[i.pk for i in result.indicators], unit_key__in=list(label), sex__in=query.sexes,
    )
    if query.year_from is not None:
        qs = qs.filter(period__gte=query.year_from)
    if query.year_to is not None:
        qs = qs.filter(period__lte=query.year_to)
    authors = scope.sees_import_authors
    fetched = list(qs.order_by("indicator_id", "unit_key", "period", "sex").values_list(
        "indicator_id", "unit_key", "level", "period", "sex", "value", "numerator", "denominator", "status",
        "batch_id", "batch__kind", "batch__source_name", "batch__created_at", "batch__created_by_name",
    )[:cap + 1])
    result.capped = len(fetched) > cap
    by_pk = {i.pk: i for i in result.indicators}
    indicator_order = {i.pk: n for n, i in enumerate(result.indicators)}
    unit_order = {u.key: n for n, u in enumerate(result.units)}
    sex_order = {s: n for n, s in enumerate(Observation.Sex.values)}
    fetched = sorted(fetched[:cap], key=lambda r: (indicator_order[r[0]], unit_order[r[1]], r[3], sex_order[r[4]]))
    suppressed = Observation.Status.SUPPRESSED
    names = {pk: in_language(i) for pk, i in by_pk.items()}
    kinds = dict(ImportBatch.Kind.choices)
    imports = {batch_id: f"{kinds.get(kind, kind)} {source} ({created:%Y-%m-%d})"
               for *_, batch_id, kind, source, created, _author in fetched}
    result.rows = [
        ExploreRow(
            indicator=by_pk[ind].code, indicator_name=names[ind], unit=label[key].label, unit_key=key,
            level=level, period=period, sex=sex,
            # A suppressed cell has no figure: never shown, summed or charted as zero.
            value=None if status == suppressed else value,
            numerator=None if status == suppressed else numerator,
            denominator=None if status == suppressed else denominator,
            status=status, import_id=batch_id, import_label=imports[batch_id],
            imported_by=(author or None) if authors else None,
        )
        for (ind, key, level, period, sex, value, numerator, denominator, status, batch_id, kind, source, created,
             author) in fetched
    ]
    return result


def explore_choices() -> dict:
    """What the form offers: the catalogue, the districts (committee areas too), municipalities
    and counties, each by name. Four queries."""
    return {
        "indicators": list(Indicator.objects.all()),
        "districts": list(District.objects.select_related("municipality").order_by("municipality__name", "name")),
        "municipalities": list(Municipality.objects.order_by("name").values_list("code", "name")),
        "counties": list(County.objects.order_by("name").values_list("code", "name")),
    }
