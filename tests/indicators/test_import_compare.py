"""How an import finds which of a file's figures are new, changed or unchanged (issue 21): the
stored figures are read once and compared with the file's a column at a time, by (unit, year)
for a file of one indicator and one sex and by the whole key otherwise. Whatever the shape of the
file, one figure that differs, however far into it, is found and written (with its earlier
value kept in the history under its batch), the others are left alone, and the same file again
writes nothing. They run on SQLite and, with DATABASE_URL set to PostgreSQL, on PostgreSQL
(where the stored figures are read in binary)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from stadsdel.indicators.models import ImportBatch, Observation
from stadsdel.indicators.services.imports import observations_import

pytestmark = pytest.mark.django_db
EMP, SOC = "employment_rate_20_64", "social_assistance_share"
# 300 DeSO-shaped areas of 0127 Botkyrka (registered by the first import) × 5 years.
AREAS = [f"0127{'ABC'[i % 3]}{i:04d}" for i in range(300)]
YEARS = range(2015, 2020)


def lines(indicators=(EMP,), sexes=("T",), years=YEARS) -> list[str]:
    rows = ["indicator,area,period,sex,value,numerator,denominator"]
    for indicator in indicators:
        for i, area in enumerate(AREAS):
            for year in years:
                for sex in sexes:
                    num = 300 + (i + year) % 400
                    rows.append(f"{indicator},{area},{year},{sex},{num / 10!r},{num},1000")
    return rows


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def counts():
    return Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count()


def figure(indicator: str, area: str, year: int, sex: str = "T") -> Observation:
    return Observation.objects.get(indicator__code=indicator, unit_key=f"area:DeSO:{area}", period=year, sex=sex)


@pytest.mark.parametrize("shape", [
    {"indicators": (EMP,), "sexes": ("T",)},  # compared by (unit, year)
    {"indicators": (EMP,), "sexes": ("K", "M")},  # by (unit, year, sex)
    {"indicators": (EMP, SOC), "sexes": ("T",)},  # by (unit, year, indicator)
])
def test_one_changed_figure_in_the_last_row_is_the_only_one_written(tmp_path, shape):
    rows = lines(**shape)
    n = len(rows) - 1
    first = observations_import(path=write(tmp_path / "v1.csv", rows), fmt="csv")
    assert (first.created, first.updated, first.unchanged) == (n, 0, 0)
    before = counts()
    again = observations_import(path=tmp_path / "v1.csv", fmt="csv")
    assert (again.created, again.updated, again.unchanged, again.batch) == (0, 0, n, None)
    assert counts() == before

    # The last row's numerator and value move by one; every other figure stays as it is.
    indicator, area, year, sex, _, earlier, _ = rows[-1].split(",")
    rows[-1] = f"{indicator},{area},{year},{sex},70.1,701,1000"
    second = observations_import(path=write(tmp_path / "v2.csv", rows), fmt="csv")
    assert (second.created, second.updated, second.unchanged) == (0, 1, n - 1)
    changed = figure(indicator, area, int(year), sex)
    assert (changed.value, changed.numerator, changed.batch_id) == (70.1, 701.0, second.batch.pk)
    history = changed.history.order_by("history_date", "history_id")
    assert [(h.history_type, h.numerator, h.batch_id) for h in history] == [
        ("+", float(earlier), first.batch.pk), ("~", 701.0, second.batch.pk)]
    assert float(earlier) != 701.0
    # The first row's figure was not touched: still the first import's.
    indicator, area, year, sex, *_ = rows[1].split(",")
    assert figure(indicator, area, int(year), sex).batch_id == first.batch.pk
    assert Observation.history.count() == before[1] + 2


def test_a_figure_that_becomes_missing_is_written(tmp_path):
    rows = lines()
    observations_import(path=write(tmp_path / "v1.csv", rows), fmt="csv")
    # The last figure becomes missing: no value, no counts.
    _, area, year, *_ = rows[-1].split(",")
    rows[-1] = f"{EMP},{area},{year},T,..,,"
    outcome = observations_import(path=write(tmp_path / "v2.csv", rows), fmt="csv")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, len(rows) - 2)
    missing = figure(EMP, area, int(year))
    assert (missing.value, missing.numerator, missing.status) == (None, None, "missing")


def test_stored_and_new_figures_in_one_file(tmp_path):
    observations_import(path=write(tmp_path / "v1.csv", lines()), fmt="csv")
    # The same figures and a year more: the stored ones are left alone, the new year goes in.
    outcome = observations_import(path=write(tmp_path / "v2.csv", lines(years=range(2015, 2021))), fmt="csv")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (len(AREAS), 0, len(AREAS) * len(YEARS))
    assert figure(EMP, AREAS[-1], 2020).batch_id == outcome.batch.pk
    assert figure(EMP, AREAS[-1], 2019).batch_id != outcome.batch.pk


def test_the_figures_of_another_sex_are_neither_matched_nor_touched(tmp_path):
    total = observations_import(path=write(tmp_path / "t.csv", lines(sexes=("T",))), fmt="csv")
    women = observations_import(path=write(tmp_path / "k.csv", lines(sexes=("K",))), fmt="csv")
    assert (women.created, women.updated, women.unchanged) == (len(AREAS) * len(YEARS), 0, 0)
    assert figure(EMP, AREAS[0], 2015, "T").batch_id == total.batch.pk
    again = observations_import(path=tmp_path / "t.csv", fmt="csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(AREAS) * len(YEARS))


def test_figures_written_apart_and_a_file_in_another_order_are_found_all_the_same(tmp_path):
    """Stored figures written in the file's order are read in that order (on SQLite by their row
    ids, `stored_rows_read`), others through the index; either way every one is read, and a
    file in any order finds its own."""
    from stadsdel.indicators.services.bulk import stored_rows_read

    early, late = range(2015, 2017), range(2017, 2020)
    observations_import(path=write(tmp_path / "early.csv", lines(years=early)), fmt="csv")
    # Another indicator's figures between the two halves: EMP's ids no longer lie close together.
    observations_import(path=write(tmp_path / "soc.csv", lines(indicators=(SOC,), sexes=("K", "M"))), fmt="csv")
    observations_import(path=write(tmp_path / "late.csv", lines(years=late)), fmt="csv")
    whole = lines()
    for name, body in (("whole.csv", whole[1:]), ("reversed.csv", whole[:0:-1])):
        outcome = observations_import(path=write(tmp_path / name, [whole[0], *body]), fmt="csv")
        assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, len(whole) - 1), name

    def read(indicator: str, first: tuple, last: tuple, expected: int) -> list[tuple]:
        stored = Observation.objects.filter(indicator__code=indicator).order_by().values_list(
            "unit_key", "period", "sex", "id")
        rows = stored_rows_read(stored, first=dict(zip(("unit_key", "period", "sex"), first, strict=True)),
                                last=dict(zip(("unit_key", "period", "sex"), last, strict=True)), expected=expected)
        assert sorted(rows) == sorted(stored)
        return rows

    soc_n = 2 * len(AREAS) * len(YEARS)
    first, last = (f"area:DeSO:{AREAS[0]}", 2015, "K"), (f"area:DeSO:{AREAS[-1]}", 2019, "M")
    # SOC's figures were written together in file order: they come back in the order written,
    # also when asked the other way round (then through the index) or for fewer than there are.
    for bounds, expected in (((first, last), soc_n), ((last, first), soc_n), ((first, last), soc_n - 1)):
        ids = [row[-1] for row in read(SOC, *bounds, expected)]
        if connection.vendor == "sqlite":  # PostgreSQL returns its table's order in every case
            assert (ids == sorted(ids)) is (bounds == (first, last) and expected == soc_n)
    read(EMP, (f"area:DeSO:{AREAS[0]}", 2015, "T"), (f"area:DeSO:{AREAS[-1]}", 2019, "T"), len(whole) - 1)
    # One changed figure in the middle of the reversed file is found and written.
    body = whole[:0:-1]
    indicator, area, year, sex, *_ = body[len(body) // 2].split(",")
    body[len(body) // 2] = f"{indicator},{area},{year},{sex},70.1,701,1000"
    outcome = observations_import(path=write(tmp_path / "changed.csv", [whole[0], *body]), fmt="csv")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, len(whole) - 2)
    assert figure(indicator, area, int(year), sex).value == 70.1
