"""The import's guarantees with set-based writes (issue 21): files larger than one write chunk go
in whole or not at all, the same file twice writes nothing, the latest import wins, and a
changed figure's history lists every value it had with the batch that set it. The same tests
run on SQLite (executemany) and PostgreSQL (COPY)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stadsdel.areas.models import StatisticalArea
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation
from stadsdel.indicators.services import bulk, imports
from stadsdel.indicators.services.imports import observations_import

pytestmark = pytest.mark.django_db
EMP = "employment_rate_20_64"
# 0127 Botkyrka's DeSO-shaped areas, 2 000 × 3 years: more rows than one write chunk.
AREAS = [f"0127{'ABC'[i % 3]}{i:04d}" for i in range(2000)]
YEARS = (2019, 2020, 2021)
ROWS = len(AREAS) * len(YEARS)


def counts():
    return (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count(),
            StatisticalArea.objects.count())


def write_file(path: Path, *, changed_every: int = 0, last_value: str | None = None) -> Path:
    """A long-form CSV of every area and year; `changed_every` adds 1 to the numerator of every
    n-th row; `last_value` replaces the last row's value."""
    lines = ["indicator,area,period,sex,value,numerator,denominator"]
    n = 0
    for i, area in enumerate(AREAS):
        for year in YEARS:
            num, den = 100 + i % 400, 1000
            if changed_every and n % changed_every == 0:
                num += 1
            lines.append(f"{EMP},{area},{year},T,{100 * num / den!r},{num},{den}")
            n += 1
    if last_value is not None:
        *head, _ = lines[-1].split(",", 4)
        lines[-1] = ",".join([*head, last_value])
    path.write_text("\n".join(lines) + "\n")
    return path


def area_figures():
    return Observation.objects.filter(indicator__code=EMP, level=Level.AREA, unit_key__startswith="area:DeSO:0127")


def test_insert_covers_every_column_of_an_observation():
    """The raw INSERT names its columns; a field added to Observation must be added there too."""
    columns = {f.attname for f in Observation._meta.concrete_fields} - {"id"}
    assert set(bulk.INSERT_FIELDS) == columns and len(bulk.INSERT_FIELDS) == len(columns)
    assert set(bulk.UPDATE_FIELDS) <= columns


def test_a_large_file_goes_in_whole_and_a_new_figure_is_traced_by_its_batch(tmp_path):
    before = counts()
    outcome = observations_import(path=write_file(tmp_path / "deso.csv"), fmt="csv")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (ROWS, 0, 0)
    assert area_figures().count() == ROWS
    assert set(area_figures().values_list("batch_id", flat=True)) == {outcome.batch.pk}
    assert outcome.batch.rows_created == ROWS
    # New figures write no history rows: the batch says which file, who and when.
    assert Observation.history.count() == before[1]
    figure = area_figures().get(unit_key="area:DeSO:0127B0001", period=2020)
    area = StatisticalArea.objects.get(code="0127B0001")
    assert (figure.value, figure.numerator, figure.denominator, figure.status) == (10.1, 101.0, 1000.0, "ok")
    assert (figure.statistical_area_id, figure.level, figure.sex) == (area.pk, Level.AREA, "T")
    assert (figure.district_id, figure.municipality_id, figure.county_id, figure.rule_id, figure.crosswalk_id) == (
        None, None, None, None, None)


def test_the_same_large_file_twice_writes_nothing(tmp_path):
    path = write_file(tmp_path / "deso.csv")
    observations_import(path=path, fmt="csv")
    before = counts()
    outcome = observations_import(path=path, fmt="csv")
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.batch) == (0, 0, ROWS, None)
    assert counts() == before


def test_latest_import_wins_and_the_history_keeps_each_earlier_value_with_its_batch(tmp_path, analyst_user):
    analyst = analyst_user
    first = observations_import(path=write_file(tmp_path / "v1.csv"), fmt="csv").batch
    history_before = Observation.history.count()
    second = observations_import(path=write_file(tmp_path / "v2.csv", changed_every=7), fmt="csv", user=analyst)
    changed = len(range(0, ROWS, 7))
    assert (second.created, second.updated, second.unchanged) == (0, changed, ROWS - changed)
    # Row 0 (the first area, 2019) changed; row 1 (the same area, 2020) did not.
    moved = area_figures().get(unit_key="area:DeSO:0127A0000", period=2019)
    kept = area_figures().get(unit_key="area:DeSO:0127A0000", period=2020)
    assert (moved.numerator, moved.value, moved.batch_id) == (101.0, 10.1, second.batch.pk)
    assert (kept.numerator, kept.batch_id) == (100.0, first.pk)
    assert [(h.history_type, h.numerator, h.value, h.batch_id, h.history_user_id, h.history_change_reason)
            for h in moved.history.order_by("history_date", "history_id")] == [
        ("+", 100.0, 10.0, first.pk, None, f"import {first.pk}"),
        ("~", 101.0, 10.1, second.batch.pk, analyst.pk, f"import {second.batch.pk}"),
    ]
    assert not kept.history.exists()
    assert Observation.history.count() == history_before + 2 * changed
    # The earlier state is dated by the batch that set it, before the change.
    earlier, later = moved.history.order_by("history_date", "history_id")
    assert earlier.history_date == first.created_at <= later.history_date
    # Back to the first file: the changed figures change again, with one history row each.
    third = observations_import(path=tmp_path / "v1.csv", fmt="csv")
    assert (third.created, third.updated) == (0, changed)
    assert [(h.numerator, h.batch_id) for h in moved.history.order_by("history_date", "history_id")] == [
        (100.0, first.pk), (101.0, second.batch.pk), (100.0, third.batch.pk)]
    assert Observation.history.count() == history_before + 3 * changed


def test_a_figure_whose_creation_is_in_the_history_gets_no_second_creation_row(tmp_path):
    """Figures written before set-based imports kept a history row from their creation."""
    batch = ImportBatch.objects.create(kind="csv", source_name="äldre.csv")
    area = StatisticalArea.objects.get(code="01270001")
    old = Observation.objects.create(
        indicator=Indicator.objects.get(code=EMP), level=Level.AREA, unit_key="area:SAMS:01270001",
        statistical_area=area, period=2009, sex="T", value=40.0, numerator=400, denominator=1000, batch=batch)
    assert old.history.count() == 1
    path = tmp_path / "ny.csv"
    path.write_text(f"indicator,area,period,sex,value,numerator,denominator\n{EMP},01270001,2009,T,41,410,1000\n")
    newer = observations_import(path=path, fmt="csv")
    assert [(h.history_type, h.value, h.batch_id) for h in old.history.order_by("history_date", "history_id")] == [
        ("+", 40.0, batch.pk), ("~", 41.0, newer.batch.pk)]


def test_a_fault_in_the_last_row_of_a_large_file_writes_nothing(tmp_path):
    path = write_file(tmp_path / "deso.csv", last_value="150,,")
    before = counts()
    with pytest.raises(ImportFileError) as excinfo:
        observations_import(path=path, fmt="csv")
    assert excinfo.value.file == "deso.csv"
    [problem] = excinfo.value.problems
    assert problem.location.startswith(f"rad {ROWS + 1}") and "150" in problem.message
    assert counts() == before  # no figure, history, batch or newly registered area
    assert not StatisticalArea.objects.filter(code=AREAS[0]).exists()


@pytest.mark.parametrize("changed_every", [0, 3])
def test_a_failure_after_the_set_based_writes_leaves_nothing_behind(tmp_path, monkeypatch, changed_every):
    """Inserted and updated rows, and history rows, go with the transaction when a later step
    fails (here the district sums that follow the writes)."""
    observations_import(path=write_file(tmp_path / "v1.csv"), fmt="csv")
    before = counts()
    values = list(area_figures().order_by("id").values_list("id", "value", "batch_id"))

    def fail(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports, "aggregates_refresh", fail)
    path = tmp_path / "v2.csv"
    write_file(path, changed_every=changed_every)
    with path.open("a") as handle:  # a new area too, so something is inserted
        handle.write(f"{EMP},0127C9999,2021,T,50,500,1000\n")
    with pytest.raises(RuntimeError):
        observations_import(path=path, fmt="csv")
    assert counts() == before
    assert list(area_figures().order_by("id").values_list("id", "value", "batch_id")) == values
    # The temporary table of the changes went with it: the next import can make its own.
    monkeypatch.undo()
    assert observations_import(path=path, fmt="csv").changed


def test_a_dry_run_of_a_large_changed_file_counts_and_writes_nothing(tmp_path):
    observations_import(path=write_file(tmp_path / "v1.csv"), fmt="csv")
    before = counts()
    outcome = observations_import(path=write_file(tmp_path / "v2.csv", changed_every=2), fmt="csv", dry_run=True)
    assert (outcome.created, outcome.updated, outcome.batch) == (0, len(range(0, ROWS, 2)), None)
    assert counts() == before


def test_json_stat_of_the_same_areas_updates_what_a_csv_set(tmp_path):
    """The formats meet in one writer: a json-stat2 file of values only replaces the figures
    (and their numerators) a CSV gave."""
    import json

    observations_import(path=write_file(tmp_path / "v1.csv"), fmt="csv")
    cube = {
        "version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [2, 1],
        "dimension": {"Region": {"category": {"index": ["0127A0000", "0127B0001"]}},
                      "Tid": {"category": {"index": ["2019"]}}},
        "value": [10.0, 12.5],
    }
    path = tmp_path / "deso.json"
    path.write_text(json.dumps(cube))
    outcome = observations_import(path=path, fmt="pxweb", indicator=EMP)
    assert (outcome.created, outcome.updated) == (0, 2)
    same = area_figures().get(unit_key="area:DeSO:0127A0000", period=2019)
    assert (same.value, same.numerator, same.batch_id) == (10.0, None, outcome.batch.pk)



def test_the_writer_refuses_a_figure_that_refers_to_a_row_that_does_not_exist():
    """Observation's foreign keys are checked by the writer, a set at a time (no per-row
    database trigger): an id that names no row is refused, naming the column, and nothing is
    written; a figure that refers to an existing row goes in."""
    from django.db import IntegrityError, transaction

    from stadsdel.indicators.services.observations import batch_create

    indicator = Indicator.objects.get(code=EMP)
    area = StatisticalArea.objects.first()
    batch = batch_create(kind="file", source_name="test")
    fields = dict.fromkeys(bulk.INSERT_FIELDS)
    fields.update(indicator_id=indicator.pk, level=Level.AREA, unit_key=f"area:X:{area.code}", period=2020, sex="T",
                  value=50.0, status="ok", batch_id=batch.pk, statistical_area_id=area.pk)
    before = Observation.objects.count()
    for column, missing in (("statistical_area_id", 10**9), ("indicator_id", 10**9), ("batch_id", 10**9),
                            ("district_id", 10**9), ("crosswalk_id", 10**9)):
        row = dict(fields, **{column: missing})
        with pytest.raises(IntegrityError, match=rf"{column}: no .* with id {missing}"), transaction.atomic():
            bulk.observation_rows_insert([tuple(row[name] for name in bulk.INSERT_FIELDS)])
        assert Observation.objects.count() == before
    bulk.observation_rows_insert([tuple(fields[name] for name in bulk.INSERT_FIELDS)])
    assert Observation.objects.get(unit_key=f"area:X:{area.code}").statistical_area_id == area.pk
    changed = Observation.objects.get(unit_key=f"area:X:{area.code}")
    with pytest.raises(IntegrityError, match="crosswalk_id"), transaction.atomic():
        bulk.observation_rows_update([(changed.pk, 60.0, None, None, "ok", None, 10**9)], batch=batch,
                                     history_user_id=None, history_date=batch.created_at,
                                     indicator_ids={indicator.pk})
    assert Observation.objects.get(pk=changed.pk).value == 50.0


def test_a_write_that_grows_the_table_by_half_gathers_its_statistics_again(tmp_path, monkeypatch):
    """PostgreSQL plans on statistics autovacuum gathers minutes apart: a write that grows the
    figures by more than half of what the planner believes they are runs ANALYZE itself, so
    the next file's reads are planned on the table as it is."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    monkeypatch.setattr(bulk, "ANALYZE_MIN_ROWS", 1000)

    def believed() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'indicators_observation'::regclass")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE indicators_observation")
    before = believed()
    observations_import(path=write_file(tmp_path / "deso.csv"), fmt="csv")
    assert Observation.objects.count() >= before + ROWS
    # The believed size is the table's after the import (ANALYZE samples; the demo-free test
    # database is small enough to be read whole).
    assert before < believed() == Observation.objects.count()
