"""The index's reference municipality and a local typology read that municipality's area figures
by their unit keys (the figures have no index by area, issue 21): the same figures as before,
and none of another municipality's areas."""

from __future__ import annotations

import pytest
from index_data import MODEL

from stadsdel.indices.selectors import _observation_frame, typology_run

BOTKYRKA = "01270001"  # Alby, Botkyrka: outside the reference municipality (Stockholm, 0180)
CODES = ("low_economic_standard_share", "pre_secondary_education_20_64", "long_term_assistance_or_unemployment_20_64")


@pytest.fixture
def botkyrka_too(stockholm_statistics, tmp_path):
    from stadsdel.indicators.services.imports import observations_import

    lines = ["indicator,area,period,value,numerator,denominator",
             f"social_assistance_share,{BOTKYRKA},2010,5.0,50,1000", f"employment_rate_20_64,{BOTKYRKA},2010,50.0,400,800"]
    lines += [f"{code},{area},2012,{10.0 * a + i},," for a, area in enumerate(("01800148", "01800154", "01800151", BOTKYRKA), 1)
              for i, code in enumerate(CODES)]
    path = tmp_path / "more.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")
    return stockholm_statistics


def test_the_reference_municipality_reads_its_own_areas_only(botkyrka_too, test_model):
    codes = [i["code"] for d in MODEL["domains"] for i in d["indicators"]]
    frame = _observation_frame(test_model, codes, {2010, 2012})
    expected = sorted((area, year, code, num, den) for area, year, code, num, den in botkyrka_too)
    got = sorted(zip(frame["area"], frame["year"], frame["indicator"], frame["numerator"], frame["denominator"],
                     strict=True))
    assert got == expected and set(frame["code_system"]) == {"SAMS"}
    test_model.reference_municipality = None
    assert BOTKYRKA in set(_observation_frame(test_model, codes, {2010})["area"])


def test_a_local_typology_reads_its_municipalitys_areas_only(botkyrka_too):
    national = {a.area for a in typology_run(year=2012).result.rows()}
    local = {a.area for a in typology_run(year=2012, municipality="0180").result.rows()}
    assert national == {"01800148", "01800154", "01800151", BOTKYRKA}
    assert local == {"01800148", "01800154", "01800151"}
