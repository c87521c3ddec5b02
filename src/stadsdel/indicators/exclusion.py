"""Reads for the exclusion measures: profiles, district classification and the headline counts of
the overarching goals, each naming the rule version that produced it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from stadsdel.areas.models import District, Municipality
from stadsdel.indicators import compute
from stadsdel.indicators.models import ExclusionRule, Indicator, Level, Observation

EXCLUSION_CODE = "individuals_in_exclusion"


def dimension_indicators() -> dict[str, Indicator]:
    """The headline indicator of each dimension: the catalogue's first (by position) with it."""
    result: dict[str, Indicator] = {}
    for indicator in Indicator.objects.exclude(dimension="").exclude(dimension="all"):
        result.setdefault(indicator.dimension, indicator)
    return result


def district_rule(rule: ExclusionRule | None = None) -> ExclusionRule | None:
    return rule or ExclusionRule.objects.filter(target=ExclusionRule.Target.DISTRICT, active=True).order_by("-version").first()


@dataclass
class _Values:
    """T-values of the dimension indicators by (level, unit id, indicator id, year)."""

    values: dict[tuple, float | None] = field(default_factory=dict)

    def get(self, level, unit_id, indicator_id, year):
        return self.values.get((level, unit_id, indicator_id, year))


def _values(indicators: list[Indicator], *, districts=None, years=None) -> _Values:
    qs = Observation.objects.filter(indicator__in=indicators, sex="T", level__in=[Level.DISTRICT, Level.MUNICIPALITY, Level.COUNTY])
    if districts is not None:
        ids = [d.pk for d in districts]
        munis = {d.municipality_id for d in districts}
        counties = set(Municipality.objects.filter(pk__in=munis).values_list("county_id", flat=True))
        qs = qs.filter(district_id__in=ids) | qs.filter(municipality_id__in=munis) | qs.filter(county_id__in=counties)
    if years is not None:
        qs = qs.filter(period__in=list(years))
    out = _Values()
    for o in qs.values("level", "district_id", "municipality_id", "county_id", "indicator_id", "period", "value"):
        unit = {"district": o["district_id"], "municipality": o["municipality_id"], "county": o["county_id"]}[o["level"]]
        out.values[(o["level"], unit, o["indicator_id"], o["period"])] = o["value"]
    return out


def _profile(district: District, year: int, dims: dict[str, Indicator], values: _Values, margin: float):
    county_id = district.municipality.county_id
    items = [
        compute.DimensionInput(
            dimension, ind.code, ind.direction == Indicator.Direction.HIGHER_BETTER,
            values.get(Level.DISTRICT, district.pk, ind.pk, year),
            values.get(Level.MUNICIPALITY, district.municipality_id, ind.pk, year),
            values.get(Level.COUNTY, county_id, ind.pk, year),
        )
        for dimension, ind in dims.items()
    ]
    return compute.dimension_profile(items, margin=margin)


def district_profile(
    *, district: District, year: int, dims: dict[str, Indicator] | None = None, rule: ExclusionRule | None = None,
) -> list[compute.DimensionComparison]:
    """The seven dimensions of one district in one year against its municipality and county.
    Callers that already hold the dimension indicators or the rule pass them in."""
    dims = dims if dims is not None else dimension_indicators()
    rule = district_rule(rule)
    margin = compute.rule_parameters_check(rule.parameters)["margin"] if rule else 0.0
    return _profile(district, year, dims, _values(list(dims.values()), districts=[district], years=[year]), margin)


def district_years(*, district: District) -> list[int]:
    return sorted(set(Observation.objects.filter(level=Level.DISTRICT, district=district).values_list("period", flat=True)))


@dataclass
class HeadlineCounts:
    """The overarching goals counted, per year, nationally and per municipality."""

    rule: ExclusionRule | None
    individual_rules: list[str]
    years: list[int]
    individuals_national: list[dict]
    districts_marked_national: list[dict]
    per_municipality: list[dict]
    marked: dict[int, dict[int, compute.Classification]]  # year -> district id -> verdict


def headline_counts(*, districts=None) -> HeadlineCounts:
    """Individuals in exclusion (Σ of the municipalities' counts; the country's own figure when
    imported) and districts marked by the district rule, year over year."""
    rule = district_rule()
    dims = dimension_indicators()
    exclusion = Indicator.objects.filter(code=EXCLUSION_CODE).first()
    district_qs = District.objects.filter(kind=District.Kind.DISTRICT).select_related("municipality")
    if districts is not None:
        district_qs = district_qs.filter(pk__in=[d.pk for d in districts])
    district_list = list(district_qs)
    values = _values(list(dims.values()), districts=district_list)
    years = sorted({key[3] for key in values.values})
    margin = compute.rule_parameters_check(rule.parameters)["margin"] if rule else 0.0
    marked: dict[int, dict[int, compute.Classification]] = defaultdict(dict)
    if rule is not None:
        for year in years:
            for d in district_list:
                profile = _profile(d, year, dims, values, margin)
                if any(c.district is not None for c in profile):
                    marked[year][d.pk] = compute.district_classify(profile, rule.parameters)
    individuals: dict[str, dict[int, float]] = defaultdict(dict)
    country: dict[int, float] = {}
    rules_used: set[str] = set()
    if exclusion is not None:
        # Plain rows, not model instances: at national scale these are 290 municipalities × the
        # years. A rule is named by its name and version (`ExclusionRule.label`).
        rules = set()
        for level, code, period, numerator, rule_name, rule_version in Observation.objects.filter(
            indicator=exclusion, sex="T", level__in=[Level.MUNICIPALITY, Level.COUNTRY],
        ).values_list("level", "municipality__code", "period", "numerator", "rule__name", "rule__version"):
            if rule_name is not None:
                rules.add((rule_name, rule_version))
            if level == Level.COUNTRY:
                country[period] = numerator
            elif numerator is not None:
                individuals[code][period] = numerator
        rules_used = {str(ExclusionRule(name=name, version=version)) for name, version in rules}
    all_years = sorted(set(years) | {y for by in individuals.values() for y in by} | set(country))
    national_individuals = {
        y: country.get(y) if country.get(y) is not None else (sum(by[y] for by in individuals.values() if y in by) or None)
        for y in all_years
    }
    def marked_count(year: int, ids: set[int] | None = None) -> int | None:
        # Districts the rule cannot decide (too few dimensions measured) are not counted as
        # unmarked: a year where no district could be decided has no count at all.
        verdicts = [c for pk, c in marked.get(year, {}).items() if ids is None or pk in ids]
        if not any(c.marked is not None for c in verdicts):
            return None
        return sum(1 for c in verdicts if c.marked)

    national_marked = {y: marked_count(y) for y in all_years}
    per_muni = []
    munis = {m.code: m for m in Municipality.objects.filter(code__in=set(individuals) | {d.municipality.code for d in district_list})}
    for code, m in sorted(munis.items(), key=lambda kv: kv[1].name):
        ids = {d.pk for d in district_list if d.municipality_id == m.pk}
        per_muni.append({
            "municipality": m,
            "individuals": compute.year_over_year({y: individuals.get(code, {}).get(y) for y in all_years}),
            "districts_marked": compute.year_over_year({y: marked_count(y, ids) for y in all_years}),
        })
    return HeadlineCounts(
        rule=rule, individual_rules=sorted(rules_used), years=all_years,
        individuals_national=compute.year_over_year(national_individuals),
        districts_marked_national=compute.year_over_year(national_marked),
        per_municipality=per_muni, marked=dict(marked),
    )
