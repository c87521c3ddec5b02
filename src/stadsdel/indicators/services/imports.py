"""Imports of files of figures: CSV, Excel, PxWeb json-stat2 and Kolada, from the command line or
uploaded through the import page or the API."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import get_valid_filename

from stadsdel.accounts.scoping import scope_for
from stadsdel.core.files import file_sha256
from stadsdel.core.progress import Progress, quiet
from stadsdel.indicators.importers import kolada, pxweb, tabular
from stadsdel.indicators.importers.base import ImportFileError, ParsedRow, Problem
from stadsdel.indicators.models import Indicator, Level
from stadsdel.indicators.services.aggregation import aggregates_refresh
from stadsdel.indicators.services.observations import (
    NewObservation,
    WriteOutcome,
    batch_create,
    batch_finish,
    observations_write,
    range_problems,
)
from stadsdel.indicators.services.units import UnitResolver

FORMATS = ("csv", "xlsx", "pxweb", "kolada")
# An upload through the web (page or API) is copied to a temporary file first; larger files go
# through the command line. Both are read within the import limits (STADSDEL_IMPORT_MAX_*).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _parse(path: Path, fmt: str, indicator: str | None, content: str | None = None) -> list[ParsedRow]:
    if fmt == "csv":
        return tabular.parse_csv(path)
    if fmt == "xlsx":
        return tabular.parse_xlsx(path)
    if fmt == "pxweb":
        if not indicator:
            raise ImportFileError(path.name, [Problem("", "json-stat2 behöver --indicator: vilken indikator i katalogen innehållet är")])
        return pxweb.parse_pxweb(path, indicator=indicator, content=content)
    if fmt == "kolada":
        return kolada.parse_kolada(path)
    raise ImportFileError(path.name, [Problem("", f"okänt format {fmt!r} (välj {', '.join(FORMATS)})")])


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


def observations_import(
    *, path: Path, fmt: str, indicator: str | None = None, content: str | None = None, user=None,
    dry_run: bool = False, progress: Progress = quiet, source_name: str | None = None,
) -> WriteOutcome:
    """Import one file. Raises ImportFileError (nothing written) on any fault."""
    path = Path(path)
    name = source_name or path.name
    if not path.is_file():
        raise ImportFileError(name, [Problem("", "filen finns inte")])
    progress(f"läser {name}")
    parsed = _parse(path, fmt, indicator, content)
    progress(f"{len(parsed)} rader tolkade; kontrollerar indikatorer och områden")
    with transaction.atomic():
        resolver = UnitResolver()
        rows = _resolve(parsed, name, indicator if fmt == "pxweb" else None, resolver)
        if resolver.registered:
            progress(f"registrerade {resolver.registered} nya statistikområden")
        batch = batch_create(
            kind=fmt, source_name=name, user=user, file_sha256=file_sha256(path),
            options={k: v for k, v in {"indicator": indicator, "content": content}.items() if v},
        )
        # _resolve checked every figure's range, naming its row in the file.
        outcome = observations_write(rows, batch=batch, user=user, progress=progress, ranges_checked=True)
        aggregated = aggregates_refresh(
            indicator_ids={r.indicator_id for r in rows if r.unit.level == Level.AREA},
            periods={r.period for r in rows if r.unit.level == Level.AREA},
            batch=batch, user=user, progress=progress,
        )
        outcome.created += aggregated.created
        outcome.updated += aggregated.updated
        return batch_finish(batch, outcome, dry_run=dry_run)


def observations_import_upload(*, user, upload, fmt: str, indicator: str | None = None,
                               dry_run: bool = False) -> WriteOutcome:
    """Import a file a user sent (from the import page or the API): only statistics staff and the
    ministry may. The upload is handed to the importer as a file under its own (sanitised) name,
    so the importer's messages name the file the user sent; the temporary copy is removed
    afterwards."""
    if not scope_for(user).imports_statistics:
        raise PermissionDenied("Only analysts and the ministry import statistics.")
    if fmt not in FORMATS:
        raise ImportFileError(upload.name, [Problem("format", f"okänt format {fmt!r}; ett av {', '.join(FORMATS)}")])
    if fmt == "pxweb" and not indicator:
        raise ImportFileError(upload.name, [Problem("indicator", "en PxWeb-fil behöver indikatorn den innehåller")])
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportFileError(upload.name, [Problem(
            "", f"filen är större än {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; importera den med kommandoraden")])
    name = get_valid_filename(Path(upload.name).name) or "upload"
    with tempfile.TemporaryDirectory(prefix="stadsdel-import-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return observations_import(path=path, fmt=fmt, indicator=indicator or None, user=user, dry_run=dry_run,
                                   source_name=upload.name)
