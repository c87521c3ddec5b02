"""`stadsdel index compute --input … --model-file …` as a user runs it: a subprocess, with a
database URL that cannot be reached, so the file form provably needs no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MODEL = {
    "name": "Filmodell",
    "base_year": None,
    "domains": [
        {"name": "Risk", "weight": 2, "indicators": [
            {"code": "x", "weight": 1, "orientation": "risk"},
            {"code": "y", "weight": 1, "orientation": "protective"},
        ]},
        {"name": "Hälsa", "weight": 1, "indicators": [{"code": "z", "weight": 1, "orientation": "risk"}]},
    ],
}
DATA = """area,year,indicator,numerator,denominator
01800001,2006,x,10,100
01800001,2006,y,60,100
01800001,2006,z,5,50
01800002,2006,x,30,100
01800002,2006,y,20,100
01800002,2006,z,15,50
01800003,2006,x,20,200
01800003,2006,y,150,200
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/unreachable"}
    return subprocess.run(
        [sys.executable, "-m", "stadsdel.cli", "index", "compute", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def files(tmp_path):
    (tmp_path / "model.json").write_text(json.dumps(MODEL), encoding="utf-8")
    (tmp_path / "data.csv").write_text(DATA, encoding="utf-8")
    return tmp_path


def test_areas(files):
    done = run("--input", "data.csv", "--model-file", "model.json", "--json", cwd=files)
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    by_unit = {r["unit"]: r for r in records}
    # Leading zeros kept; C has no z, so its total is the Risk domain alone.
    assert set(by_unit) == {"01800001", "01800002", "01800003"}
    assert set(records[0]) == {"unit", "year", "index", "domains", "rank"}
    b = by_unit["01800002"]
    risk = (100 * 0.30 / 0.15 + 100 * 0.80 / 0.425) / 2
    assert b["domains"]["Risk"] == pytest.approx(risk)
    assert b["domains"]["Hälsa"] == pytest.approx(150.0)
    assert b["index"] == pytest.approx((2 * risk + 150) / 3)
    assert b["rank"] == 1
    assert by_unit["01800003"]["domains"]["Hälsa"] is None
    assert "warning" not in done.stderr


def test_a_model_file_with_english_domain_names_computes_the_same(files):
    """`name_en` is optional in the file (the file above has none); given, it changes no figure
    and the output still names each domain by its `name`."""
    plain = run("--input", "data.csv", "--model-file", "model.json", "--json", cwd=files)
    named = json.loads(json.dumps(MODEL))
    named["domains"][0]["name_en"] = "Risk factors"
    named["domains"][1]["name_en"] = "Health"
    (files / "model.json").write_text(json.dumps(named), encoding="utf-8")
    done = run("--input", "data.csv", "--model-file", "model.json", "--json", cwd=files)
    assert plain.returncode == done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(plain.stdout)
    assert set(json.loads(done.stdout)[0]["domains"]) == {"Risk", "Hälsa"}


def test_groups(files):
    (files / "groups.csv").write_text("area,group\n01800001,Norr\n01800003,Norr\n01800002,Söder\n", encoding="utf-8")
    done = run("--input", "data.csv", "--model-file", "model.json", "--groups", "groups.csv", "--json", cwd=files)
    assert done.returncode == 0, done.stderr
    by_unit = {r["unit"]: r for r in json.loads(done.stdout)}
    risk = (100 * (30 / 300) / 0.15 + 100 * (90 / 300) / 0.425) / 2
    assert by_unit["Norr"]["index"] == pytest.approx((2 * risk + 50.0) / 3)
    assert by_unit["Söder"]["rank"] == 1 and by_unit["Norr"]["rank"] == 2


@pytest.mark.parametrize(("data", "model", "message"), [
    ("area,year,indicator,numerator\n01800001,2006,x,1\n", MODEL, "missing column(s) denominator"),
    ("area,year,indicator,numerator,denominator\n01800001,2006,x,1,0\n", MODEL, "data.csv: row 2: the denominator is 0"),
    ("area,year,indicator,numerator,denominator\n01800001,2006,x,1,10\n01800001,2006,y,12,10\n", MODEL,
     "data.csv: row 3: y is protective"),
    (DATA, {**MODEL, "domains": [{"name": "R", "weight": 0, "indicators": [{"code": "x", "weight": 1}]}]},
     "model.json: domains[0].weight: the weight must be positive"),
    (DATA, {**MODEL, "domains": [{"name": "R", "weight": 1, "indicators": [{"code": "x", "weight": -2}]}]},
     "model.json: domains[0].indicators[0].weight: the weight must be positive"),
    (DATA, {**MODEL, "domains": [{"name": "R", "name_en": 7, "weight": 1, "indicators": [{"code": "x", "weight": 1}]}]},
     "model.json: domains[0].name_en: must be a non-empty string"),
])
def test_malformed_input_exits_2_with_a_clear_message(files, data, model, message):
    (files / "data.csv").write_text(data, encoding="utf-8")
    (files / "model.json").write_text(json.dumps(model), encoding="utf-8")
    done = run("--input", "data.csv", "--model-file", "model.json", "--json", cwd=files)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


def test_a_missing_file_is_named(files):
    done = run("--input", "nope.csv", "--model-file", "model.json", "--json", cwd=files)
    assert done.returncode == 2 and "nope.csv: no such file" in done.stderr
