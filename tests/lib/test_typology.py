"""SCB's socio-economic index and area types against figures worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from stadsdel.lib.typology import (
    DEFAULT_CUTOFFS,
    TYPE_NAMES,
    TYPE_NAMES_EN,
    VARIABLES,
    TypologyError,
    cutoffs_validate,
    typology_compute,
)

# Nine areas whose index (V1+V2+V3)/3 is 26, 23, 20, 20, 20, 19, 19, 17, 16:
#   μ = 180 / 9 = 20; deviations 6, 3, 0, 0, 0, −1, −1, −3, −4;
#   Σ(deviation²) = 36 + 9 + 1 + 1 + 9 + 16 = 72; sample sd = √(72 / 8) = 3.
#   Type bounds: μ + 2sd = 26, μ + sd = 23, μ = 20, μ − sd = 17.
# A, B, C–E and H lie exactly on a bound, so they show which side a bound belongs to.
HAND = pd.DataFrame(
    [
        ("A", 40, 22, 16),  # 78 / 3 = 26 = μ + 2sd -> 1
        ("B", 35, 20, 14),  # 69 / 3 = 23 = μ + sd  -> 2
        ("C", 30, 18, 12),  # 60 / 3 = 20 = μ      -> 3
        ("D", 28, 20, 12),  # 20                   -> 3
        ("E", 32, 16, 12),  # 20                   -> 3
        ("F", 29, 17, 11),  # 57 / 3 = 19          -> 4
        ("G", 27, 19, 11),  # 19                   -> 4
        ("H", 25, 16, 10),  # 51 / 3 = 17 = μ − sd  -> 4
        ("I", 24, 15, 9),  # 48 / 3 = 16 < μ − sd  -> 5
    ],
    columns=["area", "v1", "v2", "v3"],
)
HAND_TYPES = {"A": 1, "B": 2, "C": 3, "D": 3, "E": 3, "F": 4, "G": 4, "H": 4, "I": 5}


def types(result) -> dict:
    return {row.area: row.type for row in result.rows()}


def test_index_mean_sd_and_types_match_the_hand_figures():
    result = typology_compute(HAND)
    assert (result.mean, result.sd, result.n, result.ddof) == (20.0, 3.0, 9, 1)
    assert result.cutoffs == DEFAULT_CUTOFFS == (2.0, 1.0, 0.0, -1.0)
    assert result.thresholds == (26.0, 23.0, 20.0, 17.0)
    assert [row.index for row in result.rows()] == [26, 23, 20, 20, 20, 19, 19, 17, 16]
    assert [row.sds_from_mean for row in result.rows()] == pytest.approx([2, 1, 0, 0, 0, -1 / 3, -1 / 3, -1, -4 / 3])
    assert types(result) == HAND_TYPES
    assert result.counts() == {1: 1, 2: 1, 3: 3, 4: 3, 5: 1}
    first = result.rows()[0]
    assert (first.name, first.name_en) == (TYPE_NAMES[1], TYPE_NAMES_EN[1])
    assert list(result.frame.columns) == ["area", "v1", "v2", "v3", "index", "sds_from_mean", "type"]


def test_a_small_set_with_an_irrational_sd():
    # Indices 10, 12 and 17: μ = 13, deviations −3, −1, 4, Σ = 26, sd = √(26 / 2) = √13 ≈ 3.606.
    # Bounds ≈ 20.21, 16.61, 13, 9.39: 17 is type 2, 12 and 10 type 4.
    frame = pd.DataFrame({"area": ["x", "y", "z"], "v1": [12, 15, 20], "v2": [9, 12, 17], "v3": [9, 9, 14]})
    result = typology_compute(frame)
    assert result.mean == 13.0
    assert result.sd == pytest.approx(math.sqrt(13))
    assert result.thresholds == pytest.approx((13 + 2 * math.sqrt(13), 13 + math.sqrt(13), 13, 13 - math.sqrt(13)))
    assert types(result) == {"x": 4, "y": 4, "z": 2}


def test_cutoffs_and_ddof_are_parameters():
    # Half-sd bands around the mean: bounds 24.5, 21.5, 18.5, 15.5.
    half = typology_compute(HAND, cutoffs=(1.5, 0.5, -0.5, -1.5))
    assert half.thresholds == (24.5, 21.5, 18.5, 15.5)
    assert types(half) == {"A": 1, "B": 2, "C": 3, "D": 3, "E": 3, "F": 3, "G": 3, "H": 4, "I": 4}
    # Population sd = √(72 / 9) = √8 ≈ 2.83: μ − sd ≈ 17.17, so H (17) drops to type 5.
    population = typology_compute(HAND, ddof=0)
    assert population.sd == pytest.approx(math.sqrt(8))
    assert types(population) == {**HAND_TYPES, "H": 5}


def test_an_area_missing_a_variable_gets_no_type_and_does_not_move_the_mean():
    extra = pd.DataFrame(
        [("J", 90, 80, np.nan), ("K", 10, None, 5), ("L", None, None, None)], columns=["area", "v1", "v2", "v3"],
    )
    result = typology_compute(pd.concat([HAND, extra], ignore_index=True))
    assert (result.mean, result.sd, result.n) == (20.0, 3.0, 9)
    assert types(result) == {**HAND_TYPES, "J": None, "K": None, "L": None}
    j = result.rows()[9]
    assert (j.v1, j.v2, j.v3, j.index, j.sds_from_mean, j.type, j.name) == (90.0, 80.0, None, None, None, None, "")
    assert result.counts() == {1: 1, 2: 1, 3: 3, 4: 3, 5: 1}


def test_input_order_is_kept_and_other_columns_are_ignored():
    shuffled = HAND.iloc[::-1].assign(name="ignored", area=lambda f: range(len(f)))
    result = typology_compute(shuffled)
    assert [row.area for row in result.rows()] == list(range(9))
    assert [row.type for row in result.rows()] == [HAND_TYPES[a] for a in HAND["area"][::-1]]


@pytest.mark.parametrize(
    ("cutoffs", "message"),
    [
        ((2, 1, 1, -1), "strictly decreasing"),
        ((-1, 0, 1, 2), "strictly decreasing"),
        ((2, 1, 0), "need 4 cut-offs, not 3"),
        ((3, 2, 1, 0, -1), "need 4 cut-offs, not 5"),
        ((float("inf"), 1, 0, -1), "finite"),
        ((2, float("nan"), 0, -1), "finite"),
        (("two", 1, 0, -1), "numbers of standard deviations"),
        (None, "numbers of standard deviations"),
    ],
)
def test_bad_cutoffs_are_refused(cutoffs, message):
    with pytest.raises(TypologyError, match=message):
        cutoffs_validate(cutoffs)
    with pytest.raises(TypologyError, match=message):
        typology_compute(HAND, cutoffs=cutoffs)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (HAND.iloc[:1], "1 area"),
        (HAND.iloc[:0], "0 area"),
        (pd.concat([HAND.iloc[:1], HAND.iloc[1:2].assign(v3=np.nan)]), "1 area"),
        (HAND.assign(v1=30, v2=20, v3=10), "the same"),
        (HAND.drop(columns="v2"), "missing column"),
        (HAND.rename(columns={"area": "code"}), "missing column"),
        (pd.concat([HAND, HAND.iloc[:1]]), "more than once: A"),
        (HAND.assign(v1=[*HAND["v1"][:-1], 100.5]), r"0–100, not for I \(100.5\)"),
        (HAND.assign(v3=[-1, *HAND["v3"][1:]]), r"0–100, not for A \(-1\)"),
        (HAND.assign(v2=["22", "x", *HAND["v2"][2:]]), "v2: not a number for area.s. B"),
        (HAND.assign(area=[None, *HAND["area"][1:]]), "without an area"),
    ],
)
def test_bad_input_is_refused(frame, message):
    with pytest.raises(TypologyError, match=message):
        typology_compute(frame)


def test_too_few_areas_for_the_chosen_ddof():
    with pytest.raises(TypologyError, match="at least 3"):
        typology_compute(HAND.iloc[:2], ddof=2)
    for ddof in (-1, 1.5, True):
        with pytest.raises(TypologyError, match="ddof"):
            typology_compute(HAND, ddof=ddof)


def test_type_names_and_variables():
    assert TYPE_NAMES == {
        1: "Områden med stora socioekonomiska utmaningar",
        2: "Områden med socioekonomiska utmaningar",
        3: "Socioekonomiskt blandade områden",
        4: "Områden med goda socioekonomiska förutsättningar",
        5: "Områden med mycket goda socioekonomiska förutsättningar",
    }
    assert set(TYPE_NAMES_EN) == set(TYPE_NAMES)
    assert VARIABLES == {
        "v1": "low_economic_standard_share",
        "v2": "pre_secondary_education_20_64",
        "v3": "long_term_assistance_or_unemployment_20_64",
    }
