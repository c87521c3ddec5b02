"""Reads for the statistics pages: the catalogue with its latest figures, a district's series
against its municipality, county and the country, its seven-dimension profile with the district
rule's verdict, the headline counts per district, and what one import set.

Everything here is public aggregate data (disclosure control happened before storing); who ran
an import is staff information and is left to the page to show or hide by the user's scope.
Each function runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q

from stadsdel.areas.models import District
from stadsdel.indicators import compute, exclusion
from stadsdel.indicators.models import (
    Dimension,
    ExclusionRule,
    ImportBatch,
    Indicator,
    Level,
    Observation,
)

# The levels a district is compared with, in the order charts and tables show them.
SERIES_LEVELS = (Level.DISTRICT, Level.MUNICIPALITY, Level.COUNTY, Level.COUNTRY)


# -- the catalogue ------------------------------------------------------------------------------


@dataclass
class LatestTable:
    """An indicator's figures for its latest year with data, per municipality and district."""

    year: int | None
    rows: list[Observation]

    @property
    def suppressed(self) -> int:
        return sum(1 for o in self.rows if o.status == Observation.Status.SUPPRESSED)


def indicator_latest_table(*, indicator: Indicator, sex: str = Observation.Sex.TOTAL) -> LatestTable:
    """The latest year's figures of the municipalities and districts that have one: municipalities
    first, then districts, each by name. Two queries."""
    levels = [Level.MUNICIPALITY, Level.DISTRICT]
    base = Observation.objects.filter(indicator=indicator, sex=sex, level__in=levels)
    year = base.aggregate(latest=Max("period"))["latest"]
    if year is None:
        return LatestTable(None, [])
    rows = list(
        base.filter(period=year).select_related("municipality", "district__municipality", "crosswalk", "batch")
    )

    def order(o: Observation):
        if o.level == Level.MUNICIPALITY:
            return (0, o.municipality.name if o.municipality else o.unit_key, "")
        return (1, o.district.name if o.district else o.unit_key,
                o.district.municipality.name if o.district else "")

    rows.sort(key=order)
    return LatestTable(year, rows)


# -- a district's series ------------------------------------------------------------------------


@dataclass
class SeriesYear:
    """One year of an indicator: the district's figure and its references' (None: no figure)."""

    year: int
    district: Observation | None = None
    municipality: Observation | None = None
    county: Observation | None = None
    country: Observation | None = None

    def at(self, level: str) -> Observation | None:
        return getattr(self, level)


@dataclass
class IndicatorSeries:
    """An indicator's yearly figures for a district, its municipality, county and the country,
    over the years the district has figures."""

    indicator: Indicator
    years: list[SeriesYear] = field(default_factory=list)

    @property
    def levels(self) -> list[str]:
        """The levels with at least one figure (the country only when it was imported)."""
        return [lv for lv in SERIES_LEVELS if any(y.at(lv) is not None for y in self.years)]

    @property
    def crosswalks(self) -> list[str]:
        """The crosswalks the district's or a reference's figures were mapped through."""
        names = {
            o.crosswalk.name for y in self.years for o in (y.at(lv) for lv in SERIES_LEVELS)
            if o is not None and o.crosswalk is not None
        }
        return sorted(names)

    @property
    def latest(self) -> SeriesYear | None:
        return self.years[-1] if self.years else None

    @property
    def table(self) -> list[tuple[SeriesYear, list[Observation | None]]]:
        """Each year with its figures at the levels shown, in `levels` order."""
        levels = self.levels
        return [(y, [y.at(lv) for lv in levels]) for y in self.years]

    def long_rows(self, labels: dict[str, str]) -> list[dict]:
        """The chart's data: one {year, series, level, value} per year and level shown; values
        unrounded, None where there is no value (suppressed or missing), so the line breaks."""
        rows = []
        for level in self.levels:
            for y in self.years:
                o = y.at(level)
                rows.append({
                    "year": y.year, "series": labels[level], "level": level,
                    "value": o.value if o is not None else None,
                })
        return rows


def district_series(*, district: District, sex: str = Observation.Sex.TOTAL) -> list[IndicatorSeries]:
    """Every indicator with figures for the district (in catalogue order) as a series against
    the district's municipality, county and the country. Two queries."""
    municipality = district.municipality
    observations = list(
        Observation.objects.filter(sex=sex).filter(
            Q(level=Level.DISTRICT, district=district)
            | Q(level=Level.MUNICIPALITY, municipality_id=municipality.pk)
            | Q(level=Level.COUNTY, county_id=municipality.county_id)
            | Q(level=Level.COUNTRY),
            indicator__in=Observation.objects.filter(level=Level.DISTRICT, district=district).values("indicator"),
        ).select_related("crosswalk")
    )
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={o.indicator_id for o in observations})}
    by_indicator: dict[int, dict[str, dict[int, Observation]]] = {}
    for o in observations:
        by_indicator.setdefault(o.indicator_id, {}).setdefault(o.level, {})[o.period] = o
    result = []
    for indicator in sorted(indicators.values(), key=lambda i: (i.position, i.code)):
        levels = by_indicator[indicator.pk]
        district_years = levels.get(Level.DISTRICT, {})
        if not district_years:
            continue
        first, last = min(district_years), max(district_years)
        series = IndicatorSeries(indicator)
        for year in range(first, last + 1):
            series.years.append(SeriesYear(year, **{
                level: levels.get(level, {}).get(year) for level in SERIES_LEVELS
            }))
        result.append(series)
    return result


def district_statistics_summary(*, district: District) -> dict:
    """How many indicators and which years the district has figures for (one query)."""
    summary = Observation.objects.filter(level=Level.DISTRICT, district=district).aggregate(
        indicators=Count("indicator", distinct=True), first=Min("period"), last=Max("period"),
    )
    return summary


# -- the seven-dimension profile ----------------------------------------------------------------


@dataclass
class ProfileRow:
    label: str
    indicator: Indicator | None
    comparison: compute.DimensionComparison

    def _verdict(self, worse: bool | None, diff: float | None) -> str | None:
        # "worse" is the rule's comparison (with its margin); "not worse" without being better
        # is a tie, or worse by less than the margin.
        if worse is None:
            return None
        if worse:
            return "worse"
        higher_better = self.indicator is None or self.indicator.direction == Indicator.Direction.HIGHER_BETTER
        if diff is not None and (diff > 0 if higher_better else diff < 0):
            return "better"
        return "not_worse"

    @property
    def against_municipality(self) -> str | None:
        return self._verdict(self.comparison.worse_than_municipality, self.comparison.diff_municipality)

    @property
    def against_county(self) -> str | None:
        return self._verdict(self.comparison.worse_than_county, self.comparison.diff_county)


@dataclass
class DistrictProfile:
    """A district's seven dimensions in one year against its municipality and county, and the
    district rule's verdict (None: no rule, or no figures that year)."""

    year: int | None
    years: list[int]
    rows: list[ProfileRow]
    rule: ExclusionRule | None
    verdict: compute.Classification | None


def district_profile(*, district: District, year: int | None = None,
                     labels: dict[str, str] | None = None) -> DistrictProfile:
    """The profile for `year` (default: the district's latest year with figures). `labels` names
    the dimensions (the national programme's texts: `plans.selectors.dimension_labels`); by
    default each dimension's name."""
    years = exclusion.district_years(district=district)
    if year is None or year not in years:
        year = years[-1] if years else None
    rule = exclusion.district_rule()
    if year is None:
        return DistrictProfile(None, years, [], rule, None)
    dims = exclusion.dimension_indicators()
    comparisons = exclusion.district_profile(district=district, year=year, dims=dims, rule=rule)
    indicators = {i.code: i for i in dims.values()}
    if labels is None:
        labels = {key: str(label) for key, label in Dimension.choices}
    rows = [ProfileRow(labels.get(c.dimension, c.dimension), indicators.get(c.indicator), c) for c in comparisons]
    verdict = None
    if rule is not None and any(c.district is not None for c in comparisons):
        verdict = compute.district_classify(comparisons, rule.parameters)
    return DistrictProfile(year, years, rows, rule, verdict)


# -- the headline counts per district -----------------------------------------------------------


@dataclass
class DistrictVerdict:
    district: District
    verdict: compute.Classification | None


def districts_marked(*, headline: exclusion.HeadlineCounts, year: int | None) -> list[DistrictVerdict]:
    """Every district (not the committee areas) with the district rule's verdict in `year`, by
    municipality and name. One query; the verdicts come from `headline_counts`."""
    verdicts = headline.marked.get(year, {}) if year is not None else {}
    districts = District.objects.filter(kind=District.Kind.DISTRICT).select_related("municipality")
    return [
        DistrictVerdict(d, verdicts.get(d.pk))
        for d in districts.order_by("municipality__name", "name")
    ]


# -- imports ------------------------------------------------------------------------------------


def import_get(*, pk: int) -> ImportBatch:
    return ImportBatch.objects.select_related("created_by", "rule").get(pk=pk)


def import_option_indicator(*, batch: ImportBatch) -> Indicator | None:
    """The indicator an import was told to load (its options hold the code), to show by name."""
    code = (batch.options or {}).get("indicator")
    return Indicator.objects.filter(code=code).first() if code else None


def import_contents(*, batch: ImportBatch) -> list[dict]:
    """What the figures that this import last set are: per indicator and level, how many and
    which years. (Figures a later import changed point to that import instead.) One query."""
    return list(
        Observation.objects.filter(batch=batch)
        .values("indicator__code", "indicator__name", "indicator__name_en", "level")
        .annotate(count=Count("id"), first=Min("period"), last=Max("period"),
                  suppressed=Count("id", filter=Q(status=Observation.Status.SUPPRESSED)))
        .order_by("indicator__position", "indicator__code", "level")
    )
