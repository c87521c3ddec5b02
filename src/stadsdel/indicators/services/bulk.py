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

The rows a figure refers to (its indicator, area, district, municipality, county, batch, rule,
crosswalk) are checked here a set at a time, not by the database per figure: see
`_references_hold`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter

from django.db import IntegrityError, connection

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
# Observation's foreign keys by column (`indicator_id` → the field), for `_references_hold`.
_REFERENCES = {f.attname: f for f in Observation._meta.concrete_fields if f.is_relation}


def _column(name: str) -> str:
    return connection.ops.quote_name(Observation._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@contextmanager
def _setting(cursor, name: str, value: str):
    """PostgreSQL's setting `name` at `value` for the statements inside, then as it was (other
    backends: nothing)."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
    before = cursor.fetchone()[0]
    try:
        yield
    finally:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, before])


def _chunks(rows: Sequence[tuple]) -> Iterable[Sequence[tuple]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _copy_or_insert(cursor, table: str, columns: list[str], rows: Sequence[tuple]) -> None:
    """Write `rows` into `table`: COPY on PostgreSQL (one stream, no SQL per row), otherwise one
    prepared INSERT executed for each chunk."""
    if connection.vendor == "postgresql":
        # Binary: a float goes as its 8 bytes instead of being written out as text and parsed
        # again, a third of the client's time and half the wall time of a COPY of 60 000
        # figures. Binary needs each column's exact type, read from the catalogue.
        cursor.execute(
            "SELECT a.attname, a.atttypid FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 "
            "AND NOT a.attisdropped", [table])
        types = dict(cursor.fetchall())
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([types[column.strip('"')] for column in columns])
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    for chunk in _chunks(rows):
        cursor.executemany(sql, chunk)


def rows_read(sql: str, params: Sequence) -> list[tuple]:
    """All rows of a query, as plain tuples. On PostgreSQL they come in binary: a float is its
    8 bytes instead of text the client parses again, which halves the client's time to read the
    120 000 stored figures an unchanged national file is compared with (0.19 → 0.11 s). Django's
    own cursor binds parameters on the client, which psycopg allows only with text results, so
    this read goes through a plain psycopg cursor on the same connection (and transaction); it
    is not in Django's query log."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def stored_rows_read(stored, *, first: dict, last: dict, expected: int) -> list[tuple]:
    """The rows of `stored` (a queryset of Observation `values_list`), as plain tuples
    (`rows_read`); on SQLite, when the figures of a file imported before were written in its
    order, in that order.

    SQLite reads the stored figures through the unique key's index, so they come in the order
    of their keys (unit, year), not the file's: the comparison of an unchanged file then has to
    find each figure by key, a tuple and a dict entry per figure (0.08 of the 0.65 CPU seconds
    of an unchanged 120 000-figure file). When the figure of the file's first key (`first`, the
    fields of its key) has a lower row id than that of its last key (`last`) and the ids between
    them are not more than twice the file's `expected` rows, the rows in that range are read
    by their ids (`NOT INDEXED`: the table's own order, a scan of consecutive pages): if they
    are `expected` many, they are the file's when its keys match theirs in turn, which the
    caller checks; otherwise the index is read as before. PostgreSQL returns the rows in the
    table's order anyway."""
    if connection.vendor == "sqlite":
        low = stored.filter(**first).values_list("pk", flat=True).first()
        high = stored.filter(**last).values_list("pk", flat=True).first() if low is not None else None
        if high is not None and 0 <= high - low < 2 * expected:
            sql, params = stored.filter(pk__range=(low, high)).query.sql_with_params()
            table = _table(stored.model)
            if sql.count(f"FROM {table} ") == 1:
                rows = rows_read(sql.replace(f"FROM {table} ", f"FROM {table} NOT INDEXED ", 1), params)
                if len(rows) == expected:
                    return rows
    return rows_read(*stored.query.sql_with_params())


def _references_hold(ids_by_column: dict[str, set]) -> None:
    """Make sure every row the figures about to be written refer to exists, and keep it from
    being deleted until the transaction ends; raise IntegrityError (naming the column and the
    ids) otherwise.

    Observation's foreign keys are not database constraints (`db_constraint=False`, migration
    0005): PostgreSQL checks a constraint by a trigger per figure and key, eight per figure
    whether the key is set or not, which took 2.2 of the 3.9 s of inserting 60 000 figures
    (issue 21). This is the same check once per distinct id (a national file refers to one
    indicator, one batch and a few thousand areas), with the lock PostgreSQL's own check takes
    (FOR KEY SHARE: the row may change, but not go away). On SQLite the import's transaction
    holds the database's write lock, so a read is enough. Deletes through the ORM are still
    refused while figures refer to the row (`on_delete=PROTECT` is Django's, not the
    database's)."""
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for column, ids in ids_by_column.items():
            wanted = sorted(ids - {None})
            if not wanted:
                continue
            model = _REFERENCES[column].related_model
            pk = connection.ops.quote_name(model._meta.pk.column)
            found: set = set()
            for chunk in _chunks(wanted):
                cursor.execute(f"SELECT {pk} FROM {_table(model)} WHERE {pk} IN ({', '.join(['%s'] * len(chunk))}){lock}",
                               list(chunk))
                found.update(row[0] for row in cursor.fetchall())
            missing = [i for i in wanted if i not in found]
            if missing:
                raise IntegrityError(f"{Observation._meta.db_table}.{column}: no {model._meta.label} with id "
                                     f"{', '.join(map(str, missing[:10]))}{' …' if len(missing) > 10 else ''}")


def observation_rows_insert(rows: Sequence[tuple]) -> None:
    """Insert new figures, each a tuple in `INSERT_FIELDS` order. The caller has made sure none
    of their keys exists (the unique constraint would refuse the whole import otherwise)."""
    if not rows:
        return
    _references_hold({name: set(map(itemgetter(i), rows)) for i, name in enumerate(INSERT_FIELDS)
                      if name in _REFERENCES})
    with connection.cursor() as cursor:
        _copy_or_insert(cursor, _table(Observation), [_column(name) for name in INSERT_FIELDS], rows)
        if connection.vendor == "postgresql":
            _statistics_keep_up(cursor, _table(Observation), added=len(rows))


# Statistics are gathered again when the rows written since they were last gathered, this
# write's included, come to more than this share of the rows the planner believes the table
# has (and the write has at least ANALYZE_MIN_ROWS).
ANALYZE_SHARE = 0.5
ANALYZE_MIN_ROWS = 10_000


def _statistics_keep_up(cursor, table: str, *, added: int) -> None:
    """Gather the table's statistics again (ANALYZE) when this write grew it by a good part.

    PostgreSQL plans each query on statistics gathered by autovacuum, which runs minutes apart
    (or not at all, when it is turned off). A national import adds millions of figures in a
    few minutes; planned on the statistics of a table that had none of them, the next file's
    read of its stored figures chose an index over every area figure (4.4 M index entries,
    0.75 s) instead of the indicator's. ANALYZE reads a sample, a fraction of a second, and
    inside the import's transaction it counts the import's own rows."""
    if added < ANALYZE_MIN_ROWS:
        return
    cursor.execute(
        "SELECT c.reltuples, COALESCE(s.n_mod_since_analyze, 0) FROM pg_class c "
        "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = %s::regclass", [table])
    believed, changed_since = cursor.fetchone()
    if added + changed_since > ANALYZE_SHARE * max(believed, 0):
        cursor.execute(f"ANALYZE {table}")


def observation_rows_update(
    changes: Sequence[tuple], *, batch: ImportBatch, history_user_id: int | None, history_date: datetime,
    indicator_ids: Collection[int],
) -> None:
    """Update existing figures, each `(id, *UPDATE_FIELDS)`, of the indicators `indicator_ids`,
    to point to `batch`, and record the change in the history (see the module docstring).

    Each statement reads only the changed figures: joined to the temporary table of changes as
    it was, PostgreSQL read the whole table of figures once per statement (and SQLite too), so
    a file's changed figures cost more the larger the country's data had grown (39 µs a figure
    at 60 000 figures stored, 83 µs at 3.6 M; issue 21). On PostgreSQL each statement names the
    figures' indicators, whose index then finds them; SQLite is told to go from the changes."""
    if not changes:
        return
    _references_hold({name: set(map(itemgetter(i), changes)) for i, name in enumerate(UPDATE_FIELDS, start=1)
                      if name in _REFERENCES} | {"batch_id": {batch.pk}})
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
        # On PostgreSQL each figure is looked up in the history's index on `id` (LIMIT 1 keeps
        # it a lookup per figure): asked as EXISTS, PostgreSQL read the whole history, which
        # only grows (two rows a changed figure), 1.2 s a file at 2.6 M rows. Its just-in-time
        # compiler, which the lookups' estimated cost sets off, is off for the statement:
        # compiling took longer (0.47 s) than a file's lookups. SQLite looks each figure up in
        # the index of its own accord (and has no LATERAL).
        if pg:
            with _setting(cursor, "jit", "off"):
                cursor.execute(
                    f"UPDATE {_CHANGES} SET had_history = 1 FROM (SELECT c.id FROM {_CHANGES} c CROSS JOIN LATERAL "
                    f"(SELECT 1 FROM {hist} h WHERE h.id = c.id LIMIT 1) h) found WHERE {_CHANGES}.id = found.id"
                )
        else:
            cursor.execute(
                f"UPDATE {_CHANGES} SET had_history = 1 "
                f"WHERE EXISTS (SELECT 1 FROM {hist} h WHERE h.id = {_CHANGES}.id)"
            )
        if pg:
            # PostgreSQL finds the figures through the indicators' index (see the docstring).
            indicators = sorted(indicator_ids)
            of_indicators = f"o.{_column('indicator_id')} IN ({', '.join(['%s'] * len(indicators))})"
            joined = f"{obs} o JOIN {_CHANGES} c ON c.id = o.id"
            update = (f"UPDATE {obs} AS o SET {', '.join(f'{_column(n)} = c.{n}' for n in UPDATE_FIELDS)}, "
                      f"{_column('batch_id')} = %s FROM {_CHANGES} c WHERE o.id = c.id AND {of_indicators}")
        else:
            # SQLite, told to go from the changes (CROSS JOIN fixes its join order), looks each
            # figure up by its row id, in order; joined the other way it read every figure.
            indicators = []
            of_indicators = "1 = 1"
            joined = f"{_CHANGES} c CROSS JOIN {obs} o ON o.id = c.id"
            update = (f"UPDATE {obs} SET ({', '.join(_column(n) for n in UPDATE_FIELDS)}) = "
                      f"(SELECT {', '.join(f'c.{n}' for n in UPDATE_FIELDS)} FROM {_CHANGES} c WHERE c.id = {obs}.id), "
                      f"{_column('batch_id')} = %s WHERE id IN (SELECT id FROM {_CHANGES})")
        cursor.execute(
            f"INSERT INTO {hist} ({history_columns}) "
            f"SELECT {from_obs}, b.created_at, 'import ' || b.id, '+', b.{created_by} "
            f"FROM {joined} JOIN {batches} b ON b.id = o.batch_id "
            f"WHERE c.had_history = 0 AND {of_indicators}", indicators,
        )
        cursor.execute(update, [batch.pk, *indicators])
        cursor.execute(
            f"INSERT INTO {hist} ({history_columns}) "
            f"SELECT {from_obs}, %s, %s, '~', %s FROM {joined} WHERE {of_indicators}",
            [connection.ops.adapt_datetimefield_value(history_date), f"import {batch.pk}", history_user_id,
             *indicators],
        )
        cursor.execute(f"DROP TABLE {_CHANGES}")
