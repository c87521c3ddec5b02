"""Settings from the environment: bad values stop start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from stadsdel.config.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("TRUE", True), ("0", False), ("off", False), ("", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG") is expected
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", default=True) is True


def test_env_bool_rejects_other_values_naming_the_variable(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfiguredEnv, match="X_FLAG='maybe'"):
        env_bool("X_FLAG")


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    assert env_int("X_NUM", 3) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfiguredEnv, match="X_NUM"):
        env_int("X_NUM", 3)
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def _check(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", "stadsdel.cli", "check"], env=env, capture_output=True,
                          text=True, timeout=60)


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = _check({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "", "STADSDEL_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_malformed_database_url_is_named(tmp_path):
    result = _check({"DATABASE_URL": "nosuchdb://x", "STADSDEL_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
