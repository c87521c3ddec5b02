"""Crosswalks between code systems (e.g. DeSO → SAMS) and the figures mapped across them."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from django.db import transaction

from stadsdel.areas.models import CodeSystem, Crosswalk, CrosswalkLink, Municipality
from stadsdel.areas.services import AreaResolver
from stadsdel.core.files import file_sha256
from stadsdel.core.progress import Progress, quiet
from stadsdel.indicators.importers.base import ImportFileError, Problem
from stadsdel.indicators.models import (
    ImportBatch,
    Indicator,
    Observation,
    area_unit_keys_between,
)
from stadsdel.indicators.services.aggregation import aggregates_refresh
from stadsdel.indicators.services.observations import (
    NewObservation,
    WriteOutcome,
    batch_create,
    batch_finish,
    observations_write,
)
from stadsdel.indicators.services.units import unit_for_area


def _system_for(code: str, systems: list[CodeSystem]) -> CodeSystem | None:
    matches = [s for s in systems if s.code_pattern and not s.municipality_specific and re.fullmatch(s.code_pattern, code)]
    return matches[0] if len(matches) == 1 else None


def crosswalk_load(*, path: Path, user=None, dry_run: bool = False, progress: Progress = quiet) -> tuple[Crosswalk | None, WriteOutcome]:
    """Load a `from_code,to_code,weight` crosswalk and map the from-system's area counts onto the
    to-system's areas (and from there to districts). Mapped figures name the crosswalk."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(name, [Problem("", f"kan inte läsas som UTF-8-text: {exc}")]) from exc
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != ["from_code", "to_code", "weight"]:
        raise ImportFileError(name, [Problem("rad 1", "rubrikraden ska vara from_code,to_code,weight")])
    systems = list(CodeSystem.objects.all())
    municipalities = {m.code: m for m in Municipality.objects.all()}
    problems: list[Problem] = []
    links: list[tuple[str, str, float]] = []
    pair: set[tuple[int, int]] = set()
    seen: set[tuple[str, str]] = set()
    for line, rec in enumerate(reader, start=2):
        where = f"rad {line}"
        from_code, to_code = (rec.get("from_code") or "").strip(), (rec.get("to_code") or "").strip()
        try:
            weight = float((rec.get("weight") or "").replace(",", "."))
        except ValueError:
            problems.append(Problem(where, f"vikten {rec.get('weight')!r} är inte ett tal"))
            continue
        if not 0 <= weight <= 1:
            problems.append(Problem(where, f"vikten {weight} ligger inte mellan 0 och 1"))
        fs, ts = _system_for(from_code, systems), _system_for(to_code, systems)
        if fs is None or ts is None:
            problems.append(Problem(where, f"okänt kodsystem för {from_code if fs is None else to_code!r}"))
            continue
        if (from_code, to_code) in seen:
            problems.append(Problem(where, f"{from_code} → {to_code} finns redan på en tidigare rad"))
        seen.add((from_code, to_code))
        pair.add((fs.pk, ts.pk))
        links.append((from_code, to_code, weight))
    if not links and not problems:
        problems.append(Problem("", "filen har inga rader"))
    if len(pair) > 1:
        problems.append(Problem("", "alla rader måste gå från samma kodsystem till samma kodsystem"))
    sums: dict[str, float] = defaultdict(float)
    for from_code, _to, weight in links:
        sums[from_code] += weight
    for code, total in sums.items():
        if abs(total - 1) > 1e-6:
            problems.append(Problem(code, f"vikterna för {code} summerar till {total:g}, inte 1"))
    for code in {c for link in links for c in link[:2]}:
        if code[:4] not in municipalities:
            problems.append(Problem(code, f"kommunkoden {code[:4]} finns inte"))
    if problems:
        raise ImportFileError(name, problems)
    from_system, to_system = (CodeSystem.objects.get(pk=pk) for pk in next(iter(pair)))
    with transaction.atomic():
        resolver = AreaResolver()
        areas = {}
        for from_code, to_code, _w in links:
            for system, code in ((from_system, from_code), (to_system, to_code)):
                areas[(system.pk, code)] = resolver.area(code, system).pk
        crosswalk, _ = Crosswalk.objects.update_or_create(
            from_system=from_system, to_system=to_system,
            defaults={"name": f"{from_system.code} → {to_system.code}", "source_file": name, "file_sha256": file_sha256(path)},
        )
        crosswalk.links.all().delete()
        CrosswalkLink.objects.bulk_create([
            CrosswalkLink(crosswalk=crosswalk, from_area_id=areas[(from_system.pk, f)], to_area_id=areas[(to_system.pk, t)], weight=w)
            for f, t, w in links
        ])
        progress(f"{len(links)} kopplingar {crosswalk}")
        batch = batch_create(
            kind=ImportBatch.Kind.CROSSWALK, source_name=name, user=user, file_sha256=crosswalk.file_sha256,
            options={"crosswalk": crosswalk.pk},
        )
        outcome = crosswalk_apply(crosswalk=crosswalk, batch=batch, user=user, progress=progress)
        if dry_run:
            transaction.set_rollback(True)
            outcome.dry_run = True
            return None, outcome
        if not outcome.changed:
            batch.delete()
        else:
            batch_finish(batch, outcome, dry_run=False)
        return crosswalk, outcome


def _system_figures(system):
    """The area figures of one code system. Asked for by each indicator and the range of the
    system's unit keys (`area:<system>:…`, only area figures have them), which the unique key's
    index (indicator, unit key, …) reads as one stretch per indicator: the figures have no index
    by area (see Observation.Meta.indexes). Not asked for the level, nor sorted: SQLite then took
    the (level, year) index and read every area figure of the country (7 s at 3.6 M figures)."""
    return Observation.objects.filter(
        indicator_id__in=list(Indicator.objects.values_list("pk", flat=True)), **area_unit_keys_between(system.code),
        statistical_area__code_system=system,
    ).order_by()


def crosswalk_apply(*, crosswalk: Crosswalk, batch: ImportBatch, user=None, progress: Progress = quiet) -> WriteOutcome:
    """Map every area observation with counts in the from-system onto the to-system's areas.

    Only counts map (numerator and denominator × weight); a to-area gets a figure for an
    indicator, year and sex only when all the from-areas that feed it have counts, and the
    to-system has no figure of its own from an import (measured beats mapped).
    """
    links = list(crosswalk.links.select_related("to_area"))
    feeds: dict[int, list[tuple[int, float]]] = defaultdict(list)  # to_area -> [(from_area, w)]
    for link in links:
        feeds[link.to_area_id].append((link.from_area_id, link.weight))
    from_obs = defaultdict(dict)
    for o in _system_figures(crosswalk.from_system).values(
        "indicator_id", "period", "sex", "statistical_area_id", "numerator", "denominator", "status",
    ):
        from_obs[(o["indicator_id"], o["period"], o["sex"])][o["statistical_area_id"]] = o
    measured = set(
        _system_figures(crosswalk.to_system).filter(crosswalk__isnull=True)
        .values_list("indicator_id", "period", "sex", "statistical_area_id")
    )
    scales = dict(Indicator.objects.values_list("pk", "scale"))
    to_areas = {link.to_area_id: link.to_area for link in links}
    rows = []
    for (indicator_id, period, sex), by_area in from_obs.items():
        for to_id, sources in feeds.items():
            if (indicator_id, period, sex, to_id) in measured:
                continue
            parts = [(by_area.get(f), w) for f, w in sources]
            if any(p is None or p["numerator"] is None or p["denominator"] is None for p, _w in parts):
                continue
            num = sum(p["numerator"] * w for p, w in parts)
            den = sum(p["denominator"] * w for p, w in parts)
            if den <= 0:
                continue
            rows.append(NewObservation(
                indicator_id, unit_for_area(to_areas[to_id], crosswalk.to_system.code), period, sex,
                scales[indicator_id] * num / den, num, den, "ok", crosswalk_id=crosswalk.pk,
            ))
    outcome = observations_write(rows, batch=batch, user=user, progress=progress)
    agg = aggregates_refresh(
        indicator_ids={r.indicator_id for r in rows}, periods={r.period for r in rows}, batch=batch, user=user,
        progress=progress,
    )
    outcome.created += agg.created
    outcome.updated += agg.updated
    return outcome
