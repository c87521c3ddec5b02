"""The synthetic register generator: schema, determinism, realistic levels and trends, the command."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from stadsdel.demo.synth import (
    BLOCK_PERSONS,
    COLUMNS,
    CRIME_INDICATOR,
    ELECTION_YEARS,
    SynthArea,
    parse_years,
    plan_areas,
    synth_generate,
)

# One municipality (9990) with a priority district of three areas holding ~15 % of its
# inhabitants and four surrounding areas at risk 0.1-0.3; a second one (9991) entirely at risk 0.
AREAS = [
    *(SynthArea(f"9990000{i}", "9990", 1.0, "Testby", 4000) for i in (1, 2, 3)),
    *(SynthArea(f"999001{i}", "9990", risk, None, 17000) for i, risk in enumerate((0.1, 0.15, 0.25, 0.3))),
    *(SynthArea(f"9991000{i}", "9991", 0.0, None, 30000) for i in (1, 2)),
]


def _sql(out: Path) -> str:
    return f"read_parquet('{out}/persons-*.parquet')"


def _one(sql: str) -> tuple:
    return duckdb.sql(sql).fetchall()[0]


def _digest(out: Path) -> str:
    frame = duckdb.sql(f"SELECT * FROM {_sql(out)} ORDER BY person_id, year").df()
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """200 000 persons in a recession year between two ordinary ones."""
    out = tmp_path_factory.mktemp("synth") / "panel"
    result = synth_generate(areas=AREAS, persons=200_000, years=[2008, 2010, 2012], seed=7, out_dir=out)
    return out, result


def _levels(out: Path, *, by_year: bool = False) -> pd.DataFrame:
    year = "year," if by_year else ""
    return duckdb.sql(f"""
        WITH x AS (
            SELECT *, CASE WHEN area_code LIKE '9991%' THEN 'risk0'
                           WHEN area_code < '99900010' THEN 'district' ELSE 'surrounding' END AS grp
            FROM {_sql(out)}
        )
        SELECT grp, {year}
            100 * avg(employed) FILTER (age BETWEEN 20 AND 64) AS employment,
            100 * avg((social_assistance_months > 0)::INT) AS assistance,
            100 * avg((education_level = 'post_secondary')::INT) FILTER (age BETWEEN 25 AND 64) AS post_secondary,
            100 * avg(grade9_eligible) AS grade9,
            avg(sick_days) FILTER (age BETWEEN 16 AND 64) AS sick_days,
            100 * avg((sick_days = 0)::INT) FILTER (age BETWEEN 16 AND 64) AS no_sick_days,
            100 * avg(voted) AS turnout,
            100 * avg(low_economic_standard) AS low_standard,
            100 * avg(studying) FILTER (age BETWEEN 16 AND 24) AS studying_16_24,
            100 * avg((age < 20)::INT) AS under_20,
            100 * avg((age >= 65)::INT) AS over_64
        FROM (SELECT * FROM x UNION ALL SELECT * REPLACE ('municipality' AS grp) FROM x WHERE area_code LIKE '9990%')
        GROUP BY ALL
    """).df().set_index(["grp", "year"] if by_year else "grp")


def test_schema_types_and_ranges(panel):
    out, result = panel
    assert result.rows == 600_000
    assert [f.name for f in result.files] == ["persons-00000.parquet"]
    described = duckdb.sql(f"DESCRIBE SELECT * FROM {_sql(out)}").fetchall()
    assert {name: kind for name, kind, *_ in described} == COLUMNS
    assert list(COLUMNS) == [name for name, *_ in described]
    bad = duckdb.sql(f"""
        SELECT
            count_if(sex NOT IN ('K', 'M')) AS sex,
            count_if(age < 0 OR age > 130) AS age,
            count_if(employed NOT IN (0, 1) OR studying NOT IN (0, 1) OR low_economic_standard NOT IN (0, 1)) AS flags,
            count_if(social_assistance_months NOT BETWEEN 0 AND 12) AS months,
            count_if(unemployed_days NOT BETWEEN 0 AND 365) AS unemployed,
            count_if(sick_days < 0 OR sick_days > 365) AS sick,
            count_if((education_level IS NULL) <> (age < 16)) AS education,
            count_if(education_level NOT IN ('pre_secondary', 'secondary', 'post_secondary')) AS education_value,
            count_if((grade9_eligible IS NOT NULL) <> (age = 16)) AS grade9,
            count_if((voted IS NOT NULL) <> (age >= 18 AND year IN {tuple(sorted(ELECTION_YEARS))})) AS voted,
            count_if(age < 16 AND (employed = 1 OR studying = 1)) AS children_working,
            count_if(area_code NOT IN {tuple(a.code for a in AREAS)}) AS area
        FROM {_sql(out)}
    """).df().iloc[0]
    assert bad.to_dict() == dict.fromkeys(bad.index, 0)
    # Both election and non-election years: voted is NULL for everybody in 2008 and 2012.
    assert _one(f"SELECT count(voted) FROM {_sql(out)} WHERE year <> 2010") == (0,)


def test_panel_each_person_every_year_ageing_some_moving(panel):
    out, _result = panel
    per_person = duckdb.sql(f"""
        SELECT person_id, count(*) AS n, max(age) - min(age) AS aged,
               count(DISTINCT area_code) AS areas, count(DISTINCT sex) AS sexes
        FROM {_sql(out)} GROUP BY person_id
    """).df()
    assert len(per_person) == 200_000
    assert (per_person["n"] == 3).all()
    assert (per_person["aged"] == 4).all()  # 2008 -> 2012
    assert (per_person["sexes"] == 1).all()
    moved = (per_person["areas"] > 1).mean()
    assert 0.03 < moved < 0.15  # a small share move in four years


def test_levels_match_the_issue(panel):
    out, _result = panel
    levels = _levels(out)
    district, municipality, risk0 = levels.loc["district"], levels.loc["municipality"], levels.loc["risk0"]
    assert 50 <= district.employment <= 60
    assert 76 <= municipality.employment <= 84
    assert risk0.employment > 82
    assert 15 <= district.assistance <= 25
    assert 2.5 <= municipality.assistance <= 5.5
    assert 20 <= district.post_secondary <= 30
    assert 40 <= municipality.post_secondary <= 50
    assert 63 <= district.grade9 <= 77
    assert 84 <= municipality.grade9 <= 92
    assert 33 <= district.sick_days <= 47
    assert 22 <= municipality.sick_days <= 34
    assert district.sick_days > municipality.sick_days + 6
    assert municipality.no_sick_days > 70  # most people have no sickness days at all
    assert 48 <= district.turnout <= 62
    assert 77 <= municipality.turnout <= 87
    assert 29 <= district.low_standard <= 41
    assert 9 <= municipality.low_standard <= 15
    assert municipality.studying_16_24 > 50
    # Priority districts are younger.
    assert district.under_20 > municipality.under_20 + 4
    assert district.over_64 < municipality.over_64 - 4


def test_recession_dip_and_recovery(panel):
    out, _result = panel
    levels = _levels(out, by_year=True)
    for grp in ("municipality", "district"):
        employment = levels.loc[grp]["employment"]
        assistance = levels.loc[grp]["assistance"]
        assert employment[2010] < employment[2008] - 0.5, grp
        assert employment[2012] > employment[2010] + 1.0, grp
        assert assistance[2010] > assistance[2012], grp


def test_same_seed_same_data_whatever_the_chunking(tmp_path):
    persons = 2 * BLOCK_PERSONS + 123
    one = synth_generate(areas=AREAS, persons=persons, years=range(2009, 2011), seed=3, out_dir=tmp_path / "a")
    many = synth_generate(
        areas=AREAS, persons=persons, years=range(2009, 2011), seed=3, out_dir=tmp_path / "b",
        chunk_persons=BLOCK_PERSONS,
    )
    synth_generate(areas=AREAS, persons=persons, years=range(2009, 2011), seed=4, out_dir=tmp_path / "c")
    assert len(one.files) == 1 and len(many.files) == 3
    assert one.rows == many.rows == 2 * persons
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    # The crimes file too: byte for byte, whatever the chunking; another seed, other counts.
    assert one.crimes.read_bytes() == many.crimes.read_bytes()
    assert one.crimes.read_bytes() != (tmp_path / "c" / "crimes.csv").read_bytes()
    # Pseudonyms are unique and differ between seeds.
    ids = _one(f"SELECT count(DISTINCT person_id) FROM {_sql(tmp_path / 'a')}")[0]
    assert ids == persons
    overlap = _one(
        f"SELECT count(*) FROM (SELECT person_id FROM {_sql(tmp_path / 'a')} "
        f"INTERSECT SELECT person_id FROM {_sql(tmp_path / 'c')})"
    )[0]
    assert overlap == 0


def test_rerun_replaces_files_and_writes_manifest(tmp_path):
    progress: list[str] = []
    synth_generate(areas=AREAS, persons=3 * BLOCK_PERSONS, years=[2010], seed=1, out_dir=tmp_path,
                   chunk_persons=BLOCK_PERSONS)
    first = json.loads((tmp_path / "manifest.json").read_text())
    result = synth_generate(areas=AREAS, persons=100, years=[2010], seed=1, out_dir=tmp_path, progress=progress.append)
    # The three files of the first run are gone, so a glob over DIR reads this run only.
    assert sorted(p.name for p in tmp_path.glob("persons-*.parquet")) == ["persons-00000.parquet"]
    assert _one(f"SELECT count(*) FROM {_sql(tmp_path)}") == (100,)
    assert progress == ["chunk 1/1, 100 persons, 100 rows"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["rows"] == result.rows == 100
    assert manifest["seed"] == 1 and manifest["years"] == [2010]
    assert manifest["columns"] == COLUMNS
    assert first["rows"] == 3 * BLOCK_PERSONS
    areas = json.loads((tmp_path / "areas.json").read_text())
    assert {a["code"] for a in areas} == {a.code for a in AREAS}
    assert {"code", "municipality_code", "risk", "district"} <= set(areas[0])


def _crimes(out: Path) -> pd.DataFrame:
    # Python's float() parses the value exactly as the importer does.
    return pd.read_csv(out / "crimes.csv", dtype={"area": str}, converters={"value": float})


def test_crimes_file_is_the_importers_long_form_over_the_registers_population(panel):
    out, result = panel
    assert result.crimes == out / "crimes.csv"
    assert result.crimes.read_text().splitlines()[0] == "indicator,area,period,value,numerator,denominator"
    crimes = _crimes(out)
    assert len(crimes) == result.crime_rows
    assert (crimes["indicator"] == CRIME_INDICATOR).all()
    assert (crimes["value"] == 1000 * crimes["numerator"] / crimes["denominator"]).all()
    # Denominators are the persons the register has in the area that year.
    population = duckdb.sql(
        f"SELECT area_code AS area, year AS period, count(*) AS persons FROM {_sql(out)} GROUP BY ALL"
    ).df()
    areas = crimes[crimes["area"].str.len() > 4].merge(population, on=["area", "period"], how="outer")
    assert len(areas) == len(AREAS) * 3
    assert (areas["denominator"] == areas["persons"]).all()
    # Municipalities, the county (the code's first two digits) and the country are the areas' sums.
    for unit, prefix in (("9990", "9990"), ("9991", "9991"), ("99", "99"), ("SE", "")):
        mine = areas[areas["area"].str.startswith(prefix)].groupby("period")[["numerator", "denominator"]].sum()
        stated = crimes[crimes["area"] == unit].set_index("period")[["numerator", "denominator"]]
        pd.testing.assert_frame_equal(stated, mine, check_names=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["crimes"] == {"file": "crimes.csv", "indicator": CRIME_INDICATOR, "rows": result.crime_rows}
    # The catalogue's entry computes the value the same way (per 1 000, counts not persons).
    catalogue = Path(__file__).resolve().parents[2] / "src" / "stadsdel" / "seeds" / "data" / "indicators.json"
    entry = next(e for e in json.loads(catalogue.read_text(encoding="utf-8"))["indicators"] if e["code"] == CRIME_INDICATOR)
    assert (entry["scale"], entry["is_share"], entry["unit"], entry["source"]) == (1000, False, "per_1000", "polisen")


def test_crime_levels_rise_with_risk(panel):
    out, _result = panel
    crimes = _crimes(out)
    risk = {a.code: a.risk for a in AREAS}
    areas = crimes[crimes["area"].isin(risk)].groupby("area")[["numerator", "denominator"]].sum()
    rate = 1000 * areas["numerator"] / areas["denominator"]
    # Each area keeps a level of its own, so rates rise with risk on the whole, not in lockstep.
    assert np.corrcoef(np.log(rate), rate.index.map(risk))[0, 1] > 0.9
    priority = [a.code for a in AREAS if a.risk == 1.0]
    surrounding = [a.code for a in AREAS if 0 < a.risk < 1]
    ordinary = [a.code for a in AREAS if a.risk == 0.0]
    assert rate[priority].min() > rate[surrounding].max() > rate[surrounding].min() > rate[ordinary].max()
    # Plausible levels per 1 000 inhabitants: a Stockholm-type municipality within 80-250 every
    # year, its priority district well above it, an all-ordinary municipality lower.
    district = areas.loc[priority].sum()
    assert 200 <= 1000 * district["numerator"] / district["denominator"] <= 340
    yearly = crimes.set_index("area")["value"]
    assert yearly["9990"].between(80, 250).all()
    assert yearly["9991"].between(60, 100).all()
    assert (yearly[priority] > 150).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"persons": 0}, "persons must be at least 1"),
        ({"years": []}, "years must not be empty"),
        ({"areas": [*AREAS, AREAS[0]]}, "unique"),
        ({"areas": [SynthArea("99990001", "9999", 1.5)]}, "risk"),
        ({"seed": -1}, "seed must be 0 or more"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    args = {"areas": AREAS, "persons": 10, "years": [2010], "seed": 1, "out_dir": tmp_path, **kwargs}
    with pytest.raises(ValueError, match=message):
        synth_generate(**args)


def test_parse_years():
    assert parse_years("2006-2012") == list(range(2006, 2013))
    assert parse_years("2010") == [2010]
    assert parse_years("2006–2008") == [2006, 2007, 2008]
    for bad in ("2012-2006", "06-12", "2006-2008-2010", "abc", ""):
        with pytest.raises(ValueError):
            parse_years(bad)


def test_plan_areas_adds_surrounding_areas_on_free_codes():
    districts = [("01360017", "0136", "Jordbro"), ("01360018", "0136", "Jordbro"), ("01800148", "0180", "Rinkeby")]
    taken = ["01360101", "01360017", "01360018"]
    areas = plan_areas(districts, surrounding=3, seed=5, taken=taken)
    assert areas == plan_areas(districts, surrounding=3, seed=5, taken=taken)
    priority = [a for a in areas if a.district]
    around = [a for a in areas if not a.district]
    assert [(a.code, a.risk) for a in priority] == [("01360017", 1.0), ("01360018", 1.0), ("01800148", 1.0)]
    assert all(2000 <= a.weight <= 6000 for a in priority)
    assert [a.code for a in around] == ["01360102", "01360103", "01360104", "01800101", "01800102", "01800103"]
    assert all(0.1 <= a.risk <= 0.3 for a in around)
    for municipality in ("0136", "0180"):
        mine = [a for a in areas if a.municipality_code == municipality]
        share = sum(a.weight for a in mine if a.district) / sum(a.weight for a in mine)
        assert 0.09 <= share <= 0.21


@pytest.mark.django_db
def test_command_writes_the_seed_districts_and_surrounding_areas(tmp_path):
    out = tmp_path / "synth"
    printed = io.StringIO()
    call_command("synth", persons=3000, years="2009-2010", seed=2, out=str(out), surrounding=2, stdout=printed)
    crime_rows = len((out / "crimes.csv").read_text().splitlines()) - 1
    assert f"crimes.csv ({crime_rows} rows of reported crimes)" in printed.getvalue()
    areas = json.loads((out / "areas.json").read_text())
    by_code = {a["code"]: a for a in areas}
    # Jordbro's Bilaga 2 codes are priority areas; Klockartorpet's NYKO code is not SAMS.
    assert {c: by_code[c]["district"] for c in ("01360017", "01360018", "01360019")} == dict.fromkeys(
        ("01360017", "01360018", "01360019"), "Jordbro"
    )
    assert by_code["01360017"]["risk"] == 1.0
    assert "412" not in by_code and not any(a["municipality_code"] == "0581" for a in areas)
    surrounding = [a for a in areas if a["municipality_code"] == "0136" and a["district"] is None]
    assert len(surrounding) == 2 and all(0.1 <= a["risk"] <= 0.3 for a in surrounding)
    counts = duckdb.sql(f"SELECT year, count(*) FROM {_sql(out)} GROUP BY year ORDER BY year").fetchall()
    assert counts == [(2009, 3000), (2010, 3000)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"persons": 0}, "--persons must be at least 1"),
        ({"years": "2012-2006"}, "--years"),
        ({"years": "twenty"}, "--years"),
        ({"seed": -1}, "--seed must be 0 or more"),
    ],
)
def test_command_errors(tmp_path, options, message):
    args = {"persons": 10, "out": str(tmp_path / "out"), **options}
    with pytest.raises(CommandError, match=message):
        call_command("synth", **args)


@pytest.mark.django_db
def test_command_refuses_an_unwritable_out(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CommandError, match="not a directory"):
        call_command("synth", persons=10, out=str(blocker))
    with pytest.raises(CommandError, match="not writable"):
        call_command("synth", persons=10, out=str(blocker / "below"))
