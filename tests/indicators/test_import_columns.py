"""The import's guarantees at national speed (issue 21), for files of 50 000 figures read a column
at a time: json-stat2 and CSV go in whole (with their new areas registered together) or not at
all, a fault in the very last figure names its place and writes nothing, the same file twice
writes nothing, and a changed figure keeps its earlier value in the history with its batch.
They run on SQLite and, with DATABASE_URL set to PostgreSQL, on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stadsdel.areas.models import StatisticalArea
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.models import ImportBatch, Level, Observation
from stadsdel.indicators.services.imports import observations_import

pytestmark = pytest.mark.django_db
EMP = "employment_rate_20_64"
# 5 000 DeSO-shaped areas of 0127 Botkyrka, none in the registry yet, × 10 years.
AREAS = [f"0127{'ABC'[i % 3]}{i:04d}" for i in range(5000)]
YEARS = [str(year) for year in range(2010, 2020)]
CELLS = len(AREAS) * len(YEARS)


def counts():
    return (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count(),
            StatisticalArea.objects.count(), StatisticalArea.history.count())


def cube_file(path: Path, *, shift: float = 0.0, last: float | None = None) -> Path:
    values = [round(40 + (k % 500) / 10 + shift, 1) for k in range(CELLS)]
    if last is not None:
        values[-1] = last
    path.write_text(json.dumps({
        "version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [len(AREAS), len(YEARS)],
        "dimension": {"Region": {"category": {"index": AREAS}}, "Tid": {"category": {"index": YEARS}}},
        "value": values,
    }))
    return path


def csv_file(path: Path, *, last: str | None = None) -> Path:
    lines = ["indicator,area,period,sex,value,numerator,denominator"]
    for i, area in enumerate(AREAS):
        for year in YEARS:
            num = 300 + i % 500
            lines.append(f"{EMP},{area},{year},T,{num / 10!r},{num},1000")
    if last is not None:
        lines[-1] = last
    path.write_text("\n".join(lines) + "\n")
    return path


def figures():
    return Observation.objects.filter(indicator__code=EMP, level=Level.AREA, unit_key__startswith="area:DeSO:0127")


def test_a_large_json_stat_file_goes_in_whole_again_writes_nothing_and_a_change_keeps_its_history(tmp_path):
    before = counts()
    first = observations_import(path=cube_file(tmp_path / "v1.json"), fmt="pxweb", indicator=EMP)
    assert (first.created, first.updated, first.unchanged) == (CELLS, 0, 0)
    assert figures().count() == CELLS
    # The new areas were registered together, each with its history row.
    assert StatisticalArea.objects.filter(code__in=AREAS).count() == len(AREAS)
    assert counts()[3:] == (before[3] + len(AREAS), before[4] + len(AREAS))
    assert Observation.history.count() == before[1]  # new figures are traced by their batch
    last = figures().get(unit_key=f"area:DeSO:{AREAS[-1]}", period=int(YEARS[-1]))
    assert (last.value, last.status, last.batch_id) == (round(40 + (CELLS - 1) % 500 / 10, 1), "ok", first.batch.pk)

    after_first = counts()
    again = observations_import(path=tmp_path / "v1.json", fmt="pxweb", indicator=EMP)
    assert (again.created, again.updated, again.unchanged, again.batch) == (0, 0, CELLS, None)
    assert counts() == after_first  # no figure, history row, batch or area

    changed = observations_import(path=cube_file(tmp_path / "v2.json", shift=0.5), fmt="pxweb", indicator=EMP)
    assert (changed.created, changed.updated, changed.unchanged) == (0, CELLS, 0)
    last.refresh_from_db()
    assert (last.value, last.batch_id) == (round(40 + (CELLS - 1) % 500 / 10 + 0.5, 1), changed.batch.pk)
    assert [(h.history_type, h.value, h.batch_id) for h in last.history.order_by("history_date", "history_id")] == [
        ("+", round(40 + (CELLS - 1) % 500 / 10, 1), first.batch.pk),
        ("~", round(40 + (CELLS - 1) % 500 / 10 + 0.5, 1), changed.batch.pk),
    ]
    assert Observation.history.count() == before[1] + 2 * CELLS


def test_a_fault_in_the_last_cell_of_a_large_json_stat_file_writes_nothing(tmp_path):
    before = counts()
    with pytest.raises(ImportFileError) as excinfo:
        observations_import(path=cube_file(tmp_path / "deso.json", last=150.0), fmt="pxweb", indicator=EMP)
    assert excinfo.value.file == "deso.json"
    [problem] = excinfo.value.problems
    assert problem.location == f"value[{CELLS - 1}]"
    assert "150" in problem.message and "0–100" in problem.message
    assert counts() == before  # no figure, history, batch or newly registered area


@pytest.mark.parametrize(("last", "where", "words"), [
    (f"{EMP},{AREAS[-1]},{YEARS[-1]},T,30.0,300,200", "rad", "större än nämnaren"),
    (f"{EMP},{AREAS[-1]},{YEARS[-1]},T,3o.0,300,1000", "rad {row}, kolumn 'value'", "inget tal"),
    (f"{EMP},{AREAS[0]},{YEARS[0]},T,30.0,300,1000", "rad", "samma indikator, område, period och kön"),
    (f"{EMP},01279999999,{YEARS[-1]},T,30.0,300,1000", "rad", "okänt område"),
])
def test_a_fault_in_the_last_row_of_a_large_csv_file_is_named_and_writes_nothing(tmp_path, last, where, words):
    before = counts()
    with pytest.raises(ImportFileError) as excinfo:
        observations_import(path=csv_file(tmp_path / "deso.csv", last=last), fmt="csv")
    assert excinfo.value.file == "deso.csv"
    [problem] = excinfo.value.problems
    row = CELLS + 1
    assert problem.location == (where.format(row=row) if "{" in where else f"rad {row}")
    assert words in problem.message
    assert counts() == before


def test_a_large_csv_file_twice_writes_nothing_the_second_time(tmp_path):
    path = csv_file(tmp_path / "deso.csv")
    first = observations_import(path=path, fmt="csv")
    assert (first.created, first.unchanged) == (CELLS, 0)
    figure = figures().get(unit_key=f"area:DeSO:{AREAS[7]}", period=int(YEARS[3]))
    assert (figure.value, figure.numerator, figure.denominator) == (30.7, 307.0, 1000.0)
    before = counts()
    again = observations_import(path=path, fmt="csv")
    assert (again.created, again.updated, again.unchanged, again.batch) == (0, 0, CELLS, None)
    assert counts() == before
