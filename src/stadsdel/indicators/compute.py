"""The exclusion measures as pure functions: a district's seven dimensions against its
municipality and county, the district rule ("präglad av utanförskap"), and year-over-year counts.

Seed 000 defines exclusion relative to "genomsnittet för regionen och kommunen" in seven
dimensions; which indicator measures each dimension comes from the catalogue, and when a district
counts as marked is a versioned rule's parameters, never constants here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DIMENSIONS = ("employment", "social_assistance", "education", "school_results", "safety", "democracy", "health")


@dataclass(frozen=True)
class DimensionInput:
    """One dimension's headline indicator and the three values to compare (None: no data)."""

    dimension: str
    indicator: str
    higher_is_better: bool
    district: float | None
    municipality: float | None
    county: float | None


@dataclass(frozen=True)
class DimensionComparison:
    dimension: str
    indicator: str
    district: float | None
    municipality: float | None
    county: float | None
    diff_municipality: float | None
    ratio_municipality: float | None
    diff_county: float | None
    ratio_county: float | None
    worse_than_municipality: bool | None
    worse_than_county: bool | None


def _worse(value: float | None, reference: float | None, higher_is_better: bool, margin: float) -> bool | None:
    """Worse than the reference by more than `margin` (a fraction of the reference)."""
    if value is None or reference is None:
        return None
    if higher_is_better:
        return value < reference * (1 - margin)
    return value > reference * (1 + margin)


def dimension_compare(item: DimensionInput, *, margin: float = 0.0) -> DimensionComparison:
    def diff(ref):
        return None if item.district is None or ref is None else item.district - ref

    def ratio(ref):
        return None if item.district is None or not ref else item.district / ref

    return DimensionComparison(
        item.dimension, item.indicator, item.district, item.municipality, item.county,
        diff(item.municipality), ratio(item.municipality), diff(item.county), ratio(item.county),
        _worse(item.district, item.municipality, item.higher_is_better, margin),
        _worse(item.district, item.county, item.higher_is_better, margin),
    )


def dimension_profile(items: Sequence[DimensionInput], *, margin: float = 0.0) -> list[DimensionComparison]:
    """All seven dimensions in seed order; a dimension without an indicator is absent."""
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    return [dimension_compare(i, margin=margin) for i in sorted(items, key=lambda i: order.get(i.dimension, 99))]


@dataclass(frozen=True)
class Classification:
    """The district rule's verdict: marked (True/False) or None when the data do not suffice."""

    marked: bool | None
    worse: int
    with_data: int
    worse_dimensions: tuple[str, ...]


def rule_parameters_check(params: Mapping) -> dict:
    """Validate a district rule's parameters; a clear message names what is wrong."""
    reference = params.get("reference", "both")
    if reference not in ("both", "municipality", "county", "either"):
        raise ValueError(f"district rule: reference must be both, either, municipality or county, not {reference!r}")
    try:
        min_worse = int(params["min_worse_dimensions"])
        min_data = int(params.get("min_dimensions_with_data", min_worse))
        margin = float(params.get("margin_percent", 0)) / 100
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"district rule: expected min_worse_dimensions (and min_dimensions_with_data, margin_percent): {exc}") from exc
    if not 1 <= min_worse <= len(DIMENSIONS) or not min_worse <= min_data <= len(DIMENSIONS):
        raise ValueError("district rule: need 1 ≤ min_worse_dimensions ≤ min_dimensions_with_data ≤ 7")
    return {"reference": reference, "min_worse": min_worse, "min_data": min_data, "margin": margin}


def district_classify(profile: Sequence[DimensionComparison], params: Mapping) -> Classification:
    """Apply a district rule to a profile. A dimension has data when the comparison the rule
    needs can be made (both references for `both`)."""
    p = rule_parameters_check(params)
    verdicts = []
    for c in profile:
        m, k = c.worse_than_municipality, c.worse_than_county
        if p["reference"] == "municipality":
            v = m
        elif p["reference"] == "county":
            v = k
        elif p["reference"] == "both":
            v = None if m is None or k is None else (m and k)
        else:  # either
            v = None if m is None and k is None else bool(m or k)
        if v is not None:
            verdicts.append((c.dimension, v))
    worse = tuple(d for d, v in verdicts if v)
    if len(verdicts) < p["min_data"]:
        marked = None if len(worse) < p["min_worse"] else True
    else:
        marked = len(worse) >= p["min_worse"]
    return Classification(marked, len(worse), len(verdicts), worse)


def year_over_year(counts: Mapping[int, float | None]) -> list[dict]:
    """[{year, value, change}] in year order; change is None for the first year or a gap."""
    result, previous = [], None
    for year in sorted(counts):
        value = counts[year]
        change = None if value is None or previous is None else value - previous
        result.append({"year": year, "value": value, "change": change})
        previous = value
    return result
