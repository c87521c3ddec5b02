"""File imports through the service and the `stadsdel import` / `stats show` commands: realistic
files go in whole, bad files leave nothing, the same file twice writes nothing, the latest
import wins with the earlier value kept in the history."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stadsdel.areas.models import StatisticalArea
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.models import ImportBatch, Level, Observation
from stadsdel.indicators.services.imports import observations_import

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db


def counts():
    return (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count(),
            StatisticalArea.objects.count())


def show(*args):
    out = StringIO()
    call_command("stats", "show", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_long_csv_values_are_stored_unrounded_and_traceable():
    outcome = observations_import(path=FILES / "long.csv", fmt="csv")
    assert outcome.created == 10 and outcome.batch.kind == "csv"
    rows = show("--indicator", "employment_rate_20_64", "--area", "01270002")
    assert rows == [{"indicator": "employment_rate_20_64", "area": "01270002", "period": 2011, "sex": "T",
                     "value": 61.25, "numerator": 980.0, "denominator": 1600.0, "status": "provisional"}]
    suppressed = show("--indicator", "social_assistance_share", "--area", "01270001")
    assert suppressed[0]["value"] is None and suppressed[0]["status"] == "suppressed"
    county = Observation.objects.get(unit_key="county:01", indicator__code="employment_rate_20_64")
    assert county.level == Level.COUNTY and county.batch == outcome.batch
    assert show("--indicator", "employment_rate_20_64", "--municipality", "0136") == [
        {"indicator": "employment_rate_20_64", "area": "0136", "period": 2011, "sex": "T", "value": 74.1,
         "numerator": None, "denominator": None, "status": "ok"}]
    assert show("--indicator", "employment_rate_20_64", "--municipality", "0136", "--year", "1999") == []


def test_same_file_twice_writes_nothing():
    observations_import(path=FILES / "long.csv", fmt="csv")
    before = counts()
    outcome = observations_import(path=FILES / "long.csv", fmt="csv")
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.batch) == (0, 0, 10, None)
    assert counts() == before


def test_latest_import_wins_and_history_keeps_the_earlier_value(tmp_path):
    first = observations_import(path=FILES / "long.csv", fmt="csv").batch
    changed = tmp_path / "revised.csv"
    changed.write_text("indicator,area,period,sex,value\nemployment_rate_20_64,0136,2011,T,74.25\n")
    second = observations_import(path=changed, fmt="csv")
    assert (second.created, second.updated) == (0, 1)
    obs = Observation.objects.get(unit_key="municipality:0136", indicator__code="employment_rate_20_64")
    assert obs.value == 74.25 and obs.batch == second.batch
    earlier = obs.history.order_by("history_date")
    assert [(h.value, h.batch_id) for h in earlier] == [(74.1, first.pk), (74.25, second.batch.pk)]


def test_district_figure_is_summed_from_all_its_areas(tmp_path):
    # Alby is SAMS 01270001–02 and 01270004–05; the district rate is Σnum/Σden.
    path = tmp_path / "alby.csv"
    path.write_text(
        "indicator,area,period,sex,value,numerator,denominator\n"
        "employment_rate_20_64,01270001,2010,T,50,500,1000\n"
        "employment_rate_20_64,01270002,2010,T,60,300,500\n"
        "employment_rate_20_64,01270004,2010,T,70,70,100\n"
        "employment_rate_20_64,01270005,2010,T,80,320,400\n"
    )
    observations_import(path=path, fmt="csv")
    [alby] = show("--indicator", "employment_rate_20_64", "--district", "Alby")
    assert (alby["numerator"], alby["denominator"]) == (1190, 2000)
    assert alby["value"] == pytest.approx(59.5)  # the mean of the area rates would be 65


def test_excel_long_and_wide():
    assert observations_import(path=FILES / "long.xlsx", fmt="xlsx").created == 8
    assert observations_import(path=FILES / "wide.xlsx", fmt="xlsx").changed


def test_pxweb_deso_registers_the_areas_and_needs_an_indicator():
    with pytest.raises(ImportFileError, match="--indicator"):
        observations_import(path=FILES / "pxweb_v1_deso.json", fmt="pxweb")
    outcome = observations_import(path=FILES / "pxweb_v1_deso.json", fmt="pxweb", indicator="employment_rate_20_64")
    assert outcome.created == 27
    area = StatisticalArea.objects.get(code="0127A0010")
    assert (area.code_system.code, area.municipality.code) == ("DeSO", "0127")
    # A response with two contents needs to be told which one the indicator is.
    with pytest.raises(ImportFileError, match="000007AN"):
        observations_import(path=FILES / "pxweb_v2_sparse.json", fmt="pxweb", indicator="social_assistance_share")
    assert observations_import(
        path=FILES / "pxweb_v2_sparse.json", fmt="pxweb", indicator="social_assistance_share", content="000007AN",
    ).changed


def test_kolada_maps_kpi_ids_through_the_catalogue():
    outcome = observations_import(path=FILES / "kolada_v2.json", fmt="kolada")
    assert outcome.created == 16
    country = Observation.objects.get(unit_key="country:SE", indicator__code="employment_rate_20_64", period=2012, sex="T")
    assert country.value == 77.9
    assert observations_import(path=FILES / "kolada_v3.json", fmt="kolada").changed


@pytest.mark.parametrize(("name", "fmt", "where"), [
    ("bad_value.csv", "csv", "rad"),
    ("bad_duplicate.csv", "csv", "rad"),
    ("bad_not_xlsx.xlsx", "xlsx", "bad_not_xlsx.xlsx"),
    ("bad_truncated.json", "pxweb", "rad"),
    ("bad_size_mismatch.json", "pxweb", "size"),
    ("kolada_incomplete.json", "kolada", "sida"),
])
def test_bad_files_write_nothing_and_exit_non_zero(name, fmt, where):
    observations_import(path=FILES / "long.csv", fmt="csv")
    before = counts()
    with pytest.raises(CommandError) as exc:
        call_command("import", str(FILES / name), "--format", fmt, "--indicator", "employment_rate_20_64")
    assert name in str(exc.value) and where in str(exc.value)
    assert counts() == before


def test_unknown_indicator_and_area_codes_name_the_row(tmp_path):
    path = tmp_path / "unknown.csv"
    path.write_text(
        "indicator,area,period,sex,value\n"
        "employment_rate_20_64,0127,2010,T,60\n"
        "no_such_indicator,0127,2010,T,1\n"
        "employment_rate_20_64,9999,2010,T,1\n"
        "employment_rate_20_64,99990001,2010,T,1\n"
    )
    before = counts()
    with pytest.raises(ImportFileError) as exc:
        observations_import(path=path, fmt="csv")
    text = str(exc.value)
    assert "rad 3" in text and "no_such_indicator" in text
    assert "rad 4" in text and "9999" in text and "rad 5" in text
    assert counts() == before


def test_dry_run_counts_but_writes_nothing():
    before = counts()
    out = StringIO()
    call_command("import", str(FILES / "long.csv"), "--format", "csv", "--dry-run", stdout=out)
    assert "skulle skapa 10" in out.getvalue()
    assert counts() == before


def test_command_line_round_trip_in_a_subprocess(tmp_path):
    """`stadsdel import` and `stadsdel stats show` as a user runs them, on a fresh SQLite file
    — the contract later checks rely on."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    run = [sys.executable, "-m", "stadsdel.cli"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*run, "seeds", "load"], env=env, check=True, capture_output=True)
    shutil.copy(FILES / "long.csv", tmp_path / "long.csv")
    done = subprocess.run([*run, "import", str(tmp_path / "long.csv"), "--format", "csv"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shown = subprocess.run([*run, "stats", "show", "--indicator", "employment_rate_20_64", "--area", "01270001", "--sex", "K", "--json"],
                           env=env, capture_output=True, text=True, check=True)
    assert json.loads(shown.stdout) == [{"indicator": "employment_rate_20_64", "area": "01270001", "period": 2011, "sex": "K",
                                         "value": 51.8, "numerator": 518.0, "denominator": 1000.0, "status": "ok"}]
    bad = subprocess.run([*run, "import", str(FILES / "bad_value.csv"), "--format", "csv"], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "bad_value.csv" in bad.stderr
