"""One exit status for bad input across every `stadsdel` command: 2 for a usage error or a
refused file or value (nothing written), 1 only for an unexpected failure. Each command's
refusals in-process (the CommandError's returncode is the status `stadsdel` exits with), and the
import refusal and the usage errors end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

FILES = Path(__file__).parent / "indicators" / "files"
BAD_INPUT = 2


def refused(*args, **kwargs) -> CommandError:
    with pytest.raises(CommandError) as error:
        call_command(*args, **kwargs)
    return error.value


@pytest.mark.django_db
@pytest.mark.parametrize("args", [
    ("import", str(FILES / "bad_value.csv"), "--format", "csv"),
    ("import", str(FILES / "bad_not_xlsx.xlsx"), "--format", "xlsx"),
    ("import", str(FILES / "kolada_incomplete.json"), "--format", "kolada"),
    ("import", str(FILES / "no_such_file.csv"), "--format", "csv"),
    ("import", str(FILES / "long.csv"), "--format", "csv", "--url", "http://127.0.0.1:1/"),
    ("stats", "show", "--indicator", "no_such_indicator", "--area", "01270001"),
    ("stats", "show", "--indicator", "employment_rate_20_64", "--district", "Ingenstans"),
    ("microdata", "aggregate", str(FILES / "no_such_dir"), "--code-system", "SAMS"),
    ("microdata", "aggregate", str(FILES / "long.csv"), "--code-system", "NOPE"),
    ("crosswalk", "load", str(FILES / "long.csv")),
    ("synth", "--persons", "0", "--out", "unused"),
    ("synth", "--persons", "10", "--years", "2012-2006", "--out", "unused"),
    ("synth", "--persons", "10", "--out", str(FILES / "long.csv")),
], ids=lambda a: " ".join(Path(x).name if "/" in x else x for x in a))
def test_every_refusal_of_bad_input_exits_2(args):
    error = refused(*args)
    assert error.returncode == BAD_INPUT, str(error)


def test_a_refused_seed_file_exits_2(monkeypatch):
    from stadsdel.seeds.loader import SeedDataError
    from stadsdel.seeds.management.commands import seeds

    def broken(**_kwargs):
        raise SeedDataError("organisations.json: unknown municipality code '9999'")

    monkeypatch.setattr(seeds, "seeds_load", broken)
    assert refused("seeds", "load").returncode == BAD_INPUT


def test_the_demo_refused_in_production_exits_2(settings):
    settings.PRODUCTION = True
    assert refused("demo", "--no-serve").returncode == BAD_INPUT


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stadsdel.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_command_line_exits_2_on_a_refused_import_and_on_usage_errors(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    assert run("migrate", "-v0", env=env).returncode == 0
    shutil.copy(FILES / "bad_value.csv", tmp_path / "bad_value.csv")
    bad = run("import", str(tmp_path / "bad_value.csv"), "--format", "csv", env=env)
    assert bad.returncode == BAD_INPUT and "bad_value.csv" in bad.stderr
    # argparse's usage errors, and a command that does not exist.
    assert run("import", str(tmp_path / "bad_value.csv"), env=env).returncode == BAD_INPUT
    assert run("stats", env=env).returncode == BAD_INPUT
    unknown = run("no-such-command", env=env)
    assert unknown.returncode == BAD_INPUT and "Unknown command" in unknown.stderr
