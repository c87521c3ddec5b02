"""Import limits (issue 15, finding 5): a workbook that unzips hugely, or a file with more rows or
columns than the limits, is refused early with a message naming the limit and the file, before
its rows are read; the import page and the API answer 400 and `stadsdel import` exits 2.

The limits' timings are measured in `bench/import_limits.py`, not here: these tests check what
was read, not how long it took.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
import zipfile
from collections import defaultdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from limit_files import SHEET, unzipped_bytes, write_bomb_xlsx, write_long_csv
from openpyxl import Workbook

from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.importers.tabular import parse_csv, parse_xlsx

EMP = "employment_rate_20_64"
LIMIT_ROWS = "STADSDEL_IMPORT_MAX_ROWS"
LIMIT_COLUMNS = "STADSDEL_IMPORT_MAX_COLUMNS"
LIMIT_UNZIPPED = "STADSDEL_IMPORT_MAX_UNZIPPED_BYTES"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """The probe's workbook: 100 000 rows × 100 columns under a wrong header, 0.5 MB on disk and
    151 MB unzipped."""
    path = write_bomb_xlsx(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")
    assert path.stat().st_size < 1_000_000 and unzipped_bytes(path) > 150_000_000
    return path


@pytest.fixture(autouse=True)
def unzipped_reads(monkeypatch):
    """Bytes read out of each zip member during the test. Reading more than 20 MB of one member
    fails at once, so code that reads the whole bomb fails in seconds instead of minutes."""
    read: dict[str, int] = defaultdict(int)
    original = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = original(self, n)
        read[self.name] += len(data)
        if read[self.name] > 20_000_000:
            raise AssertionError(f"{self.name}: more than 20 MB read")
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return read


def only_problem(excinfo) -> str:
    assert len(excinfo.value.problems) == 1, excinfo.value.problems
    return str(excinfo.value.problems[0])


def workbook(path, rows):
    wb = Workbook()
    for values in rows:
        wb.active.append(values)
    wb.save(path)
    return path


# -- the workbook that unzips hugely --------------------------------------------------------------

def test_a_workbook_that_unzips_past_the_limit_is_refused_before_its_sheet_is_read(bomb, unzipped_reads):
    with pytest.raises(ImportFileError) as excinfo:
        parse_xlsx(bomb)
    assert excinfo.value.file == "bomb.xlsx"
    problem = only_problem(excinfo)
    assert LIMIT_UNZIPPED in problem and "151 MB" in problem and "100 MB" in problem, problem
    assert unzipped_reads[SHEET] == 0  # decided from the zip's directory alone


def test_a_wrong_header_is_refused_before_the_rows_are_read(bomb, unzipped_reads, settings):
    # With the size limit out of the way, the header alone refuses the file.
    settings.STADSDEL_IMPORT_MAX_UNZIPPED_BYTES = 10**10
    with pytest.raises(ImportFileError) as excinfo:
        parse_xlsx(bomb)
    problems = [str(p) for p in excinfo.value.problems]
    assert "blad 'Blad1', rad 1: kolumner saknas: 'area'" in problems
    assert all(p.startswith("blad 'Blad1', rad 1") for p in problems), problems
    # The header row and a little more of the 151 MB sheet: openpyxl parses in blocks.
    assert 0 < unzipped_reads[SHEET] < 1_000_000, unzipped_reads[SHEET]


def test_rows_past_the_limit_stop_a_workbook_at_the_first_row_too_many(tmp_path, settings, unzipped_reads):
    settings.STADSDEL_IMPORT_MAX_ROWS = 50
    rows = [["indicator", "area", "period", "value"]] + [[EMP, "0127", 1990 + i, 50.0] for i in range(51)]
    path = workbook(tmp_path / "lang.xlsx", rows)
    with pytest.raises(ImportFileError) as excinfo:
        parse_xlsx(path)
    assert only_problem(excinfo) == (
        f"blad 'Sheet', rad 52: bladet har fler än 50 datarader (gränsen {LIMIT_ROWS}); dela upp filen"
    )
    # At the limit the file is read as usual.
    assert len(parse_xlsx(workbook(tmp_path / "ok.xlsx", rows[:51]))) == 50


def test_a_wide_file_is_limited_by_its_figures_not_only_its_rows(tmp_path, settings):
    settings.STADSDEL_IMPORT_MAX_ROWS = 50
    years = list(range(2000, 2011))  # 11 figures a row: the fifth row passes 50
    rows = [["indicator", "area", *years]] + [[EMP, f"0127{i:04d}", *([50.0] * 11)] for i in range(6)]
    with pytest.raises(ImportFileError) as excinfo:
        parse_xlsx(workbook(tmp_path / "bred.xlsx", rows))
    problem = only_problem(excinfo)
    assert problem.startswith("blad 'Sheet', cell ") and "fler än 50 värden" in problem and LIMIT_ROWS in problem


def test_columns_past_the_limit_are_refused_at_the_header(tmp_path, settings):
    settings.STADSDEL_IMPORT_MAX_COLUMNS = 10
    header = ["indicator", "area", *range(2000, 2009)]  # 11 columns
    with pytest.raises(ImportFileError) as excinfo:
        parse_xlsx(workbook(tmp_path / "bred.xlsx", [header, [EMP, "0127", *([1] * 9)]]))
    assert only_problem(excinfo) == (
        f"blad 'Sheet', rad 1: rubrikraden har 11 kolumner, fler än 10 (gränsen {LIMIT_COLUMNS})"
    )
    path = tmp_path / "bred.csv"
    path.write_text(",".join(map(str, header)) + "\n" + ",".join([EMP, "0127", *["1"] * 9]) + "\n")
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(path)
    assert only_problem(excinfo) == f"rad 1: rubrikraden har 11 kolumner, fler än 10 (gränsen {LIMIT_COLUMNS})"


# -- the big CSV ----------------------------------------------------------------------------------

def test_a_csv_is_streamed_and_stops_at_the_first_row_past_the_limit(tmp_path, settings):
    settings.STADSDEL_IMPORT_MAX_ROWS = 1_000
    path = write_long_csv(tmp_path / "stor.csv", rows=200_000)  # 9 MB, its last row bad
    assert path.stat().st_size > 8_000_000
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as excinfo:
            parse_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert excinfo.value.file == "stor.csv"
    assert only_problem(excinfo) == (
        f"rad 1002: filen har fler än 1 000 datarader (gränsen {LIMIT_ROWS}); dela upp filen"
    )
    # Neither the whole file nor its rows were held: a small fraction of its size was allocated.
    assert peak < 2_000_000, peak


def test_a_csv_within_the_limit_still_reports_its_bad_last_row(tmp_path, settings):
    settings.STADSDEL_IMPORT_MAX_ROWS = 1_000
    path = write_long_csv(tmp_path / "liten.csv", rows=1_000)
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(path)
    assert only_problem(excinfo) == "rad 1001, kolumn 'value': 'inte-ett-tal' är inget tal"


# -- the page, the API and the command ------------------------------------------------------------

def bearer(user) -> dict:
    from stadsdel.api.models import ApiToken

    _record, token = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
def test_the_api_answers_400_naming_the_limit_and_writes_nothing(client, analyst_user, bomb):
    from stadsdel.indicators.models import ImportBatch, Observation

    response = client.post("/api/indicators/imports",
                           {"format": "xlsx", "file": SimpleUploadedFile("bomb.xlsx", bomb.read_bytes())},
                           **bearer(analyst_user))
    assert response.status_code == 400
    body = response.json()
    assert "bomb.xlsx" in body["detail"]
    assert len(body["problems"]) == 1 and LIMIT_UNZIPPED in body["problems"][0]
    assert not ImportBatch.objects.exists() and not Observation.objects.exists()


@pytest.mark.django_db
def test_the_import_task_fails_naming_the_limit(client, analyst_user, bomb, settings, tmp_path):
    from stadsdel.indicators.models import ImportBatch
    from task_worker import run_worker

    settings.DATA_DIR = tmp_path
    client.force_login(analyst_user)
    response = client.post(reverse("indicators:statistics_import"),
                           {"format": "xlsx", "file": SimpleUploadedFile("bomb.xlsx", bomb.read_bytes())})
    assert response.status_code == 302  # the import runs as a task; its page says what became of it
    run_worker()
    page = client.get(response["Location"]).content.decode()
    assert "bomb.xlsx" in page and LIMIT_UNZIPPED in page and not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_the_command_exits_2_naming_the_limit(bomb):
    with pytest.raises(CommandError) as excinfo:
        call_command("import", str(bomb), "--format", "xlsx")
    assert excinfo.value.returncode == 2
    assert str(excinfo.value).startswith("bomb.xlsx: 1 fel") and LIMIT_UNZIPPED in str(excinfo.value)


# -- the settings ---------------------------------------------------------------------------------

def _settings_value(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "STADSDEL_DATA_DIR": str(tmp_path), **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    code = "from django.conf import settings; print(settings.STADSDEL_IMPORT_MAX_ROWS)"
    return subprocess.run([sys.executable, "-m", "stadsdel.cli", "shell", "--no-imports", "-c", code], env=environment,
                          capture_output=True, text=True, timeout=60)


def test_the_limits_come_from_the_environment_and_bad_values_stop_start_up(tmp_path):
    assert _settings_value(tmp_path).stdout.strip() == "200000"
    assert _settings_value(tmp_path, STADSDEL_IMPORT_MAX_ROWS="5000").stdout.strip() == "5000"
    refused = _settings_value(tmp_path, STADSDEL_IMPORT_MAX_ROWS="0")
    assert refused.returncode != 0 and "STADSDEL_IMPORT_MAX_ROWS" in refused.stderr


# -- JSON files (json-stat2 and Kolada) -------------------------------------------------------------

def _jsonstat(areas: int, years: int) -> dict:
    return {
        "version": "2.0", "class": "dataset",
        "id": ["Region", "Tid"], "size": [areas, years],
        "role": {"geo": ["Region"], "time": ["Tid"]},
        "dimension": {
            "Region": {"category": {"index": {f"0127{i:04d}": i for i in range(areas)}}},
            "Tid": {"category": {"index": {str(2000 + y): y for y in range(years)}}},
        },
        "value": [50.0] * (areas * years),
    }


def test_a_json_stat_table_past_the_row_limit_is_refused_before_a_figure_is_built(tmp_path, settings):
    import json

    from stadsdel.indicators.importers.pxweb import parse_pxweb

    settings.STADSDEL_IMPORT_MAX_ROWS = 50
    path = tmp_path / "deso.json"
    path.write_text(json.dumps(_jsonstat(areas=6, years=9)))  # 54 cells
    with pytest.raises(ImportFileError) as excinfo:
        parse_pxweb(path, indicator=EMP)
    assert excinfo.value.file == "deso.json"
    assert only_problem(excinfo) == f"value: filen ger fler än 50 värden (gränsen {LIMIT_ROWS}); dela upp filen"
    # At the limit it is read as usual.
    path.write_text(json.dumps(_jsonstat(areas=5, years=10)))
    assert len(parse_pxweb(path, indicator=EMP)) == 50


def test_a_kolada_response_past_the_row_limit_is_refused_at_the_first_value_too_many(tmp_path, settings):
    import json

    from stadsdel.indicators.importers.kolada import parse_kolada

    settings.STADSDEL_IMPORT_MAX_ROWS = 3
    item = {"kpi": "N00914", "municipality": "0127", "period": 2010,
            "values": [{"gender": "T", "count": 1, "status": "", "value": 50.0}]}
    path = tmp_path / "kolada.json"
    path.write_text(json.dumps({"values": [dict(item, period=2010 + i) for i in range(5)]}))
    with pytest.raises(ImportFileError) as excinfo:
        parse_kolada(path)
    assert only_problem(excinfo) == f"values[3]: filen ger fler än 3 värden (gränsen {LIMIT_ROWS}); dela upp filen"
    path.write_text(json.dumps({"values": [dict(item, period=2010 + i) for i in range(3)]}))
    assert len(parse_kolada(path)) == 3


def test_a_json_file_larger_than_the_byte_limit_is_refused_unread(tmp_path, settings, monkeypatch):
    from pathlib import Path

    from stadsdel.indicators.importers.pxweb import parse_pxweb

    settings.STADSDEL_IMPORT_MAX_UNZIPPED_BYTES = 2_000_000
    path = tmp_path / "stor.json"
    path.write_text(" " * 3_000_000 + "{}")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(ImportFileError) as excinfo:
        parse_pxweb(path, indicator=EMP)
    assert only_problem(excinfo) == f"filen är 3 MB, mer än 2 MB (gränsen {LIMIT_UNZIPPED})"
