"""The one writer every figure goes through, whatever made it (a file, the microdata
aggregation, a crosswalk, the district sums), and the valid ranges it checks first."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import attrgetter, eq, itemgetter
from operator import not_ as operator_not

from django.db import transaction
from django.utils import timezone

from stadsdel.core.progress import Progress, quiet
from stadsdel.indicators.importers.base import ImportFileError, Problem
from stadsdel.indicators.models import ImportBatch, Indicator, Observation
from stadsdel.indicators.services.bulk import (
    UPDATE_FIELDS,
    observation_rows_insert,
    observation_rows_update,
    stored_rows_read,
)
from stadsdel.indicators.services.units import Unit

# -- valid ranges --------------------------------------------------------------------------

_UNIT_WORDS = {
    Indicator.Unit.PERCENT: "procent",
    Indicator.Unit.DAYS_PER_PERSON: "dagar per person",
    Indicator.Unit.PER_1000: "per 1 000 invånare",
    Indicator.Unit.COUNT: "antal",
    Indicator.Unit.INDEX: "index",
}


def _shown(number: float) -> str:
    return f"{number:.15g}"


def range_problems(indicator: Indicator, value: float | None, numerator: float | None,
                   denominator: float | None) -> list[str]:
    """Why a figure cannot be right for `indicator` (its catalogue's valid range), or nothing.

    Numerators and denominators are counts, never negative; a share's numerator is part of its
    denominator. The value is checked against the indicator's range and, for counts, for being
    whole; a value computed from a faulty numerator and denominator is not reported again.
    """
    if numerator is None and denominator is None and value is not None and not indicator.whole_numbers:
        # The common figure of a national file, a bare value, checked without building the
        # messages: this runs once per figure, millions of times for a national table set.
        low, high = indicator.value_min, indicator.value_max
        if (low is None or value >= low) and (high is None or value <= high):
            return []
    problems = []
    for word, count in (("täljaren", numerator), ("nämnaren", denominator)):
        if count is not None and count < 0:
            problems.append(f"{word} {_shown(count)} är negativ")
    if indicator.is_share and numerator is not None and denominator is not None and numerator > denominator:
        problems.append(f"täljaren {_shown(numerator)} är större än nämnaren {_shown(denominator)}; "
                        f"{indicator.code} är en andel")
    if problems or value is None:
        return problems
    unit = _UNIT_WORDS.get(indicator.unit, indicator.unit)
    low, high = indicator.value_min, indicator.value_max
    hint = "; är filen rätt indikator?"
    below, above = low is not None and value < low, high is not None and value > high
    if (below or above) and low is not None and high is not None:
        problems.append(f"värdet {_shown(value)} ligger utanför {_shown(low)}–{_shown(high)}, det giltiga intervallet "
                        f"för {indicator.code} ({unit}){hint}")
    elif below:
        problems.append(f"värdet {_shown(value)} är lägre än {_shown(low)}, det lägsta giltiga värdet för "
                        f"{indicator.code} ({unit}){hint}")
    elif above:
        problems.append(f"värdet {_shown(value)} är högre än {_shown(high)}, det högsta giltiga värdet för "
                        f"{indicator.code} ({unit}){hint}")
    elif indicator.whole_numbers and not float(value).is_integer():
        problems.append(f"värdet {_shown(value)} är inget heltal; {indicator.code} räknas i hela tal ({unit})")
    return problems


def _ranges_check(rows: list[NewObservation], *, source: str) -> None:
    """Refuse figures outside their indicators' ranges, however they were made (a file, the
    microdata aggregation, a crosswalk, the district sums): the last guard before writing."""
    indicators = Indicator.objects.in_bulk({r.indicator_id for r in rows})
    problems = []
    for row in rows:
        for message in range_problems(indicators[row.indicator_id], row.value, row.numerator, row.denominator):
            problems.append(Problem(f"{row.unit.key}, {row.period}, {row.sex}", message))
    if problems:
        raise ImportFileError(source, problems)


# -- writing observations ------------------------------------------------------------------

@dataclass
class WriteOutcome:
    """What an import did (or, for a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batch: ImportBatch | None = None
    dry_run: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        verb = "skulle skapa" if self.dry_run else "skapade"
        text = f"{verb} {self.created}, {'skulle uppdatera' if self.dry_run else 'uppdaterade'} {self.updated}, oförändrade {self.unchanged}"
        if not self.changed:
            text += " — inget att skriva"
        return text


@dataclass(slots=True)
class NewObservation:
    indicator_id: int
    unit: Unit
    period: int
    sex: str
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    rule_id: int | None = None
    crosswalk_id: int | None = None

    def key(self) -> tuple:
        return (self.indicator_id, self.unit.key, self.period, self.sex)


@dataclass(slots=True)
class ObservationColumns:
    """Figures to write as columns, one list per field of `NewObservation` (`rule_id` and
    `crosswalk_id` None when no figure has one): how a national file's figures travel from the
    parser to the database without an object per figure (issue 21)."""

    indicator_id: list[int]
    unit: list[Unit]
    period: list[int]
    sex: list[str]
    value: list[float | None]
    numerator: list[float | None] | None
    denominator: list[float | None] | None
    status: list[str]
    rule_id: list[int | None] | None = None
    crosswalk_id: list[int | None] | None = None

    def __len__(self) -> int:
        return len(self.unit)

    @classmethod
    def from_rows(cls, rows: list[NewObservation]) -> ObservationColumns:
        return cls(
            [r.indicator_id for r in rows], [r.unit for r in rows], [r.period for r in rows], [r.sex for r in rows],
            [r.value for r in rows], [r.numerator for r in rows], [r.denominator for r in rows],
            [r.status for r in rows], [r.rule_id for r in rows], [r.crosswalk_id for r in rows],
        )


def user_name(user) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return user.get_username()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - containers without a passwd entry
        return ""


def batch_create(*, kind: str, source_name: str, user=None, **fields) -> ImportBatch:
    """The import batch the figures about to be written will point to, naming who ran it (the
    signed-in user, else the operating-system account of the command line)."""
    return ImportBatch.objects.create(
        kind=kind, source_name=source_name, created_by=user if getattr(user, "is_authenticated", False) else None,
        created_by_name=user_name(user), **fields,
    )


def batch_finish(batch: ImportBatch, outcome: WriteOutcome, *, dry_run: bool) -> WriteOutcome:
    """Keep the batch only when it changed something and this is not a dry run."""
    outcome.dry_run = dry_run
    if dry_run or not outcome.changed:
        transaction.set_rollback(True)
        outcome.batch = None
        return outcome
    batch.rows_created, batch.rows_updated, batch.rows_unchanged = outcome.created, outcome.updated, outcome.unchanged
    batch.save(update_fields=["rows_created", "rows_updated", "rows_unchanged"])
    outcome.batch = batch
    return outcome


def observations_write(
    rows: list[NewObservation], *, batch: ImportBatch, user=None, progress: Progress = quiet,
    ranges_checked: bool = False,
) -> WriteOutcome:
    """Create or update observations from `rows` under `batch` (inside the caller's transaction).

    The figures are checked against their indicators' ranges first, unless the caller did that
    itself (`ranges_checked`: the file import, whose messages name the file's rows).

    Unchanged figures are not touched, so their `batch` stays the import that first gave them.
    The writes are set-based (`bulk`): one read of the stored figures these rows could match,
    then new figures inserted and changed ones updated in chunks, the earlier values of changed
    figures kept in the history with their batches.
    """
    if rows and not ranges_checked:
        _ranges_check(rows, source=batch.source_name)
    return observations_write_columns(ObservationColumns.from_rows(rows), batch=batch, user=user, progress=progress)


# The stored figures as read for a comparison: the figures first, then the key, then the id.
_STORED_FIGURES = itemgetter(0, 1, 2, 3, 4, 5)


def _same_figures(stored: tuple[tuple, ...], columns: ObservationColumns) -> bool:
    """Whether the stored rows (in the order of the figures in `columns`) hold exactly the
    figures of `columns`, compared a column at a time: a column the figures do not have (None)
    must be empty in every stored row."""
    n = len(stored)
    given = (columns.value, columns.numerator, columns.denominator, columns.status, columns.rule_id,
             columns.crosswalk_id)
    for place, column in enumerate(given):
        stored_column = list(map(itemgetter(place), stored))
        if column is None:
            if stored_column.count(None) != n:
                return False
        elif stored_column != (column if type(column) is list else list(column)):
            return False
    return True


def _gathered(items: list, positions: list[int]) -> tuple:
    """The items at `positions`, in their order (`itemgetter` in C)."""
    if len(positions) == 1:
        return (items[positions[0]],)
    return itemgetter(*positions)(items)


def _in_file_order(found: list[tuple], file_keys: list[list], n: int) -> bool:
    """Whether the stored rows hold the file's `n` keys in the file's order: the i-th stored row
    is then the i-th figure's, found without a key per figure. The keys are unique on both
    sides, so equal key columns mean the same figures in the same places. PostgreSQL returns a
    file imported before in the order it was written (its table's order); SQLite returns the
    rows in its index's order, which is the file's when the file is sorted by area and year.
    (Asking SQLite to sort by row id cost about as much as it saved: measured, 60 k faster,
    600 k slower.)"""
    return len(found) == n and all(
        list(map(itemgetter(len(UPDATE_FIELDS) + k), found)) == (keys if type(keys) is list else list(keys))
        for k, keys in enumerate(file_keys))


def observations_write_columns(
    columns: ObservationColumns, *, batch: ImportBatch, user=None, progress: Progress = quiet,
) -> WriteOutcome:
    """`observations_write` for figures already checked against their ranges, as columns.

    The stored figures the file may match are read once and found by key: each figure's key
    becomes a tuple and is looked up in a dict of the stored keys, which gives its stored row's
    position (unless the stored rows come back in the file's own order, `_in_file_order`: then
    no key is built at all). When every figure is stored, the stored rows are gathered in the
    figures' order and compared a column at a time (`==` on two lists, in C): a file imported again costs no
    object per figure beyond its key. Otherwise, or when a column differs, the figures are
    compared row by row and only those that differ are visited one by one.
    """
    outcome = WriteOutcome()
    n = len(columns)
    if not n:
        return outcome
    units = columns.unit
    unit_keys = list(map(attrgetter("key"), units))
    indicator_ids, sexes = set(columns.indicator_id), set(columns.sex)
    # A figure's key is its indicator, unit, year and sex; of a file of one indicator and one
    # sex (a national file) only the stored figures of that indicator and sex are read, and
    # the key is the unit and the year: fewer columns to read and smaller keys to hash.
    key_fields, file_keys = ["unit_key", "period"], [unit_keys, columns.period]
    if len(indicator_ids) > 1:
        key_fields.append("indicator_id")
        file_keys.append(columns.indicator_id)
    if len(sexes) > 1:
        key_fields.append("sex")
        file_keys.append(columns.sex)
    stored_key = itemgetter(*range(len(UPDATE_FIELDS), len(UPDATE_FIELDS) + len(key_fields)))
    stored_id = len(UPDATE_FIELDS) + len(key_fields)
    stored = Observation.objects.filter(
        indicator_id__in=indicator_ids, period__in=set(columns.period), sex__in=sexes,
    ).order_by().values_list(*UPDATE_FIELDS, *key_fields, "id")
    # Read as plain rows: these columns need no conversion, and the ORM's per-row work would
    # cost more than the rest of an unchanged import. Unordered (`order_by()`): the model's
    # ordering joined every figure to its indicator and sorted them, on PostgreSQL on disk,
    # 0.6 of an unchanged 60 000-figure import's 0.9 s; the comparison needs no order. By
    # indicator and year only, so that the unique key's index is the one to use: asked for the
    # level as well, SQLite (and PostgreSQL on old statistics) took the (level, year) index
    # and read the area figures of every indicator. The few figures of other levels it reads
    # besides match no key of the file.
    found = stored_rows_read(stored, first=dict(zip(key_fields, (keys[0] for keys in file_keys), strict=True)),
                             last=dict(zip(key_fields, (keys[-1] for keys in file_keys), strict=True)), expected=n)
    absent = len(found)  # the position of a figure not stored
    if _in_file_order(found, file_keys, n):
        if _same_figures(found, columns):
            outcome.unchanged = n
            return outcome
        at = list(range(n))  # the i-th stored row is the i-th figure's
    else:
        keys = list(zip(*file_keys, strict=True))
        position = dict(zip(map(stored_key, found), range(absent), strict=True))
        at = list(map(position.get, keys, repeat(absent)))
        if found and max(at) < absent and _same_figures(_gathered(found, at), columns):
            outcome.unchanged = n
            return outcome
    nothing = repeat(None, n)
    figures = list(zip(
        columns.value, columns.numerator if columns.numerator is not None else nothing,
        columns.denominator if columns.denominator is not None else repeat(None, n), columns.status,
        columns.rule_id if columns.rule_id is not None else repeat(None, n),
        columns.crosswalk_id if columns.crosswalk_id is not None else repeat(None, n), strict=False,
    ))
    stored_figures = list(map(_STORED_FIGURES, found))
    stored_figures.append(None)  # at `absent`: no figure equals it
    same = list(map(eq, map(stored_figures.__getitem__, at), figures))
    outcome.unchanged = same.count(True)
    if outcome.unchanged == n:
        return outcome
    to_create: list[tuple] = []
    to_update: list[tuple] = []
    updated_indicators: set[int] = set()
    batch_id = batch.pk
    indicator_id, period, sex = columns.indicator_id, columns.period, columns.sex
    for i in compress(range(n), map(operator_not, same)):
        figure, where = figures[i], at[i]
        if where != absent:
            to_update.append((found[where][stored_id], *figure))
            updated_indicators.add(indicator_id[i])
            continue
        unit = units[i]
        to_create.append((
            indicator_id[i], unit.level, unit.key, unit.statistical_area_id, unit.district_id, unit.municipality_id,
            unit.county_id, period[i], sex[i], *figure[:4], batch_id, *figure[4:],
        ))
    if to_create:
        progress(f"skapar {len(to_create)} observationer")
        observation_rows_insert(to_create)
    if to_update:
        progress(f"uppdaterar {len(to_update)} observationer")
        observation_rows_update(
            to_update, batch=batch, history_date=timezone.now(),
            history_user_id=user.pk if getattr(user, "is_authenticated", False) else None,
            indicator_ids=updated_indicators,
        )
    outcome.created, outcome.updated = len(to_create), len(to_update)
    return outcome
