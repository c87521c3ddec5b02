"""Set-based writes of observations and their history, for `observations_write`.

A national file has hundreds of thousands of figures: building a model instance, a historical
instance and an INSERT or CASE-WHEN UPDATE row per figure through the ORM ran at about 4 000
figures a second (issue 21). Here the rows go to the database as plain tuples, in chunks: new
figures by COPY on PostgreSQL and `executemany` on SQLite; changed figures into a temporary
table and from there by one `UPDATE … FROM` and one `INSERT … SELECT` into the history.

The history (django-simple-history's table for `Observation`) keeps every change:

* a new figure gets no history row of its own: it points to its import batch, which says which
  file, who and when, and that is its whole history until it changes;
* when a figure changes, its earlier state is written first, dated and signed by the batch that
  set it ("+", the row `bulk_create_with_history` used to write at once), unless the history
  already has it; then its new state ("~") under the new batch.

So the history of a changed figure reads the same as before: every value it had, each with the
batch that set it. Everything runs inside the caller's transaction: a refused import leaves no
row, temporary table or history behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection

from stadsdel.indicators.models import ImportBatch, Observation

# The columns a new figure is written with, in the order `observation_rows_insert` takes them.
# `tests/indicators/test_import_bulk.py` checks that these are every column but `id`, so a field
# added to Observation cannot be silently left out of the raw INSERT.
INSERT_FIELDS = (
    "indicator_id", "level", "unit_key", "statistical_area_id", "district_id", "municipality_id", "county_id",
    "period", "sex", "value", "numerator", "denominator", "status", "batch_id", "rule_id", "crosswalk_id",
)
# What an update changes, in the order `observation_rows_update` takes them (after the id).
UPDATE_FIELDS = ("value", "numerator", "denominator", "status", "rule_id", "crosswalk_id")
CHUNK = 5000
_CHANGES = "stadsdel_observation_changes"


def _column(name: str) -> str:
    return connection.ops.quote_name(Observation._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _chunks(rows: Sequence[tuple]) -> Iterable[Sequence[tuple]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _copy_or_insert(cursor, table: str, columns: list[str], rows: Sequence[tuple]) -> None:
    """Write `rows` into `table`: COPY on PostgreSQL (one stream, no SQL per row), otherwise one
    prepared INSERT executed for each chunk."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    for chunk in _chunks(rows):
        cursor.executemany(sql, chunk)


def observation_rows_insert(rows: Sequence[tuple]) -> None:
    """Insert new figures, each a tuple in `INSERT_FIELDS` order. The caller has made sure none
    of their keys exists (the unique constraint would refuse the whole import otherwise)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        _copy_or_insert(cursor, _table(Observation), [_column(name) for name in INSERT_FIELDS], rows)


def observation_rows_update(
    changes: Sequence[tuple], *, batch: ImportBatch, history_user_id: int | None, history_date: datetime,
) -> None:
    """Update existing figures, each `(id, *UPDATE_FIELDS)`, to point to `batch`, and record the
    change in the history (see the module docstring)."""
    if not changes:
        return
    history = Observation.history.model
    obs, hist, batches = _table(Observation), _table(history), _table(ImportBatch)
    tracked = [connection.ops.quote_name(f.column) for f in Observation._meta.concrete_fields]
    history_columns = ", ".join([*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"])
    from_obs = ", ".join(f"o.{column}" for column in tracked)
    created_by = connection.ops.quote_name(ImportBatch._meta.get_field("created_by").column)
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_CHANGES} (id bigint PRIMARY KEY, value {'double precision' if pg else 'real'}, "
            f"numerator {'double precision' if pg else 'real'}, denominator {'double precision' if pg else 'real'}, "
            "status varchar(20), rule_id bigint, crosswalk_id bigint, had_history smallint NOT NULL DEFAULT 0)"
        )
        _copy_or_insert(cursor, _CHANGES, ["id", *UPDATE_FIELDS], changes)
        if pg:
            # Autovacuum never sees a temporary table; without its size the planner joins it
            # row by row against the figures and their history.
            cursor.execute(f"ANALYZE {_CHANGES}")
        # The earlier state, under the batch that set it, for figures whose creation wrote no
        # history row (see the module docstring); figures imported before that kept theirs.
        # Which figures have history is found first, in a statement of its own: asked inside
        # the INSERT into the history, PostgreSQL (taking an empty history table at its word)
        # scanned the rows that very INSERT was adding once per figure, 45 s for 60 000.
        cursor.execute(
            f"UPDATE {_CHANGES} SET had_history = 1 "
            f"WHERE EXISTS (SELECT 1 FROM {hist} h WHERE h.id = {_CHANGES}.id)"
        )
        cursor.execute(
            f"INSERT INTO {hist} ({history_columns}) "
            f"SELECT {from_obs}, b.created_at, 'import ' || b.id, '+', b.{created_by} "
            f"FROM {obs} o JOIN {_CHANGES} c ON c.id = o.id JOIN {batches} b ON b.id = o.batch_id "
            f"WHERE c.had_history = 0"
        )
        assignments = ", ".join(f"{_column(name)} = c.{name}" for name in UPDATE_FIELDS)
        cursor.execute(
            f"UPDATE {obs} SET {assignments}, {_column('batch_id')} = %s FROM {_CHANGES} c WHERE {obs}.id = c.id",
            [batch.pk],
        )
        cursor.execute(
            f"INSERT INTO {hist} ({history_columns}) "
            f"SELECT {from_obs}, %s, %s, '~', %s FROM {obs} o JOIN {_CHANGES} c ON c.id = o.id",
            [connection.ops.adapt_datetimefield_value(history_date), f"import {batch.pk}", history_user_id],
        )
        cursor.execute(f"DROP TABLE {_CHANGES}")
