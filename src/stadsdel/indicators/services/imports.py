"""Imports of files of figures: CSV, Excel, PxWeb json-stat2 and Kolada, from the command line or
uploaded through the import page or the API."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import compress, repeat
from operator import attrgetter, gt
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_noop

from stadsdel.accounts.scoping import scope_for
from stadsdel.core.collector import collection_paused
from stadsdel.core.files import file_sha256
from stadsdel.core.progress import Progress, quiet
from stadsdel.indicators.importers import kolada, pxweb, tabular
from stadsdel.indicators.importers.base import ImportFileError, ParsedColumns, ParsedRow, Problem
from stadsdel.indicators.models import Indicator, Level, RefusedImport
from stadsdel.indicators.services.aggregation import aggregates_refresh
from stadsdel.indicators.services.observations import (
    NewObservation,
    ObservationColumns,
    WriteOutcome,
    batch_create,
    batch_finish,
    observations_write_columns,
    range_problems,
    user_name,
)
from stadsdel.indicators.services.units import UnitResolver

FORMATS = ("csv", "xlsx", "pxweb", "kolada")
# An upload through the web (page or API) is copied to a temporary file first; larger files go
# through the command line. Both are read within the import limits (STADSDEL_IMPORT_MAX_*).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _parse(path: Path, fmt: str, indicator: str | None, content: str | None = None) -> ParsedColumns:
    if fmt == "csv":
        return tabular.read_csv_columns(path)
    if fmt == "xlsx":
        return tabular.read_xlsx_columns(path)
    if fmt == "pxweb":
        if not indicator:
            raise ImportFileError(path.name, [Problem("", "json-stat2 behöver --indicator: vilken indikator i katalogen innehållet är")])
        return pxweb.read_pxweb_columns(path, indicator=indicator, content=content)
    if fmt == "kolada":
        return ParsedColumns.from_rows(kolada.parse_kolada(path))
    raise ImportFileError(path.name, [Problem("", f"okänt format {fmt!r} (välj {', '.join(FORMATS)})")])


def _resolve_columns(
    parsed: ParsedColumns, file_name: str, indicator_override: str | None, resolver: UnitResolver,
) -> ObservationColumns:
    """`_resolve` a column at a time: each indicator and area code is looked up once, the new
    areas registered together, the ranges checked per indicator. Any fault sends the whole file
    through `_resolve`, row by row, which names the row of every fault exactly as before."""
    n = len(parsed)

    def row_by_row() -> ObservationColumns:
        # Raises ImportFileError naming every faulty row; returns only if the quick checks
        # below were stricter than they need be.
        return ObservationColumns.from_rows(_resolve(parsed.rows(), file_name, indicator_override, resolver))

    catalogue = {i.code: i for i in Indicator.objects.all()}
    if indicator_override and indicator_override not in catalogue:
        raise ImportFileError(file_name, [Problem("--indicator", f"okänd indikator {indicator_override!r} i katalogen")])
    if parsed.indicator_is_kolada:
        by_code = {i.kolada_kpi: i for i in catalogue.values() if i.kolada_kpi}
        indicators = {code: by_code.get(code) for code in set(parsed.indicator)}
    else:
        indicators = {code: catalogue.get(indicator_override or code) for code in set(parsed.indicator)}
    units = resolver.resolve_many(parsed.area, kolada=parsed.indicator_is_kolada)
    if None in indicators.values() or None in units.values():
        return row_by_row()
    unit_list = list(map(units.__getitem__, parsed.area))
    if len(indicators) == 1:
        [indicator] = indicators.values()
        indicator_ids = [indicator.id] * n
    else:
        indicator_ids = [indicators[code].id for code in parsed.indicator]
    # Distinct codes may still name the same unit ("SE" and "00", a code with spaces).
    one_to_one = (len({u.key for u in units.values()}) == len(units)
                  and len({i.id for i in indicators.values()}) == len(indicators))
    if not (parsed.keys_unique and one_to_one) and len(set(zip(
            indicator_ids, [u.key for u in unit_list], parsed.period, parsed.sex, strict=True))) < n:
        return row_by_row()
    figures = _figures(parsed, indicators, n)
    if figures is None:
        return row_by_row()
    values, numerators, denominators, statuses = figures
    return ObservationColumns(indicator_ids, unit_list, parsed.period, parsed.sex, values, numerators, denominators,
                              statuses)


def _figures(parsed: ParsedColumns, indicators: dict, n: int) -> tuple | None:
    """The figures as `_resolve` writes them (a value computed from its numerator and
    denominator where the file gives none; "missing" for an "ok" figure without a value), or
    None when any of them is outside its indicator's range (`range_problems`)."""
    values, statuses = parsed.value, parsed.status
    numerators, denominators = parsed.numerator, parsed.denominator
    if (len(indicators) == 1 and (numerators is None or not any(x is not None for x in numerators))
            and (denominators is None or not any(x is not None for x in denominators))):
        # A bare value per figure, one indicator (a json-stat2 file, a plain CSV): the range
        # checked on the column's least and greatest value.
        [indicator] = indicators.values()
        if statuses is not None and "suppressed" in statuses:
            # A suppressed figure is written without a value, whatever the file gave.
            values = [None if s == "suppressed" else v for v, s in zip(values, statuses, strict=True)]
        present = [v for v in values if v is not None] if statuses is not None else values
        if present:
            low, high = indicator.value_min, indicator.value_max
            if (low is not None and min(present) < low) or (high is not None and max(present) > high):
                return None
            if indicator.whole_numbers and not all(float(v).is_integer() for v in present):
                return None
        if statuses is None:
            statuses = ["ok"] * n
        elif "ok" in statuses and len(present) < n:
            statuses = ["missing" if v is None and s == "ok" else s for v, s in zip(values, statuses, strict=True)]
        return values, numerators, denominators, statuses
    if len(indicators) == 1 and (statuses is None or statuses.count("ok") == n):
        [indicator] = indicators.values()
        checked = _checked_parts(indicator, values, numerators, denominators, n)
        if checked is None:
            return None
        values, statuses = checked
        return values, numerators, denominators, statuses
    # Figures with numerators and denominators, several indicators or other statuses: figure by
    # figure.
    by_code = [indicators[code] for code in parsed.indicator] if len(indicators) > 1 else None
    only = next(iter(indicators.values()))
    out_values: list[float | None] = []
    out_statuses: list[str] = []
    nothing = [None] * n
    for i, (value, num, den, status) in enumerate(zip(
            values, numerators if numerators is not None else nothing,
            denominators if denominators is not None else nothing,
            statuses if statuses is not None else repeat("ok", n), strict=False)):
        indicator = by_code[i] if by_code is not None else only
        if status == "suppressed":
            out_values.append(None)
            out_statuses.append("suppressed")
            continue
        if value is None and num is not None and den and status in ("ok", "provisional"):
            value = indicator.scale * num / den
        if range_problems(indicator, value, num, den):
            return None
        out_values.append(value)
        out_statuses.append(status if value is not None or status != "ok" else "missing")
    if numerators is not None and any(s == "suppressed" for s in out_statuses):
        # _resolve writes a suppressed figure without its numerator and denominator.
        numerators = [None if s == "suppressed" else x for x, s in zip(numerators, out_statuses, strict=True)]
        denominators = ([None if s == "suppressed" else x for x, s in zip(denominators, out_statuses, strict=True)]
                        if denominators is not None else None)
    return out_values, numerators, denominators, out_statuses


def _present(column: list | None) -> list:
    """The column's values that are not None (nothing for a column the file does not have)."""
    if column is None:
        return []
    return [x for x in column if x is not None] if None in column else column


def _checked_parts(indicator: Indicator, values: list, numerators: list | None, denominators: list | None,
                   n: int) -> tuple[list, list[str]] | None:
    """`_figures` for one indicator whose every figure is "ok" (a national long CSV, with
    numerators and denominators): the values as `_resolve` writes them (computed from numerator
    and denominator where the file gives none) and their statuses, or None when any figure has a
    fault `range_problems` would name. Checked a column at a time: no count below zero, no
    share's numerator over its denominator, the values within the range (and whole, for counts)."""
    if None in values and numerators is not None and denominators is not None:
        scale = indicator.scale
        values = [scale * num / den if value is None and num is not None and den else value
                  for value, num, den in zip(values, numerators, denominators, strict=True)]
    for counts in (numerators, denominators):
        present = _present(counts)
        if present and min(present) < 0:
            return None
    if indicator.is_share and numerators is not None and denominators is not None:
        if None in numerators or None in denominators:
            pairs = [(num, den) for num, den in zip(numerators, denominators, strict=True)
                     if num is not None and den is not None]
            if any(num > den for num, den in pairs):
                return None
        elif any(map(gt, numerators, denominators)):
            return None
    present = _present(values)
    if present:
        low, high = indicator.value_min, indicator.value_max
        if (low is not None and min(present) < low) or (high is not None and max(present) > high):
            return None
        if indicator.whole_numbers and not all(float(v).is_integer() for v in present):
            return None
    if len(present) == n:
        return values, ["ok"] * n
    return values, ["missing" if value is None else "ok" for value in values]


def _resolve(
    rows: list[ParsedRow], file_name: str, indicator_override: str | None, resolver: UnitResolver,
) -> list[NewObservation]:
    """Map parsed rows to catalogue indicators and registry units; every fault is collected."""
    catalogue = {i.code: i for i in Indicator.objects.all()}
    by_kolada = {i.kolada_kpi: i for i in catalogue.values() if i.kolada_kpi}
    if indicator_override and indicator_override not in catalogue:
        raise ImportFileError(file_name, [Problem("--indicator", f"okänd indikator {indicator_override!r} i katalogen")])
    problems: list[Problem] = []
    result: list[NewObservation] = []
    seen: dict[tuple, str] = {}
    for row in rows:
        if row.indicator_is_kolada:
            ind = by_kolada.get(row.indicator)
            if ind is None:
                problems.append(Problem(row.location, f"Kolada-nyckeltalet {row.indicator} finns inte i indikatorkatalogen"))
                continue
        else:
            ind = catalogue.get(indicator_override or row.indicator)
            if ind is None:
                problems.append(Problem(row.location, f"okänd indikator {row.indicator!r}"))
                continue
        unit = resolver.resolve(row.area, kolada=row.indicator_is_kolada)
        if unit is None:
            problems.append(Problem(row.location, f"okänt område {row.area!r}"))
            continue
        key = (ind.id, unit.key, row.period, row.sex)
        if key in seen:
            problems.append(Problem(row.location, f"samma indikator, område, år och kön som {seen[key]}"))
            continue
        seen[key] = row.location
        value = row.value
        if value is None and row.status in ("ok", "provisional") and row.numerator is not None and row.denominator:
            value = ind.scale * row.numerator / row.denominator
        if row.status == "suppressed":
            result.append(NewObservation(ind.id, unit, row.period, row.sex, None, None, None, "suppressed"))
            continue
        faults = range_problems(ind, value, row.numerator, row.denominator)
        if faults:
            problems.extend(Problem(row.location, message) for message in faults)
            continue
        status = row.status if value is not None or row.status != "ok" else "missing"
        result.append(NewObservation(ind.id, unit, row.period, row.sex, value, row.numerator, row.denominator, status))
    if problems:
        raise ImportFileError(file_name, problems)
    return result


def import_refusal_record(*, source_name: str, fmt: str, user, channel: str, message: str,
                          problem_count: int = 0, dry_run: bool = False) -> RefusedImport:
    """Keep the record of a refused file (who, when, which file and format, why). Called after the
    import's transaction rolled back, so the record stays while none of the file's figures do."""
    return RefusedImport.objects.create(
        fmt=fmt or "", source_name=source_name[:500], channel=channel, dry_run=dry_run, message=message,
        problem_count=problem_count, created_by=user if getattr(user, "is_authenticated", False) else None,
        created_by_name=user_name(user),
    )


def import_refusal_record_form(*, user, upload, fmt: str, problems: list[str], dry_run: bool = False) -> RefusedImport:
    """Keep the record of an upload the import page's form refused, its message built like the
    importer's (a line naming the file, then one line per fault)."""
    head = f"{upload.name}: {len(problems)} fel"
    return import_refusal_record(
        source_name=upload.name, fmt=fmt if fmt in FORMATS else "", user=user, channel=RefusedImport.Channel.PAGE,
        message="\n".join([head, *(f"  {p}" for p in problems)]), problem_count=len(problems), dry_run=dry_run)


@contextmanager
def _refusal_recorded(*, source_name: str, fmt: str, user, channel: str, dry_run: bool) -> Iterator[None]:
    """Record an ImportFileError raised inside (once: the upload wraps the file import, and both
    record) and let it go on to the caller, which answers 400 or exits 2."""
    try:
        yield
    except ImportFileError as exc:
        if not getattr(exc, "recorded", False):
            import_refusal_record(source_name=source_name, fmt=fmt, user=user, channel=channel, message=str(exc),
                                  problem_count=len(exc.problems), dry_run=dry_run)
            exc.recorded = True
        raise


def observations_import(
    *, path: Path, fmt: str, indicator: str | None = None, content: str | None = None, user=None,
    dry_run: bool = False, progress: Progress = quiet, source_name: str | None = None,
    channel: str = RefusedImport.Channel.COMMAND,
) -> WriteOutcome:
    """Import one file. Raises ImportFileError (nothing written) on any fault, and keeps a record
    of the refusal (`RefusedImport`)."""
    path = Path(path)
    name = source_name or path.name
    with collection_paused(), _refusal_recorded(source_name=name, fmt=fmt, user=user, channel=channel,
                                                 dry_run=dry_run):
        return _observations_import(path=path, name=name, fmt=fmt, indicator=indicator, content=content,
                                    user=user, dry_run=dry_run, progress=progress)


def _observations_import(*, path: Path, name: str, fmt: str, indicator: str | None, content: str | None, user,
                         dry_run: bool, progress: Progress) -> WriteOutcome:
    # Everything is written in the one transaction, so a fault anywhere leaves nothing behind.
    if not path.is_file():
        raise ImportFileError(name, [Problem("", "filen finns inte")])
    progress(f"läser {name}")
    parsed = _parse(path, fmt, indicator, content)
    progress(f"{len(parsed)} rader tolkade; kontrollerar indikatorer och områden")
    with transaction.atomic():
        resolver = UnitResolver()
        rows = _resolve_columns(parsed, name, indicator if fmt == "pxweb" else None, resolver)
        if resolver.registered:
            progress(f"registrerade {resolver.registered} nya statistikområden")
        batch = batch_create(
            kind=fmt, source_name=name, user=user, file_sha256=file_sha256(path),
            options={k: v for k, v in {"indicator": indicator, "content": content}.items() if v},
        )
        # _resolve checked every figure's range, naming its row in the file.
        outcome = observations_write_columns(rows, batch=batch, user=user, progress=progress)
        # The district sums of the area figures' indicators and years.
        if set(map(attrgetter("level"), rows.unit)) == {Level.AREA}:
            indicator_ids, periods = set(rows.indicator_id), set(rows.period)  # a national file
        else:
            at_area = [unit.level == Level.AREA for unit in rows.unit]
            indicator_ids, periods = set(compress(rows.indicator_id, at_area)), set(compress(rows.period, at_area))
        aggregated = aggregates_refresh(indicator_ids=indicator_ids, periods=periods, batch=batch, user=user,
                                        progress=progress)
        outcome.created += aggregated.created
        outcome.updated += aggregated.updated
        return batch_finish(batch, outcome, dry_run=dry_run)


def observations_import_upload(*, user, upload, fmt: str, indicator: str | None = None,
                               dry_run: bool = False, channel: str = RefusedImport.Channel.PAGE) -> WriteOutcome:
    """Import a file a user sent (from the import page or the API): only statistics staff and the
    ministry may. The upload is handed to the importer as a file under its own (sanitised) name,
    so the importer's messages name the file the user sent; the temporary copy is removed
    afterwards."""
    if not scope_for(user).imports_statistics:
        raise PermissionDenied("Only analysts and the ministry import statistics.")
    with _refusal_recorded(source_name=upload.name, fmt=fmt, user=user, channel=channel, dry_run=dry_run):
        return _upload_import(user=user, upload=upload, fmt=fmt, indicator=indicator, dry_run=dry_run,
                              channel=channel)


def _upload_check(*, upload, fmt: str, indicator: str | None) -> None:
    """What can be told of an upload at once, before its content is read."""
    if fmt not in FORMATS:
        raise ImportFileError(upload.name, [Problem("format", f"okänt format {fmt!r}; ett av {', '.join(FORMATS)}")])
    if fmt == "pxweb" and not indicator:
        raise ImportFileError(upload.name, [Problem("indicator", "en PxWeb-fil behöver indikatorn den innehåller")])
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportFileError(upload.name, [Problem(
            "", f"filen är större än {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; importera den med kommandoraden")])


def _upload_import(*, user, upload, fmt: str, indicator: str | None, dry_run: bool, channel: str) -> WriteOutcome:
    _upload_check(upload=upload, fmt=fmt, indicator=indicator)
    name = get_valid_filename(Path(upload.name).name) or "upload"
    with tempfile.TemporaryDirectory(prefix="stadsdel-import-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return observations_import(path=path, fmt=fmt, indicator=indicator or None, user=user, dry_run=dry_run,
                                   source_name=upload.name, channel=channel)


# -- uploads imported in the background -----------------------------------------------------------

# What the task's page shows of an import: the file, then its counts or its faults.
TASK_TEMPLATE = "indicators/_import_task.html"

def observations_import_upload_queue(*, user, upload, fmt: str, indicator: str | None = None,
                                     dry_run: bool = False, channel: str = RefusedImport.Channel.PAGE) -> str:
    """Keep a file a user sent under the data directory and queue its import
    (`indicators.tasks.import_upload`, the same importer as `stadsdel import`, in one transaction)
    as the user's task; returns the task's id. What can be told at once (format, size, a PxWeb
    file's indicator) is refused here, recorded like any refused import; the file's content is
    read by the task."""
    from stadsdel.indicators import tasks
    from stadsdel.jobs.services import task_enqueue, upload_dir

    if not scope_for(user).imports_statistics:
        raise PermissionDenied("Only analysts and the ministry import statistics.")
    with _refusal_recorded(source_name=upload.name, fmt=fmt, user=user, channel=channel, dry_run=dry_run):
        _upload_check(upload=upload, fmt=fmt, indicator=indicator)
    name = get_valid_filename(Path(upload.name).name) or "upload"
    folder = upload_dir() / secrets.token_hex(16)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        return task_enqueue(tasks.import_upload, path=str(path), fmt=fmt, indicator=indicator or None,
                            dry_run=dry_run, user_id=user.pk, source_name=upload.name, channel=channel,
                            owner=user, label=gettext_noop("Import of a statistics file"),
                            detail={"template": TASK_TEMPLATE, "file": upload.name, "dry_run": dry_run})
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
