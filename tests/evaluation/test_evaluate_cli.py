"""`stadsdel evaluate` as a user runs it: a subprocess with a database URL that cannot be
reached, so the command provably needs no database; the JSON contract and exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

KEYS = {"method", "effect", "ci_low", "ci_high", "p_value", "pre_fit_rmspe", "per_year", "warnings"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/unreachable"}
    return subprocess.run([sys.executable, "-m", "stadsdel.cli", "evaluate", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """12 districts, 2000-2011; D00-D02 gain 3 points from 2006. The treated ones are mixes of
    untreated districts, so a synthetic control can match them."""
    rng = np.random.default_rng(42)
    f = np.cumsum(rng.normal(0, 1, 12))
    base = {f"D{j:02d}": 50 + rng.normal(0, 8) + rng.uniform(0.5, 1.5) * f + rng.normal(0, 0.3, 12)
            for j in range(3, 15)}
    names = list(base)
    for j in range(3):
        base[f"D{j:02d}"] = 0.5 * base[names[j]] + 0.5 * base[names[j + 3]] + rng.normal(0, 0.3, 12)
    lines = ["unit,year,indicator,value"]
    for unit, series in sorted(base.items()):
        for t, value in enumerate(series):
            effect = 3.0 if unit in ("D00", "D01", "D02") and t >= 6 else 0.0
            lines.append(f"{unit},{2000 + t},employment,{float(value) + effect!r}")
            lines.append(f"{unit},{2000 + t},other,1")
    path = tmp_path_factory.mktemp("panel")
    (path / "panel.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_did_json(panel):
    done = run("--method", "did", "--input", "panel.csv", "--treated", "D00,D01,D02", "--start", "2006",
               "--outcome", "employment", "--json", cwd=panel)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(out) == KEYS and out["method"] == "did"
    assert out["ci_low"] < 3.0 < out["ci_high"]
    assert out["p_value"] < 0.05
    years = [r["year"] for r in out["per_year"]]
    assert years == [y for y in range(2000, 2012) if y != 2005]
    assert set(out["per_year"][0]) == {"year", "effect", "ci_low", "ci_high"}


def test_synth_json(panel):
    done = run("--method", "synth", "--input", "panel.csv", "--treated", "D00", "--start", "2006",
               "--outcome", "employment", "--json", cwd=panel)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(out) == KEYS | {"donor_weights"} and out["method"] == "synth"
    assert out["ci_low"] is None and out["ci_high"] is None
    assert out["effect"] == pytest.approx(3.0, abs=1.0)
    assert [r["year"] for r in out["per_year"]] == list(range(2006, 2012))
    assert out["effect"] == pytest.approx(np.mean([r["effect"] for r in out["per_year"]]))
    assert sum(out["donor_weights"].values()) == pytest.approx(1.0)
    assert min(out["donor_weights"].values()) >= 0
    assert set(out["donor_weights"]) == {f"D{j:02d}" for j in range(1, 15)}
    assert out["pre_fit_rmspe"] >= 0 and 0 < out["p_value"] <= 1


def test_unknown_unit_and_thin_design_exit_2(panel):
    done = run("--method", "did", "--input", "panel.csv", "--treated", "Nowhere", "--start", "2006",
               "--outcome", "employment", "--json", cwd=panel)
    assert done.returncode == 2 and "unknown unit" in done.stderr and done.stdout.strip() == ""
    done = run("--method", "synth", "--input", "panel.csv", "--treated", "D00", "--start", "2001",
               "--outcome", "employment", "--json", cwd=panel)
    assert done.returncode == 2 and "refused" in done.stderr and done.stdout.strip() == ""


def test_malformed_file_exits_2(tmp_path):
    (tmp_path / "bad.csv").write_text("unit,year,indicator,value\nA,2000,x,not-a-number\n", encoding="utf-8")
    done = run("--method", "did", "--input", "bad.csv", "--treated", "A", "--start", "2001", "--outcome", "x",
               "--json", cwd=tmp_path)
    assert done.returncode == 2 and "line 2" in done.stderr


# The other refusals in-process: the same command without a subprocess's start-up time.
@pytest.mark.parametrize(("args", "message"), [
    (("--method", "did", "--treated", "D00", "--start", "2001"), "refused"),
    (("--method", "did", "--treated", "D00", "--start", "2012"), "refused"),
    (("--method", "synth", "--treated", "D00,D01", "--start", "2006"), "exactly one treated unit"),
    (("--method", "did", "--treated", "D00", "--start", "2006", "--outcome", "nothing"), "no rows for the outcome"),
    (("--method", "did", "--treated", " , ", "--start", "2006"), "at least one unit"),
])
def test_bad_input_is_a_command_error_with_status_2(panel, args, message):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    if "--outcome" not in args:
        args = (*args, "--outcome", "employment")
    with pytest.raises(CommandError, match=message) as error:
        call_command("evaluate", *args, "--input", str(panel / "panel.csv"), "--json")
    assert error.value.returncode == 2


def test_missing_file_is_a_command_error(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot read"):
        call_command("evaluate", "--method", "did", "--input", str(tmp_path / "missing.csv"), "--treated", "A",
                     "--start", "2001", "--outcome", "x")
