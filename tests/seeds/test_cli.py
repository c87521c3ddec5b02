"""The `stadsdel` command line: its contracts, run as a user would (a subprocess, any directory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def stadsdel(*args: str, cwd, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "stadsdel.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_sams_expand_prints_one_code_per_line(tmp_path):
    result = stadsdel("sams-expand", " 12800109-10 , 234-35,44 ", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["12800109", "12800110", "12800234", "12800235", "12800244"]


@pytest.mark.parametrize(("notation", "fragment"), [("149041-45", "149041"), ("12800109-1x", "1x"), ("44", "44"),
                                                      ("12800110-09", "09")])
def test_sams_expand_malformed_exits_2_naming_the_fragment(tmp_path, notation, fragment):
    result = stadsdel("sams-expand", notation, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert fragment in result.stderr


def test_seeds_load_and_districts_use_the_database_of_database_url(tmp_path):
    db = tmp_path / "cli.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{db}", "STADSDEL_DATA_DIR": str(tmp_path / "data")}
    assert stadsdel("migrate", "-v0", cwd=tmp_path, env_extra=env).returncode == 0
    load = stadsdel("seeds", "load", cwd=tmp_path, env_extra=env)
    assert load.returncode == 0, load.stderr
    again = stadsdel("seeds", "load", cwd=tmp_path, env_extra=env)
    assert "Seed registry unchanged." in again.stdout
    result = stadsdel("districts", "--json", "--agreement-year", "2011", cwd=tmp_path, env_extra=env)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 38
    assert db.stat().st_size > 0
    assert not (tmp_path / "data" / "stadsdel.sqlite3").exists()  # DATABASE_URL wins over the default
