"""Microdata aggregation: figures against hand counts, sums not means, disclosure control, and the
service that stores the cells (atomic, idempotent, traceable to the rule version)."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stadsdel.areas.models import District, StatisticalArea
from stadsdel.indicators.models import ExclusionRule, ImportBatch, Observation
from stadsdel.indicators.services.microdata import microdata_aggregate
from stadsdel.lib.microdata import (
    MICRO_INDICATORS,
    AreaInfo,
    IndividualRule,
    MicrodataError,
    aggregate,
)

COLUMNS = ["person_id", "year", "area_code", "sex", "age", "employed", "studying", "social_assistance_months",
           "education_level", "grade9_eligible", "sick_days", "voted"]
ALBY_1, ALBY_2, OTHER = "01270001", "01270002", "01279001"


def person(pid, area, sex, age, employed, studying=0, assistance=0, education="secondary", grade9="", sick=0, voted=""):
    return [pid, 2010, area, sex, age, employed, studying, assistance, education, grade9, sick, voted]


def hand_made_rows():
    """Alby area 1: 20 women aged 30 (12 employed; of the 8 others 3 study), 20 men aged 40 (15
    employed, 5 neither). Alby area 2: 10 women aged 30, all employed; 3 men aged 30, employed.
    Outside Alby: 30 women and 30 men aged 50, 27 of each employed."""
    rows, pid = [], 0

    def add(n, *args, **kw):
        nonlocal pid
        for _ in range(n):
            pid += 1
            rows.append(person(pid, *args, **kw))

    add(12, ALBY_1, "K", 30, 1, assistance=0)
    add(3, ALBY_1, "K", 30, 0, studying=1, assistance=2)
    add(5, ALBY_1, "K", 30, 0, assistance=12, sick=30)
    add(15, ALBY_1, "M", 40, 1, education="post_secondary")
    add(5, ALBY_1, "M", 40, 0, assistance=6)
    add(10, ALBY_2, "K", 30, 1)
    add(3, ALBY_2, "M", 30, 1)
    add(27, OTHER, "K", 50, 1, education="post_secondary")
    add(3, OTHER, "K", 50, 0)
    add(27, OTHER, "M", 50, 1)
    add(3, OTHER, "M", 50, 0)
    return rows


def write_csv(path, rows, columns=COLUMNS):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


AREAS = {ALBY_1: AreaInfo("0127", ("alby",)), ALBY_2: AreaInfo("0127", ("alby",)), OTHER: AreaInfo("0127")}


def cell(cells, indicator, level, unit, sex):
    found = cells[(cells.indicator == indicator) & (cells.level == level) & (cells.unit == unit) & (cells.sex == sex)]
    assert len(found) == 1, (indicator, level, unit, sex)
    return found.iloc[0]


def test_figures_match_hand_counts(tmp_path):
    path = write_csv(tmp_path / "x.csv", hand_made_rows())
    result = aggregate(path, areas=AREAS, rule=IndividualRule(), min_cell=1)
    cells = result.cells
    assert result.rows == 113
    c = cell(cells, "employment_rate_20_64", "area", ALBY_1, "K")
    assert (c.numerator, c.denominator, c.value) == (12, 20, 60.0)
    c = cell(cells, "employment_rate_20_64", "area", ALBY_1, "T")
    assert (c.numerator, c.denominator, c.value) == (27, 40, 67.5)
    # Individuals in exclusion: 5 women (the 3 students are not) and 5 men.
    c = cell(cells, "individuals_in_exclusion", "area", ALBY_1, "T")
    assert (c.numerator, c.denominator, c.value) == (10, 40, 25.0)
    # Social assistance among all inhabitants of area 1: 3 + 5 + 5 of 40.
    assert cell(cells, "social_assistance_share", "area", ALBY_1, "T").value == pytest.approx(100 * 13 / 40)
    # Sick days per person 16–64: 5 × 30 days over 40 persons.
    assert cell(cells, "sickness_days_per_person", "area", ALBY_1, "T").value == pytest.approx(150 / 40)
    # No year-9 pupils and no election data: no cells at all, rather than zeros.
    assert not (cells.indicator == "grade9_eligible_upper_secondary").any()
    assert not (cells.indicator == "voter_turnout_municipal").any()


def test_district_rate_is_a_ratio_of_sums_not_a_mean_of_rates(tmp_path):
    path = write_csv(tmp_path / "x.csv", hand_made_rows())
    cells = aggregate(path, areas=AREAS, rule=IndividualRule(), min_cell=1).cells
    alby = cell(cells, "employment_rate_20_64", "district", "alby", "T")
    assert (alby.numerator, alby.denominator) == (12 + 15 + 10 + 3, 20 + 20 + 10 + 3)
    assert alby.value == pytest.approx(100 * 40 / 53)
    assert alby.value != pytest.approx((67.5 + 100.0) / 2)
    kommun = cell(cells, "employment_rate_20_64", "municipality", "0127", "T")
    assert (kommun.numerator, kommun.denominator) == (94, 113)


def test_primary_and_secondary_suppression(tmp_path):
    path = write_csv(tmp_path / "x.csv", hand_made_rows())
    result = aggregate(path, areas=AREAS, rule=IndividualRule(), min_cell=5)
    cells = result.cells
    # Alby area 2 has 3 men: denominator below 5, suppressed with nothing kept.
    men2 = cell(cells, "employment_rate_20_64", "area", ALBY_2, "M")
    assert men2.status == "suppressed"
    assert men2[["value", "numerator", "denominator"]].isna().all()
    # Its total is published, so the women (the other component) go too ...
    assert cell(cells, "employment_rate_20_64", "area", ALBY_2, "K").status == "suppressed"
    # ... and Alby's men are published, so the other area's men (the only other part) go too.
    assert cell(cells, "employment_rate_20_64", "area", ALBY_1, "M").status == "suppressed"
    # Complement rule: 27 of 30 employed outside Alby means 3 are not — suppressed.
    assert cell(cells, "employment_rate_20_64", "area", OTHER, "K").status == "suppressed"
    assert result.secondary_suppressed > 0
    # No published aggregate has exactly one suppressed component (by sex or by area).
    published = cells[cells.status == "ok"]
    for row in published[published.sex == "T"].itertuples():
        parts = cells[(cells.indicator == row.indicator) & (cells.level == row.level) & (cells.unit == row.unit)
                      & (cells.period == row.period) & (cells.sex != "T")]
        assert (parts.status == "suppressed").sum() != 1, row


def test_rule_is_configuration(tmp_path):
    path = write_csv(tmp_path / "x.csv", hand_made_rows())
    # Counting students as excluded too: 8 women and 5 men in area 1.
    rule = IndividualRule.from_parameters({"age_min": 20, "age_max": 64, "conditions": [{"column": "employed", "op": "=", "value": 0}]})
    cells = aggregate(path, areas=AREAS, rule=rule, min_cell=1).cells
    assert cell(cells, "individuals_in_exclusion", "area", ALBY_1, "T").numerator == 13
    with pytest.raises(ValueError, match="unknown column"):
        IndividualRule.from_parameters({"age_min": 20, "age_max": 64, "conditions": [{"column": "1; DROP", "op": "=", "value": 0}]})


@pytest.mark.parametrize(("columns", "rows", "message"), [
    (COLUMNS[:-1], [[1, 2010, ALBY_1, "K", 30, 1, 0, 0, "secondary", "", 0]], "missing column"),
    (COLUMNS, [person(1, ALBY_1, "X", 30, 1)], "invalid sex"),
    (COLUMNS, [person(1, ALBY_1, "K", 30, 2)], "invalid employed"),
    (COLUMNS, [person(1, "99999999", "K", 30, 1)], "unknown area"),
])
def test_bad_extracts_are_refused(tmp_path, columns, rows, message):
    path = write_csv(tmp_path / "bad.csv", rows, columns)
    with pytest.raises(MicrodataError, match=message):
        aggregate(path, areas=AREAS, rule=IndividualRule(), min_cell=5)


@pytest.mark.django_db
def test_service_stores_cells_with_rule_version_and_is_idempotent(tmp_path):
    path = write_csv(tmp_path / "x.csv", hand_made_rows())
    outcome, result = microdata_aggregate(path=path, code_system="SAMS", min_cell=5)
    assert outcome.created == len(result.cells) and outcome.batch is not None
    # The batch keeps the path (its importers see it); its name elsewhere shows the file's name only.
    assert outcome.batch.source_name == str(path) and " x.csv (" in str(outcome.batch) and "/" not in str(outcome.batch)
    # The surrounding area was registered in Botkyrka; Alby's own areas came from the seeds.
    assert StatisticalArea.objects.get(code=OTHER).municipality.code == "0127"
    alby = District.objects.get(name="Alby", kind="district")
    stored = Observation.objects.get(indicator__code="employment_rate_20_64", district=alby, period=2010, sex="T")
    assert (stored.numerator, stored.denominator) == (40, 53)
    excl = Observation.objects.get(indicator__code="individuals_in_exclusion", district=alby, period=2010, sex="T")
    assert excl.rule == ExclusionRule.objects.get(target="individual", active=True)
    suppressed = Observation.objects.get(indicator__code="employment_rate_20_64", statistical_area__code=ALBY_2, sex="M")
    assert suppressed.status == "suppressed" and suppressed.value is None and suppressed.numerator is None
    # The same extract again writes nothing, not even an import record.
    batches = ImportBatch.objects.count()
    history = Observation.history.count()
    again, _ = microdata_aggregate(path=path, code_system="SAMS", min_cell=5)
    assert (again.created, again.updated, again.batch) == (0, 0, None)
    assert (ImportBatch.objects.count(), Observation.history.count()) == (batches, history)


@pytest.mark.django_db
def test_command_refuses_bad_extract_and_writes_nothing(tmp_path):
    rows = [*hand_made_rows(), person(999, "77770001", "K", 30, 1)]
    path = write_csv(tmp_path / "bad.csv", rows)
    before = (Observation.objects.count(), StatisticalArea.objects.count(), ImportBatch.objects.count())
    with pytest.raises(CommandError, match="77770001"):
        call_command("microdata", "aggregate", str(path), "--code-system", "SAMS")
    assert (Observation.objects.count(), StatisticalArea.objects.count(), ImportBatch.objects.count()) == before


@pytest.mark.parametrize(("column", "value", "message"), [
    ("employed", "2", "employed outside its range"),
    ("social_assistance_months", "13", "social_assistance_months outside its range"),
    ("education_level", "'primary'", "invalid education_level"),
    ("sex", "'X'", "invalid sex"),
])
def test_bad_parquet_values_are_refused_from_file_statistics(tmp_path, column, value, message):
    """Parquet extracts are checked from their row-group statistics and distinct values, not by
    an extra scan; the checks must still catch every out-of-range value."""
    import duckdb

    good = write_csv(tmp_path / "x.csv", hand_made_rows())
    target = tmp_path / "x.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * REPLACE (CASE WHEN person_id = 7 THEN {value} ELSE {column} END AS {column}) "
        f"FROM read_csv('{good}', types = {{'grade9_eligible': 'INTEGER', 'voted': 'INTEGER'}})) TO '{target}' (FORMAT PARQUET)"
    )
    con.close()
    with pytest.raises(MicrodataError, match=message):
        aggregate(target, areas=AREAS, rule=IndividualRule(), min_cell=5)
    # The unchanged extract as Parquet gives the same cells as the CSV.
    ok = tmp_path / "ok.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_csv('{good}', types = {{'grade9_eligible': 'INTEGER', 'voted': 'INTEGER'}})) "
        f"TO '{ok}' (FORMAT PARQUET)"
    )
    a = aggregate(ok, areas=AREAS, rule=IndividualRule(), min_cell=5).cells
    b = aggregate(good, areas=AREAS, rule=IndividualRule(), min_cell=5).cells
    assert len(a) == len(b) and a["numerator"].sum() == b["numerator"].sum()


@pytest.mark.django_db
def test_national_extract_also_gives_county_and_country(tmp_path):
    path = write_csv(tmp_path / "x.csv", hand_made_rows())
    microdata_aggregate(path=path, code_system="SAMS", min_cell=5, national=True)
    county = Observation.objects.get(indicator__code="employment_rate_20_64", unit_key="county:01", period=2010, sex="T")
    country = Observation.objects.get(indicator__code="employment_rate_20_64", unit_key="country:SE", period=2010, sex="T")
    assert (county.numerator, county.denominator) == (94, 113) == (country.numerator, country.denominator)


# -- the socio-economic variables (SCB's V2, V3) and the other person-based risk indicators ------

NEW_COLUMNS = [*COLUMNS, "unemployed_days"]


def risk_rows(unemployed_days=True):
    """One area (Alby 1), 2010. Children: 4 girls aged 5 and 2 girls aged 17 in families with
    assistance, 6 boys aged 10 without. Aged 20–64 (21 persons):
      5 women 30, assistance 10 months, pre-secondary, never unemployed   -> V2, V3
      3 men 40, assistance 9 months, secondary, 181 days unemployed       -> unemployed, V3
      2 men 45, no assistance, secondary, exactly 180 days unemployed     -> unemployed (not V3)
      4 women 64, pre-secondary, unemployed_days empty                    -> V2
      6 men 20, post-secondary, 1 day unemployed                          -> unemployed
      1 woman 50, education unknown                                       -> denominators only
    Outside both bands: a man of 18 with assistance, a woman of 65 with everything, 2 women of 19."""
    rows, pid = [], 0

    def add(n, sex, age, assistance, education, days):
        nonlocal pid
        for _ in range(n):
            pid += 1
            row = person(pid, ALBY_1, sex, age, 0, assistance=assistance, education=education)
            rows.append([*row, days] if unemployed_days else row)

    add(4, "K", 5, 3, "", 0)
    add(2, "K", 17, 12, "secondary", 0)
    add(6, "M", 10, 0, "", 0)
    add(1, "M", 18, 4, "secondary", 0)
    add(5, "K", 30, 10, "pre_secondary", 0)
    add(3, "M", 40, 9, "secondary", 181)
    add(2, "M", 45, 0, "secondary", 180)
    add(4, "K", 64, 0, "pre_secondary", "")
    add(6, "M", 20, 0, "post_secondary", 1)
    add(1, "K", 50, 0, "", 0)
    add(1, "K", 65, 12, "pre_secondary", 200)
    add(2, "K", 19, 0, "pre_secondary", 0)
    return rows


def counts(cells, indicator, sex="T"):
    c = cell(cells, indicator, "area", ALBY_1, sex)
    return (c.numerator, c.denominator)


def test_socioeconomic_indicators_match_hand_counts(tmp_path):
    path = write_csv(tmp_path / "x.csv", risk_rows(), NEW_COLUMNS)
    cells = aggregate(path, areas=AREAS, rule=IndividualRule(), min_cell=1).cells
    assert counts(cells, "children_social_assistance_share") == (6, 12)
    assert counts(cells, "children_social_assistance_share", "K") == (6, 6)
    assert counts(cells, "children_social_assistance_share", "M") == (0, 6)
    assert cell(cells, "children_social_assistance_share", "area", ALBY_1, "T").value == 50.0
    assert counts(cells, "unemployment_20_64") == (3 + 2 + 6, 21)
    assert counts(cells, "pre_secondary_education_20_64") == (5 + 4, 21)
    # V3: 10 months of assistance, or more than 180 days; exactly 180 days is not enough …
    assert counts(cells, "long_term_assistance_or_unemployment_20_64") == (5 + 3, 21)
    assert cell(cells, "long_term_assistance_or_unemployment_20_64", "area", ALBY_1, "T").value == pytest.approx(
        100 * 8 / 21
    )
    # … while the older indicator counts 180 days and more.
    assert counts(cells, "long_term_unemployment_20_64") == (3 + 2, 21)
    # The district (Alby) is the sum of its areas; only area 1 has people here.
    alby = cell(cells, "pre_secondary_education_20_64", "district", "alby", "T")
    assert (alby.numerator, alby.denominator) == (9, 21)


def test_socioeconomic_indicators_go_through_disclosure_control(tmp_path):
    path = write_csv(tmp_path / "x.csv", risk_rows(), NEW_COLUMNS)
    cells = aggregate(path, areas=AREAS, rule=IndividualRule(), min_cell=5).cells
    # Pre-secondary among women: 9 of 10, so the complement (1 woman) is too small …
    women = cell(cells, "pre_secondary_education_20_64", "area", ALBY_1, "K")
    assert women.status == "suppressed" and women[["value", "numerator", "denominator"]].isna().all()
    # … and the men (0 of 11) go too, or the total minus the men would give the women away.
    assert cell(cells, "pre_secondary_education_20_64", "area", ALBY_1, "M").status == "suppressed"
    assert cell(cells, "pre_secondary_education_20_64", "area", ALBY_1, "T").status == "ok"
    # V3 among men: 3 of 11 is below the minimum count.
    assert cell(cells, "long_term_assistance_or_unemployment_20_64", "area", ALBY_1, "M").status == "suppressed"


def test_unemployment_indicators_need_the_column_and_treat_empty_as_zero(tmp_path):
    without = write_csv(tmp_path / "without.csv", risk_rows(unemployed_days=False))
    result = aggregate(without, areas=AREAS, rule=IndividualRule(), min_cell=1)
    assert "unemployment_20_64" not in result.indicators
    assert "long_term_assistance_or_unemployment_20_64" not in result.indicators
    assert counts(result.cells, "children_social_assistance_share") == (6, 12)
    assert counts(result.cells, "pre_secondary_education_20_64") == (9, 21)
    # A column with no values at all (nobody registered at Arbetsförmedlingen) is read as a
    # number, and every group counts 0, never an empty sum: not even Alby 2's women, who are all
    # aged 20–64 with education unknown, so no row of theirs makes a condition plainly false.
    empty = [[*row[:-1], ""] for row in risk_rows()]
    empty += [[*person(100 + i, ALBY_2, "K", 30, 1, education=""), ""] for i in range(6)]
    cells = aggregate(write_csv(tmp_path / "empty.csv", empty, NEW_COLUMNS), areas=AREAS, rule=IndividualRule(),
                      min_cell=1).cells
    assert counts(cells, "unemployment_20_64") == (0, 21)
    for indicator in ("unemployment_20_64", "long_term_unemployment_20_64", "pre_secondary_education_20_64",
                      "post_secondary_education_25_64", "long_term_assistance_or_unemployment_20_64"):
        c = cell(cells, indicator, "area", ALBY_2, "K")
        assert (c.numerator, c.denominator, c.value, c.status) == (0, 6, 0.0, "ok"), indicator
    # V3 still counts long assistance: the 5 women with 10 months.
    assert counts(cells, "long_term_assistance_or_unemployment_20_64") == (5, 21)


def test_every_computed_indicator_is_in_the_catalogue_with_the_same_scale():
    """The seed catalogue and the SQL definitions must agree: the stored value is scale ×
    numerator / denominator, and disclosure control's complement rule follows is_share."""
    path = Path(__file__).resolve().parents[2] / "src" / "stadsdel" / "seeds" / "data" / "indicators.json"
    catalogue = {entry["code"]: entry for entry in json.loads(path.read_text(encoding="utf-8"))["indicators"]}
    for m in MICRO_INDICATORS:
        assert (catalogue[m.code]["scale"], catalogue[m.code]["is_share"]) == (m.scale, m.is_share), m.code
