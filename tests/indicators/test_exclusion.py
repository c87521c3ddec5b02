"""Exclusion measures: dimension comparisons, the versioned district rule, headline counts."""

import pytest

from stadsdel.areas.models import District
from stadsdel.indicators import compute
from stadsdel.indicators.exclusion import district_profile, headline_counts
from stadsdel.indicators.models import ExclusionRule, ImportBatch, Indicator, Level, Observation

RULE = {"reference": "both", "min_worse_dimensions": 4, "min_dimensions_with_data": 5, "margin_percent": 0}


def item(dimension, district, municipality, county, better=True):
    return compute.DimensionInput(dimension, dimension, better, district, municipality, county)


def test_comparison_gives_difference_ratio_and_direction():
    c = compute.dimension_compare(item("employment", 55.0, 80.0, 78.0))
    assert c.diff_municipality == -25.0 and c.ratio_municipality == pytest.approx(55 / 80)
    assert c.worse_than_municipality and c.worse_than_county
    # Higher is worse for social assistance: 20 % against 4 % is worse.
    c = compute.dimension_compare(item("social_assistance", 20.0, 4.0, 5.0, better=False))
    assert c.worse_than_municipality and c.ratio_county == 4.0
    # Missing data gives no verdict rather than a guess.
    assert compute.dimension_compare(item("safety", None, 70.0, 72.0)).worse_than_municipality is None


def test_district_rule_counts_dimensions_worse_than_both_references():
    profile = compute.dimension_profile([
        item("employment", 55, 80, 78), item("social_assistance", 20, 4, 5, better=False),
        item("education", 20, 45, 40), item("school_results", 70, 88, 86),
        item("health", 30, 35, 33, better=False),  # better than both
        item("democracy", 60, 82, 58),              # worse than the municipality only
    ])
    verdict = compute.district_classify(profile, RULE)
    assert verdict == compute.Classification(True, 4, 6, ("employment", "social_assistance", "education", "school_results"))
    stricter = {**RULE, "min_worse_dimensions": 5}
    assert compute.district_classify(profile, stricter).marked is False
    either = {**RULE, "reference": "either", "min_worse_dimensions": 5}
    assert compute.district_classify(profile, either).marked is True


def test_too_little_data_gives_no_verdict():
    profile = compute.dimension_profile([item("employment", 55, 80, 78), item("education", 50, 45, 40)])
    assert compute.district_classify(profile, RULE).marked is None


def test_bad_rule_parameters_are_refused():
    with pytest.raises(ValueError, match="reference"):
        compute.rule_parameters_check({**RULE, "reference": "city"})
    with pytest.raises(ValueError, match="min_worse"):
        compute.rule_parameters_check({"reference": "both"})


def test_year_over_year():
    assert compute.year_over_year({2011: 90, 2010: 100, 2012: None}) == [
        {"year": 2010, "value": 100, "change": None},
        {"year": 2011, "value": 90, "change": -10},
        {"year": 2012, "value": None, "change": None},
    ]


def _store(batch, code, level, unit, period, value, numerator=None, denominator=None, rule=None):
    ind = Indicator.objects.get(code=code)
    fk = {"district": "district", "municipality": "municipality", "county": "county"}[level]
    key = {"district": lambda u: f"district:{u.pk}", "municipality": lambda u: f"municipality:{u.code}",
           "county": lambda u: f"county:{u.code}"}[level](unit)
    Observation.objects.create(indicator=ind, level=level, unit_key=key, period=period, sex="T", value=value,
                               numerator=numerator, denominator=denominator, batch=batch, rule=rule, **{fk: unit})


@pytest.mark.django_db
def test_headline_counts_year_over_year():
    batch = ImportBatch.objects.create(kind="csv", source_name="test.csv")
    alby = District.objects.get(name="Alby", kind="district")
    muni = alby.municipality
    county = muni.county
    rule = ExclusionRule.objects.get(target="individual", active=True)
    # Alby is worse than Botkyrka and the county in five dimensions in 2010, two in 2011.
    levels_2010 = {
        "employment_rate_20_64": (55, 78, 80), "social_assistance_share": (20, 5, 4),
        "post_secondary_education_25_64": (20, 40, 45), "grade9_eligible_upper_secondary": (70, 86, 88),
        "sickness_days_per_person": (40, 30, 28), "voter_turnout_municipal": (60, 70, 80),
    }
    for code, (d, m, c) in levels_2010.items():
        _store(batch, code, Level.DISTRICT, alby, 2010, d)
        _store(batch, code, Level.MUNICIPALITY, muni, 2010, m)
        _store(batch, code, Level.COUNTY, county, 2010, c)
        better = code in ("employment_rate_20_64", "post_secondary_education_25_64")
        _store(batch, code, Level.DISTRICT, alby, 2011, (m + 1) if better else (m - 1))
        _store(batch, code, Level.MUNICIPALITY, muni, 2011, m)
        _store(batch, code, Level.COUNTY, county, 2011, c)
    _store(batch, "individuals_in_exclusion", Level.MUNICIPALITY, muni, 2010, 12.0, 5000, 41666, rule)
    _store(batch, "individuals_in_exclusion", Level.MUNICIPALITY, muni, 2011, 11.0, 4600, 41818, rule)

    profile = district_profile(district=alby, year=2010)
    assert [c.dimension for c in profile][:2] == ["employment", "social_assistance"]
    counts = headline_counts(districts=[alby])
    assert counts.rule.name == "stadsdel-standard" and counts.individual_rules == [str(rule)]
    national = {row["year"]: row for row in counts.districts_marked_national}
    assert national[2010]["value"] == 1 and national[2011]["value"] == 0 and national[2011]["change"] == -1
    individuals = {row["year"]: row for row in counts.individuals_national}
    assert individuals[2011] == {"year": 2011, "value": 4600, "change": -400}
    botkyrka = next(r for r in counts.per_municipality if r["municipality"] == muni)
    assert [r["value"] for r in botkyrka["districts_marked"]] == [1, 0]
