"""`stadsdel smart-check GOAL.json --data DATA.csv --json` as a user runs it: a subprocess, with a
database URL that cannot be reached, so the check provably needs no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GOAL = {
    "text": "Fler i Jordbro ska ha ett arbete.",
    "goal_area": "Arbete och sysselsättning",
    "scope": ["Jordbro"],
    "indicator": "sys",
    "baseline": {"value": 53, "year": 2012},
    "target": {"value": 62.6, "year": 2016},
    "responsible": ["Haninge kommun", "Arbetsförmedlingen"],
    "accepted": {"by": "Lokala styrgruppen", "date": "2012-03-01"},
    "plan_period_end": 2018,
    "unit": "percent",
    "higher_is_better": True,
}
# 12 yearly changes; their 90th percentile is 2,45 (worked out in test_smart.py).
DATA = """district,year,indicator,value
Jordbro,2010,sys,50
Jordbro,2011,sys,51
Jordbro,2012,sys,53
Jordbro,2013,sys,53.5
Jordbro,2014,sys,55
Rinkeby,2010,sys,40
Rinkeby,2011,sys,39
Rinkeby,2012,sys,40
Rinkeby,2013,sys,42.5
Rinkeby,2014,sys,45.5
Tensta,2010,sys,60
Tensta,2012,sys,61
Tensta,2013,sys,62
Tensta,2014,sys,62
Tensta,2015,sys,62.5
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/unreachable"}
    return subprocess.run(
        [sys.executable, "-m", "stadsdel.cli", "smart-check", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def files(tmp_path):
    (tmp_path / "goal.json").write_text(json.dumps(GOAL, ensure_ascii=False), encoding="utf-8")
    # With a byte-order mark, as spreadsheets save UTF-8.
    (tmp_path / "data.csv").write_text("\ufeff" + DATA, encoding="utf-8")
    return tmp_path


def test_every_letter_with_data(files):
    done = run("goal.json", "--data", "data.csv", "--json", cwd=files)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["S", "M", "A", "R", "T"]
    assert all(set(v) == {"result", "reason"} and isinstance(v["reason"], str) and v["reason"] for v in out.values())
    assert {k: v["result"] for k, v in out.items()} == dict.fromkeys("SMART", "pass")
    assert "2,4 procentenheter per år" in out["R"]["reason"]
    assert "90:e percentilen" in out["R"]["reason"] and "2,45 procentenheter" in out["R"]["reason"]
    assert out["A"]["reason"].startswith("Ansvariga: Haninge kommun och Arbetsförmedlingen.")


def test_percentile_and_english(files):
    done = run("goal.json", "--data", "data.csv", "--lang", "en", "--percentile", "50", "--json", cwd=files)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["R"]["result"] == "fail"
    assert "the 50th percentile" in out["R"]["reason"] and "is 1 percentage point per year" in out["R"]["reason"]
    assert out["S"]["reason"] == "The goal concerns Jordbro in the goal area Arbete och sysselsättning."


def test_without_data_m_fails_and_r_is_unknown(files):
    done = run("goal.json", "--json", cwd=files)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["M"] == {"result": "fail", "reason": "Inga statistikdata har angetts, så det går inte att visa att "
                                                    "indikatorn sys mäts år 2012."}
    assert out["R"]["result"] == "unknown" and "Inga statistikdata har angetts" in out["R"]["reason"]
    assert out["S"]["result"] == out["A"]["result"] == out["T"]["result"] == "pass"


def test_nulls_the_schema_allows_make_letters_fail_not_the_command(files):
    goal = {**GOAL, "goal_area": None, "indicator": None, "baseline": None, "target": None,
            "accepted": None, "plan_period_end": None, "population_group": "unga vuxna"}
    (files / "goal.json").write_text(json.dumps(goal), encoding="utf-8")
    done = run("goal.json", "--data", "data.csv", "--lang", "en", "--json", cwd=files)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {k: v["result"] for k, v in out.items()} == dict.fromkeys("SMART", "fail")
    assert out["S"]["reason"] == "The goal lacks a goal area."
    assert out["M"]["reason"] == "The goal lacks an indicator, a baseline value and a baseline year."
    assert out["R"]["reason"] == "The goal lacks an indicator, so whether it is realistic cannot be judged."


@pytest.mark.parametrize(("goal", "message"), [
    ('{"text": "x", ', "goal.json: not valid JSON"),
    ("[1, 2]", "goal.json: must be a JSON object"),
    (json.dumps({**GOAL, "baseline": {"value": 53, "year": "2012"}}),
     'goal.json: baseline.year: must be a year (a whole number) or null, not "2012"'),
    (json.dumps({**GOAL, "target": {"value": "sextio", "year": 2016}}),
     'goal.json: target.value: must be a number or null, not "sextio"'),
    (json.dumps({**GOAL, "unit": "kronor"}), 'goal.json: unit: must be one of percent, number, not "kronor"'),
    (json.dumps({k: v for k, v in GOAL.items() if k not in ("scope", "higher_is_better")}),
     "goal.json: missing key(s) scope, higher_is_better"),
    (json.dumps({**GOAL, "accepted": {"by": "KS", "date": "igår"}}), "goal.json: accepted.date: must be a date"),
    # What the fuzzing found: json's own limits must end as clear errors too, not tracebacks.
    ('{"baseline": {"value": ' + "9" * 5000 + "}}", "goal.json: not valid JSON (a number is too long"),
    ("[" * 100_000 + "]" * 100_000, "goal.json: not valid JSON"),
])
def test_malformed_goal_exits_2_with_a_clear_message(files, goal, message):
    (files / "goal.json").write_text(goal, encoding="utf-8")
    done = run("goal.json", "--data", "data.csv", "--json", cwd=files)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("data", "message"), [
    ("district,year,value\nJordbro,2012,53\n", "data.csv: missing column(s) indicator"),
    ("district,year,indicator,value\nJordbro,2012,sys,53\nJordbro,2013,sys,n/a\n",
     'data.csv: row 3: value "n/a" is not a number'),
    ("district,year,indicator,value\nJordbro,2012,sys,53\nJordbro,2013,sys,54\nJordbro,tjugo,sys,55\n",
     'data.csv: row 4: year "tjugo" is not a whole number'),
    ("", "data.csv: the file is empty"),
])
def test_malformed_csv_exits_2_naming_the_row(files, data, message):
    (files / "data.csv").write_text(data, encoding="utf-8")
    done = run("goal.json", "--data", "data.csv", "--json", cwd=files)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("nope.json",), "nope.json: no such file"),
    (("goal.json", "--data", "nope.csv"), "nope.csv: no such file"),
    (("goal.json", "--percentile", "0"), "percentile must be above 0 and at most 100"),
    (("goal.json", "--min-changes", "0"), "min_changes must be a whole number of at least 1"),
])
def test_bad_arguments_exit_2(files, args, message):
    done = run(*args, "--json", cwd=files)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
