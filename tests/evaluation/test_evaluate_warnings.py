"""`stadsdel evaluate` says when its estimate should not be trusted: the JSON's `warnings` (code and
sentence) and, in the text output, the same warnings before the estimate. The rules are the
estimators' own (`lib/evaluation.py`), the same the evaluation page shows in its words."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

YEARS = range(2000, 2012)
START = 2006


def write_panel(path, series: dict[str, list[float]]):
    lines = ["unit,year,indicator,value"]
    for unit, values in series.items():
        lines += [f"{unit},{year},employment,{value!r}" for year, value in zip(YEARS, values, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def pretrend_panel(tmp_path):
    """One treated district that climbs 2 points a year faster than eight flat comparison
    districts, long before the start: the pre-trend test rejects with p far below 0.001."""
    rng = np.random.default_rng(7)
    series = {f"C{j}": [50 + j + float(rng.normal(0, 0.3)) for _ in YEARS] for j in range(8)}
    series["T"] = [50 + 2.0 * t + float(rng.normal(0, 0.3)) for t, _ in enumerate(YEARS)]
    return write_panel(tmp_path / "pretrend.csv", series)


@pytest.fixture
def zigzag_panel(tmp_path):
    """A treated district that swings ±5 every year while every donor moves smoothly: no weighted
    average of the donors can follow it before the start."""
    rng = np.random.default_rng(3)
    series = {f"C{j}": [48 + 2 * j + 0.1 * t + float(rng.normal(0, 0.2)) for t, _ in enumerate(YEARS)]
              for j in range(6)}
    series["T"] = [55 + (5 if t % 2 else -5) for t, _ in enumerate(YEARS)]
    return write_panel(tmp_path / "zigzag.csv", series)


def evaluate(panel, *args):
    out = StringIO()
    call_command("evaluate", "--input", str(panel), "--start", str(START), "--outcome", "employment", *args,
                 stdout=out)
    return out.getvalue()


def test_did_json_warns_of_one_treated_cluster_and_a_rejected_pre_trend(pretrend_panel):
    out = json.loads(evaluate(pretrend_panel, "--method", "did", "--treated", "T", "--json"))
    codes = [w["code"] for w in out["warnings"]]
    assert {"single_treated_cluster", "pre_trend_rejected"} <= set(codes)
    assert all(set(w) == {"code", "message"} and w["message"] for w in out["warnings"])
    pre_trend = next(w["message"] for w in out["warnings"] if w["code"] == "pre_trend_rejected")
    assert "p = " in pre_trend and "parallel" in pre_trend


def test_did_text_prints_the_warnings_before_the_estimate(pretrend_panel):
    lines = evaluate(pretrend_panel, "--method", "did", "--treated", "T").splitlines()
    assert lines[0].startswith("warning (single_treated_cluster): ")
    assert any(line.startswith("warning (pre_trend_rejected): ") for line in lines)
    first_estimate = next(k for k, line in enumerate(lines) if line.startswith("method:"))
    assert all(line.startswith("warning (") for line in lines[:first_estimate])


def test_synth_json_warns_of_a_poor_pre_period_fit(zigzag_panel):
    out = json.loads(evaluate(zigzag_panel, "--method", "synth", "--treated", "T", "--json"))
    assert "poor_pre_fit" in [w["code"] for w in out["warnings"]]
    assert out["pre_fit_rmspe"] > 2.5


def test_a_sound_design_has_none_of_those_warnings(tmp_path):
    rng = np.random.default_rng(11)
    common = np.cumsum(rng.normal(0, 1, len(YEARS)))
    series = {f"C{j}": [50 + j + float(c) + float(rng.normal(0, 0.3)) for c in common] for j in range(6)}
    for name in ("T1", "T2", "T3"):
        series[name] = [50 + float(c) + float(rng.normal(0, 0.3)) + (3 if y >= START else 0)
                        for c, y in zip(common, YEARS, strict=True)]
    panel = write_panel(tmp_path / "sound.csv", series)
    out = json.loads(evaluate(panel, "--method", "did", "--treated", "T1,T2,T3", "--json"))
    assert not {"single_treated_cluster", "pre_trend_rejected"} & {w["code"] for w in out["warnings"]}


def test_every_warning_has_words_on_the_evaluation_page():
    """One rule, two audiences: the page translates each code the estimators can give."""
    from stadsdel.evaluation.render import NOTES
    from stadsdel.lib.evaluation import WARNINGS

    assert set(WARNINGS) == set(NOTES)


def test_the_api_results_carry_the_same_warnings(client, evaluation):
    """The API's results are the command's JSON: the same warnings, from the same rule."""
    from stadsdel.evaluation.selectors import evaluation_results

    (outcome,) = client.get(f"/api/evaluation/evaluations/{evaluation.pk}/results").json()
    (result,) = evaluation_results(evaluation=evaluation)
    assert outcome["did"]["warnings"] == result.did.warnings
    assert outcome["synth"]["warnings"] == result.synth.warnings
    # 15 districts: fewer than 20 clusters and placebo units, so both warn.
    assert "few_clusters" in [w["code"] for w in outcome["did"]["warnings"]]
    assert "coarse_placebo_p" in [w["code"] for w in outcome["synth"]["warnings"]]
