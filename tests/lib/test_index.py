"""The index math against figures worked by hand (lib/index.py)."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from stadsdel.lib.index import (
    IndexInputError,
    index_change,
    index_compute,
    model_parse,
    normalise,
    panel_from_frame,
    priority_select,
    rank_descending,
    sensitivity_analyse,
    weighted_mean,
)

MODEL = {
    "name": "Testmodell",
    "base_year": None,
    "domains": [
        {"name": "D1", "weight": 2, "indicators": [
            {"code": "x", "weight": 1, "orientation": "risk"},
            {"code": "y", "weight": 1, "orientation": "protective"},
        ]},
        {"name": "D2", "weight": 1, "indicators": [{"code": "z", "weight": 1, "orientation": "risk"}]},
    ],
}

ROWS_2006 = [
    ("A", 2006, "x", 10, 100), ("A", 2006, "y", 60, 100), ("A", 2006, "z", 5, 50),
    ("B", 2006, "x", 30, 100), ("B", 2006, "y", 20, 100), ("B", 2006, "z", 15, 50),
    ("C", 2006, "x", 20, 200), ("C", 2006, "y", 150, 200),  # C has no z
]
ROWS_2012 = [
    ("A", 2012, "x", 6, 100), ("A", 2012, "y", 70, 100), ("A", 2012, "z", 4, 50),
    ("B", 2012, "x", 24, 100), ("B", 2012, "y", 30, 100), ("B", 2012, "z", 12, 50),
    ("C", 2012, "x", 16, 200), ("C", 2012, "y", 160, 200), ("C", 2012, "z", 10, 100),
]


def frame(rows):
    return pd.DataFrame(rows, columns=["area", "year", "indicator", "numerator", "denominator"])


def by_unit(result, year):
    y = result.year_index(year)
    return {unit: (result.total[y, u], result.domains[y, u], result.rank[y, u]) for u, unit in enumerate(result.units)}


def test_areas_worked_by_hand():
    result = index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006)))
    got = by_unit(result, 2006)
    # Reference (all areas): x 60/400, complement of y 170/400, z 20/100.
    a_d1 = (100 * 0.10 / 0.15 + 100 * 0.40 / 0.425) / 2
    a_total = (2 * a_d1 + 100 * 0.1 / 0.2) / 3
    b_d1 = (100 * 0.30 / 0.15 + 100 * 0.80 / 0.425) / 2
    b_total = (2 * b_d1 + 100 * 0.3 / 0.2) / 3
    c_d1 = (100 * 0.10 / 0.15 + 100 * 0.25 / 0.425) / 2
    assert got["A"][0] == pytest.approx(a_total)
    assert got["A"][1][0] == pytest.approx(a_d1)
    assert got["A"][1][1] == pytest.approx(50.0)
    assert got["B"][0] == pytest.approx(b_total)
    assert got["B"][0] == pytest.approx(179.41176470588235)
    # C has no z: D2 is missing and the total is D1 alone (weights renormalised).
    assert math.isnan(got["C"][1][1])
    assert got["C"][0] == pytest.approx(c_d1)
    assert [got[u][2] for u in "BAC"] == [1, 2, 3]
    assert result.reference_rates[0].tolist() == pytest.approx([0.15, 0.425, 0.2])


def test_indicator_missing_in_a_domain_renormalises_within_the_domain():
    rows = [r for r in ROWS_2006 if not (r[0] == "A" and r[2] == "y")]
    result = index_compute(model_parse(MODEL), panel_from_frame(frame(rows)))
    got = by_unit(result, 2006)
    # The reference loses A's y: complement 80 + 50 over 300.
    assert got["A"][1][0] == pytest.approx(100 * 0.10 / 0.15)
    assert result.reference_rates[0][1] == pytest.approx(130 / 300)


def test_groups_sum_counts_never_average_indices():
    groups = {"G1": ["A", "C"], "G2": ["B"]}
    result = index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006)), groups=groups)
    got = by_unit(result, 2006)
    # G1: x 30/300, complement of y 90/300, z only from A: 5/50.
    d1 = (100 * 0.1 / 0.15 + 100 * 0.3 / 0.425) / 2
    assert got["G1"][1][0] == pytest.approx(d1)
    assert got["G1"][0] == pytest.approx((2 * d1 + 50.0) / 3)
    # Not the mean of A's and C's totals.
    areas = by_unit(index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006))), 2006)
    assert got["G1"][0] != pytest.approx((areas["A"][0] + areas["C"][0]) / 2)
    g1 = result.units.index("G1")
    assert result.coverage[0, g1].tolist() == [1.0, 1.0, 0.5]
    assert got["G2"][0] == pytest.approx(areas["B"][0])


def test_base_year_keeps_the_reference_fixed():
    model = model_parse({**MODEL, "base_year": 2006})
    result = index_compute(model, panel_from_frame(frame(ROWS_2006 + ROWS_2012)))
    y2012 = result.year_index(2012)
    # 2012's sub-indices divide by 2006's reference rates.
    assert result.reference_rates[y2012].tolist() == pytest.approx([0.15, 0.425, 0.2])
    a = result.units.index("A")
    a_d1 = (100 * 0.06 / 0.15 + 100 * 0.30 / 0.425) / 2
    assert result.total[y2012, a] == pytest.approx((2 * a_d1 + 100 * 0.08 / 0.2) / 3)
    # The whole population, as one group, sits at 100 in the base year and below it later.
    whole = index_compute(model, panel_from_frame(frame(ROWS_2006 + ROWS_2012)), groups={"Staden": ["A", "B", "C"]})
    assert whole.total[0, 0] == pytest.approx(100.0)
    city_2012 = (2 * (100 * (46 / 400) / 0.15 + 100 * (140 / 400) / 0.425) / 2 + 100 * (26 / 200) / 0.2) / 3
    assert whole.total[1, 0] == pytest.approx(city_2012)
    assert city_2012 < 85
    # Without a base year every year's city is 100.
    yearly = index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006 + ROWS_2012)),
                           groups={"Staden": ["A", "B", "C"]})
    assert yearly.total[:, 0].tolist() == pytest.approx([100.0, 100.0])


def test_reference_can_be_part_of_the_input():
    result = index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006)), reference=["A", "B"])
    assert result.reference_rates[0].tolist() == pytest.approx([0.2, 0.6, 0.2])


def test_priority_selection_and_change():
    model = model_parse({**MODEL, "base_year": 2006})
    result = index_compute(model, panel_from_frame(frame(ROWS_2006 + ROWS_2012)))
    assert priority_select(result, year=2006) == ["B"]
    assert priority_select(result, year=2006, threshold=60) == ["B", "A", "C"]
    changes = {c.unit: c for c in index_change(result, start=2006, end=2012)}
    b = result.units.index("B")
    assert changes["B"].percent == pytest.approx(100 * (result.total[1, b] / result.total[0, b] - 1))
    ordered = [c.unit for c in index_change(result, start=2006, end=2012)]
    percents = [changes[u].percent for u in ordered]
    assert percents == sorted(percents, reverse=True)


def test_records_follow_the_contract():
    records = index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006))).records()
    assert [r["unit"] for r in records] == ["B", "A", "C"]
    assert set(records[0]) == {"unit", "year", "index", "domains", "rank"}
    assert records[2]["domains"] == {"D1": pytest.approx(records[2]["index"]), "D2": None}
    assert records[0]["rank"] == 1 and isinstance(records[0]["rank"], int)


def test_rank_ties_share_the_best_rank():
    assert rank_descending(np.array([5.0, 7.0, 7.0, np.nan, 1.0])).tolist()[:3] == [3.0, 1.0, 1.0]
    assert math.isnan(rank_descending(np.array([5.0, np.nan]))[1])


def test_weighted_mean_renormalises():
    values = np.array([[100.0, np.nan, 200.0], [np.nan, np.nan, np.nan]])
    got = weighted_mean(values, np.array([1.0, 5.0, 3.0]))
    assert got[0] == pytest.approx((100 + 600) / 4)
    assert math.isnan(got[1])


@pytest.mark.parametrize(("change", "message"), [
    ({"domains": []}, "domains must be a non-empty list"),
    ({"domains": [{"name": "D", "weight": 0, "indicators": [{"code": "x", "weight": 1}]}]}, "domains[0].weight"),
    ({"domains": [{"name": "D", "weight": 1, "indicators": [{"code": "x", "weight": -1}]}]},
     "domains[0].indicators[0].weight: the weight must be positive"),
    ({"domains": [{"name": "D", "weight": True, "indicators": [{"code": "x", "weight": 1}]}]}, "must be a number"),
    ({"domains": [{"name": "D", "weight": 1, "indicators": [{"code": "x", "weight": 1, "orientation": "up"}]}]},
     "orientation"),
    ({"base_year": "2006"}, "base_year"),
    ({"name": ""}, "name"),
    ({"domains": [{"name": "D", "name_en": "", "weight": 1, "indicators": [{"code": "x", "weight": 1}]}]},
     "domains[0].name_en: must be a non-empty string"),
    ({"domains": [{"name": "D", "name_en": ["Risk"], "weight": 1, "indicators": [{"code": "x", "weight": 1}]}]},
     "domains[0].name_en: must be a non-empty string"),
    ({"domains": [{"name": "D", "name_en": "Risk", "weight": 1, "indicators": [{"code": "x", "weight": 1}]},
                  {"name": "E", "name_en": "Risk", "weight": 1, "indicators": [{"code": "y", "weight": 1}]}]},
     "domains[1].name_en: the English name 'Risk' appears twice"),
])
def test_model_faults_name_the_field(change, message):
    with pytest.raises(IndexInputError, match=r"MODEL\.json") as err:
        model_parse({**MODEL, **change}, source="MODEL.json")
    assert message in str(err.value)


def test_a_domain_may_have_an_english_name():
    """`name_en` is optional (files written before it stay valid, and read back without it),
    labels the domain on English pages, and leaves the computation as it was."""
    plain = model_parse(MODEL)
    assert all(d.name_en == "" for d in plain.domains)
    assert plain.as_dict() == model_parse(plain.as_dict()).as_dict()
    assert all("name_en" not in d for d in plain.as_dict()["domains"])
    named = json.loads(json.dumps(MODEL))
    named["domains"][0]["name_en"] = " Risk factors "
    spec = model_parse(named)
    first = spec.domains[0]
    assert first.name_en == "Risk factors" and first.label("en") == "Risk factors" and first.label("sv") == first.name
    assert spec.domain_labels("en")[first.name] == "Risk factors"
    assert spec.domain_labels("en")[spec.domains[1].name] == spec.domains[1].name  # none: the name
    assert spec.as_dict()["domains"][0]["name_en"] == "Risk factors"
    assert spec.as_dict(labels=False) == plain.as_dict(labels=False)
    assert model_parse({**named, "domains": [{**named["domains"][0], "name_en": None}, *named["domains"][1:]]}) == plain


@pytest.mark.parametrize(("rows", "message"), [
    ([("A", 2006, "x", 1, 0)], "row 2: the denominator is 0"),
    ([("A", 2006, "x", 1, 10), ("A", 2006, "y", 11, 10)], "row 3: y is protective"),
    ([("A", 2006, "x", "många", 10)], "row 2: numerator 'många' is not a number"),
    ([("A", 2006, "x", 1, 10), ("A", 2006, "x", 2, 10)], "row 3: A, 2006, x appears twice"),
    ([("A", "tjugo", "x", 1, 10)], "row 2: year"),
    ([("A", 2006, "x", -1, 10)], "negative"),
    ([("A", 2006, "x", 1, None)], "both be given"),
])
def test_data_faults_name_the_row(rows, message):
    with pytest.raises(IndexInputError) as err:
        panel_from_frame(frame(rows), source="DATA.csv", protective={"y"})
    assert message in str(err.value)
    assert "DATA.csv" in str(err.value)


def test_missing_columns_are_named():
    with pytest.raises(IndexInputError, match="missing column"):
        panel_from_frame(pd.DataFrame({"area": ["A"], "year": [2006]}), source="DATA.csv")


def test_normalisations():
    rates = np.array([[0.1, np.nan], [0.3, 2.0], [0.2, 2.0]])
    ratio = normalise(rates, np.array([0.2, 4.0]), "ratio")
    assert ratio[:, 0].tolist() == pytest.approx([50, 150, 100])
    z = normalise(rates, np.array([0.2, 4.0]), "zscore")
    assert z[:, 0].tolist() == pytest.approx([-1.224744871, 1.224744871, 0.0])
    assert z[1:, 1].tolist() == [0.0, 0.0] and math.isnan(z[0, 1])  # a constant indicator
    pct = normalise(rates, np.array([0.2, 4.0]), "percentile")
    assert pct[:, 0].tolist() == pytest.approx([100 / 6, 500 / 6, 300 / 6])


def test_sensitivity_is_reproducible_for_a_seed():
    result = index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006 + ROWS_2012)))
    one = sensitivity_analyse(result, year=2012, draws=300, seed=7)
    two = sensitivity_analyse(result, year=2012, draws=300, seed=7, chunk=17)
    other = sensitivity_analyse(result, year=2012, draws=300, seed=8)
    assert np.array_equal(one.ranks, two.ranks)
    assert not np.array_equal(one.ranks, other.ranks)
    assert one.rows() == two.rows()
    # B is the highest whatever the weights: every draw ranks it first and selects it.
    b = result.units.index("B")
    assert (one.ranks[:, b] == 1).all()
    assert one.selection_frequency[b] == 1.0
    assert one.selected_count == len(priority_select(result, year=2012))
    assert (one.rank_p05 <= one.median_rank).all() and (one.median_rank <= one.rank_p95).all()


def test_sensitivity_reports_its_progress_per_chunk_without_changing_the_result():
    result = index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006 + ROWS_2012)))
    seen: list[tuple[int, int]] = []
    reported = sensitivity_analyse(result, year=2012, draws=300, seed=7, chunk=100,
                                   progress=lambda done, total: seen.append((done, total)))
    assert [total for _done, total in seen] == [300] * len(seen)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)  # only forward
    assert seen[-1] == (300, 300) and len(seen) >= 3  # every chunk of every normalisation
    assert np.array_equal(reported.ranks, sensitivity_analyse(result, year=2012, draws=300, seed=7).ranks)


def test_sensitivity_with_only_the_model_normalisation_and_tight_weights_keeps_the_model_ranks():
    result = index_compute(model_parse(MODEL), panel_from_frame(frame(ROWS_2006)))
    got = sensitivity_analyse(result, year=2006, draws=200, seed=1, concentration=1e6, normalisations=["ratio"])
    assert got.median_rank.tolist() == result.rank[0].tolist()
