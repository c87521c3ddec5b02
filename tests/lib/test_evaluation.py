"""The evaluation estimators on panels whose answer is known: exact worked examples, seeded
simulations with an injected effect, and the designs they must refuse."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from stadsdel.lib.evaluation import (
    DesignRefused,
    EvaluationInputError,
    comparison_nearest,
    did_estimate,
    panel_csv_read,
    simplex_weights,
    synth_estimate,
)


def long(values: dict[str, list[float]], first_year: int) -> pd.DataFrame:
    return pd.DataFrame([(unit, first_year + t, v) for unit, series in values.items() for t, v in enumerate(series)],
                        columns=["unit", "year", "value"])


def did_panel(seed: int, *, effect: float, treated: int = 8, control: int = 16, years: int = 10,
              start_index: int = 5) -> tuple[pd.DataFrame, list[str], int]:
    """Unit and year effects, a common business cycle, unit-level AR(1) noise and an effect from
    the start on for the treated units."""
    rng = np.random.default_rng(seed)
    units = [f"T{i}" for i in range(treated)] + [f"C{i}" for i in range(control)]
    level = rng.normal(60, 6, len(units))
    cycle = np.cumsum(rng.normal(0, 1.5, years))
    rows = []
    for i, unit in enumerate(units):
        noise = 0.0
        for t in range(years):
            noise = 0.4 * noise + rng.normal(0, 1.0)
            value = level[i] + cycle[t] + noise + (effect if unit.startswith("T") and t >= start_index else 0.0)
            rows.append((unit, 2000 + t, value))
    return pd.DataFrame(rows, columns=["unit", "year", "value"]), units[:treated], 2000 + start_index


# -- difference-in-differences -----------------------------------------------------------------

def test_did_standard_error_is_the_small_sample_clustered_one_worked_by_hand():
    """The balanced two-way within transformation gives the same coefficient as the two-way fixed
    effects; the clustered variance is meat / bread² × G/(G − 1) × (N − 1)/(N − K), K counting the
    effect, the unit and year dummies and the constant (Stata's `regress … i.unit i.year,
    vce(cluster unit)`). The interval is that standard error times t(G − 1)."""
    from scipy import stats

    panel, treated, start = did_panel(5, effect=1.5, treated=2, control=3, years=8)
    result = did_estimate(panel, treated=treated, start=start)
    frame = panel.copy()
    frame["d"] = (frame["unit"].isin(treated) & (frame["year"] >= start)).astype(float)
    for column in ("value", "d"):
        by_unit = frame.groupby("unit")[column].transform("mean")
        by_year = frame.groupby("year")[column].transform("mean")
        frame[column + "_w"] = frame[column] - by_unit - by_year + frame[column].mean()
    bread = float((frame["d_w"] ** 2).sum())
    beta = float((frame["d_w"] * frame["value_w"]).sum()) / bread
    frame["score"] = frame["d_w"] * (frame["value_w"] - beta * frame["d_w"])
    meat = float((frame.groupby("unit")["score"].sum() ** 2).sum())
    g, n = frame["unit"].nunique(), len(frame)
    k = 1 + (g - 1) + (frame["year"].nunique() - 1) + 1
    se = math.sqrt(meat / bread**2 * g / (g - 1) * (n - 1) / (n - k))
    assert result.effect == pytest.approx(beta, rel=1e-9)
    assert result.ci_high - result.effect == pytest.approx(stats.t.ppf(0.975, g - 1) * se, rel=1e-6)


def test_did_with_gaps_in_the_treated_series_estimates_or_refuses_never_crashes():
    panel, treated, start = did_panel(6, effect=3.0, treated=2, control=6, years=10)
    # A suppressed cell in every treated district in one pre-year: that year has no coefficient.
    gappy = panel[~(panel["unit"].isin(treated) & (panel["year"] == 2001))]
    result = did_estimate(gappy, treated=treated, start=start)
    assert 2001 not in {y.year for y in result.per_year} and result.ci_low < 3.0 < result.ci_high
    # The treated series starts the year before the start: one pre-year is too few to see a trend.
    late = panel[~(panel["unit"].isin(treated) & (panel["year"] < start - 1))]
    with pytest.raises(DesignRefused) as refused:
        did_estimate(late, treated=treated, start=start)
    assert refused.value.code == "too_few_pre_years" and refused.value.params["got"] == 1


def test_did_recovers_an_exact_effect_without_noise():
    # Parallel paths, different levels; the treated ones rise by 2 from 2004.
    base = [10.0, 11.0, 13.0, 12.0, 14.0, 15.0]
    panel = long({
        "A": [v + 5 + (2 if 2000 + t >= 2004 else 0) for t, v in enumerate(base)],
        "B": [v - 3 + (2 if 2000 + t >= 2004 else 0) for t, v in enumerate(base)],
        "C": base, "D": [v + 1 for v in base], "E": [v + 7 for v in base],
    }, 2000)
    result = did_estimate(panel, treated=["A", "B"], start=2004)
    assert result.effect == pytest.approx(2.0, abs=1e-9)
    assert {y.year: round(y.effect, 9) for y in result.per_year} == {2000: 0, 2001: 0, 2002: 0, 2004: 2, 2005: 2}
    assert result.reference_year == 2003
    assert result.pre_fit_rmspe == pytest.approx(0.0, abs=1e-9)
    assert result.comparison == ("C", "D", "E") and result.clusters == 5


def test_did_interval_covers_the_true_effect_in_a_seeded_simulation():
    panel, treated, start = did_panel(7, effect=2.5)
    result = did_estimate(panel, treated=treated, start=start)
    assert result.ci_low < 2.5 < result.ci_high
    assert result.p_value < 0.05
    # No anticipation in the simulation: the pre-years' intervals hold zero and the joint test
    # does not reject.
    assert all(y.ci_low < 0 < y.ci_high for y in result.per_year if y.year < start)
    assert result.pre_trend_p > 0.05
    assert len(result.per_year) == 9 and {y.year for y in result.per_year} == set(range(2000, 2010)) - {2004}
    assert result.as_json()["per_year"][0] == {"year": 2000, "effect": result.per_year[0].effect,
                                               "ci_low": result.per_year[0].ci_low,
                                               "ci_high": result.per_year[0].ci_high}


def test_did_interval_coverage_is_near_nominal():
    # 20 seeds, small panels: the clustered t(G-1) interval should hold the truth in most.
    covered = 0
    for seed in range(20):
        panel, treated, start = did_panel(100 + seed, effect=1.0, treated=5, control=10, years=6, start_index=3)
        result = did_estimate(panel, treated=treated, start=start)
        covered += result.ci_low < 1.0 < result.ci_high
    assert covered >= 16


def test_did_without_effect_is_not_significant():
    panel, treated, start = did_panel(3, effect=0.0)
    result = did_estimate(panel, treated=treated, start=start)
    assert result.ci_low < 0 < result.ci_high


def test_did_refuses_thin_designs():
    panel, treated, start = did_panel(1, effect=1.0, treated=2, control=2, years=6, start_index=3)
    with pytest.raises(DesignRefused) as one_pre:
        did_estimate(panel, treated=treated, start=2001)
    assert one_pre.value.code == "too_few_pre_years"
    with pytest.raises(DesignRefused) as no_post:
        did_estimate(panel, treated=treated, start=2010)
    assert no_post.value.code == "too_few_post_years"
    with pytest.raises(DesignRefused) as few:
        did_estimate(panel, treated=treated, start=start, comparison=["C0"])
    assert few.value.code == "too_few_comparison_units"
    with pytest.raises(EvaluationInputError, match="unknown unit"):
        did_estimate(panel, treated=["Nowhere"], start=start)


def test_did_drops_a_unit_without_post_values():
    panel, treated, start = did_panel(2, effect=1.0, treated=3, control=5, years=6, start_index=3)
    panel = panel[~((panel["unit"] == "C0") & (panel["year"] >= start))]
    result = did_estimate(panel, treated=treated, start=start)
    assert result.dropped == ("C0",) and "C0" not in result.comparison


# -- synthetic control ---------------------------------------------------------------------

def test_simplex_weights_recover_an_exact_convex_combination():
    rng = np.random.default_rng(0)
    donors = rng.normal(50, 10, size=(8, 5))
    target = donors @ np.array([0.3, 0.7, 0.0, 0.0, 0.0])
    w = simplex_weights(target, donors)
    assert w == pytest.approx([0.3, 0.7, 0, 0, 0], abs=1e-6)
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()


def test_synth_worked_example():
    # Treated = 0.3·A + 0.7·B exactly before 2005, and 4 units higher from 2005: the effect is 4
    # in every post year, the pre-fit perfect, and no placebo is as extreme.
    a = [10.0, 12.0, 11.0, 14.0, 13.0, 15.0, 16.0, 15.0]
    b = [20.0, 19.0, 22.0, 21.0, 23.0, 22.0, 24.0, 25.0]
    c = [30.0, 33.0, 31.0, 30.0, 34.0, 33.0, 35.0, 34.0]
    d = [5.0, 7.0, 6.0, 8.0, 7.0, 6.0, 8.0, 9.0]
    e = [15.0, 14.0, 17.0, 16.0, 18.0, 17.0, 16.0, 19.0]
    treated = [0.3 * x + 0.7 * y + (4.0 if t >= 5 else 0.0) for t, (x, y) in enumerate(zip(a, b, strict=True))]
    panel = long({"treated": treated, "A": a, "B": b, "C": c, "D": d, "E": e}, 2000)
    result = synth_estimate(panel, treated="treated", start=2005)
    assert result.weights["A"] == pytest.approx(0.3, abs=1e-5)
    assert result.weights["B"] == pytest.approx(0.7, abs=1e-5)
    assert sum(result.weights.values()) == pytest.approx(1.0)
    assert result.pre_fit_rmspe == pytest.approx(0.0, abs=1e-4)
    assert result.effect == pytest.approx(4.0, abs=1e-4)
    assert [y.year for y in result.per_year] == [2005, 2006, 2007]
    assert all(y.effect == pytest.approx(4.0, abs=1e-4) and y.ci_low is None for y in result.per_year)
    assert result.rank == 1 and result.p_value == pytest.approx(1 / 6)
    assert result.pre_years == (2000, 2001, 2002, 2003, 2004)
    out = result.as_json()
    assert out["method"] == "synth" and set(out["donor_weights"]) == {"A", "B", "C", "D", "E"}


def synth_panel(seed: int, *, effect: float, donors: int = 19, years: int = 12, start_index: int = 7):
    """A two-factor model; the treated unit is a convex mix of three donors plus small noise."""
    rng = np.random.default_rng(seed)
    f = np.cumsum(rng.normal(0, 1, (years, 2)), axis=0)
    values = {}
    for j in range(donors):
        load = rng.uniform(0.2, 2.0, 2)
        values[f"D{j:02d}"] = 50 + rng.normal(0, 8) + f @ load + rng.normal(0, 0.3, years)
    mix = values["D00"] * 0.5 + values["D01"] * 0.3 + values["D02"] * 0.2 + rng.normal(0, 0.3, years)
    mix[start_index:] += effect
    values["T"] = mix
    return long({k: list(v) for k, v in values.items()}, 2000), 2000 + start_index


def test_synth_recovers_a_large_effect_and_the_placebos_say_it_is_rare():
    panel, start = synth_panel(11, effect=8.0)
    result = synth_estimate(panel, treated="T", start=start)
    assert result.effect == pytest.approx(8.0, abs=1.0)  # stated tolerance: ±1 on an effect of 8
    assert result.p_value <= 0.1
    assert result.n_units == 20


def test_synth_without_an_effect_is_not_called_significant():
    panel, start = synth_panel(11, effect=0.0)
    result = synth_estimate(panel, treated="T", start=start)
    assert abs(result.effect) < 1.0
    assert result.p_value > 0.1


def test_synth_refuses_thin_designs_and_drops_incomplete_donors():
    panel, start = synth_panel(5, effect=0.0, donors=4, years=8, start_index=5)
    with pytest.raises(DesignRefused) as short:
        synth_estimate(panel, treated="T", start=2002)
    assert short.value.code == "too_few_pre_years"
    with pytest.raises(DesignRefused) as few:
        synth_estimate(panel, treated="T", start=start, donors=["D00"])
    assert few.value.code == "too_few_donors"
    holed = panel[~((panel["unit"] == "D03") & (panel["year"] == 2001))]
    result = synth_estimate(holed, treated="T", start=start)
    assert result.dropped == ("D03",) and "D03" not in result.weights
    with pytest.raises(EvaluationInputError, match="unknown unit"):
        synth_estimate(panel, treated="X", start=start)


# -- comparison pool and input ---------------------------------------------------------------

def test_nearest_neighbours_match_level_and_trend():
    panel = long({
        "T": [10, 11, 12, 13, 20], "near": [10.5, 11.4, 12.6, 13.5, 14], "flat": [11.5] * 5,
        "far": [40, 41, 42, 43, 44], "falling": [14, 13, 12, 11, 10],
    }, 2000)
    chosen = comparison_nearest(panel, treated=["T"], start=2004, k=2)
    assert [n.unit for n in chosen] == ["near", "flat"]
    assert chosen[0].trend == pytest.approx(1.0, abs=0.1)


def test_panel_csv_read_keeps_the_outcome_and_names_faults():
    text = "unit,year,indicator,value\n0180,2000,emp,1.5\n0180,2001,emp,\n0180,2000,other,3\n"
    frame = panel_csv_read(text, outcome="emp")
    assert list(frame["unit"]) == ["0180", "0180"] and math.isnan(frame["value"].iloc[1])
    for bad, message in [
        ("unit,year,value\nA,2000,1\n", "missing column"),
        ("unit,year,indicator,value\nA,20x0,emp,1\n", "line 2: year"),
        ("unit,year,indicator,value\nA,2000,emp,abc\n", "line 2: value"),
        ("unit,year,indicator,value\nA,2000,emp,1\nA,2000,emp,2\n", "line 3: A 2000 emp appears more than once"),
        ("unit,year,indicator,value\nA,2000,other,1\n", "no rows for the outcome 'emp'"),
    ]:
        with pytest.raises(EvaluationInputError, match=message):
            panel_csv_read(bad, outcome="emp")
