"""Register extracts (pseudonymised person-years) aggregated in DuckDB to areas, districts,
municipalities (and, for the country's register, counties and the country) with disclosure
control; the raw rows never enter the database."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from django.db import transaction

from stadsdel.areas.models import CodeSystem, County, DistrictArea, Municipality, StatisticalArea
from stadsdel.areas.services import AreaResolver
from stadsdel.core.progress import Progress, quiet
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.models import ExclusionRule, ImportBatch, Indicator
from stadsdel.indicators.services.catalogue import rule_active
from stadsdel.indicators.services.observations import (
    NewObservation,
    WriteOutcome,
    batch_create,
    batch_finish,
    observations_write,
)
from stadsdel.indicators.services.units import (
    COUNTRY,
    Unit,
    unit_for_area,
    unit_for_county,
    unit_for_district,
    unit_for_municipality,
)
from stadsdel.lib import microdata as micro


def microdata_aggregate(
    *, path: Path, code_system: str, min_cell: int = 5, user=None, dry_run: bool = False,
    rule: ExclusionRule | None = None, national: bool = False, progress: Progress = quiet,
) -> tuple[WriteOutcome, micro.AggregateResult]:
    """Aggregate a register extract and store its cells (with disclosure control applied).

    Area codes that fit the code system and start with a known municipality's code are
    registered as statistical areas when new: a register extract covers every area of its
    municipalities, not only those in districts. Anything else unknown is an error. `national`
    says the extract covers whole counties (the country's register), so it also gives county
    and country figures.
    """
    system = CodeSystem.objects.filter(code__iexact=code_system).first()
    if system is None:
        raise micro.MicrodataError(f"unknown code system {code_system!r}")
    if system.municipality_specific:
        raise micro.MicrodataError(f"{system.code} codes are only unique within a municipality; use SAMS or DeSO")
    rule = rule or rule_active(ExclusionRule.Target.INDIVIDUAL)
    individual = micro.IndividualRule.from_parameters(rule.parameters)
    if min_cell < 1:
        raise micro.MicrodataError(f"min-cell must be at least 1, not {min_cell}")
    scanned = micro.scan(path, rule=individual, progress=progress)
    with transaction.atomic():
        areas, new_areas = _microdata_areas(system, scanned.areas_seen, str(path), counties=national)
        if new_areas:
            progress(f"registrerar {new_areas} nya {system.code}-områden")
        result = micro.cells_build(scanned, areas=areas, min_cell=min_cell, source=str(path), progress=progress)
        batch = batch_create(
            kind=ImportBatch.Kind.MICRODATA, source_name=str(path), user=user,
            options={"code_system": system.code, "min_cell": min_cell, "rows": result.rows, "new_areas": new_areas,
                     "national": national,
                     "primary_suppressed": result.primary_suppressed, "secondary_suppressed": result.secondary_suppressed},
            rule=rule,
        )
        rows = _microdata_rows(result, system, rule)
        try:
            outcome = observations_write(rows, batch=batch, user=user, progress=progress)
        except ImportFileError as exc:  # a figure outside its indicator's range
            raise micro.MicrodataError(str(exc)) from exc
        return batch_finish(batch, outcome, dry_run=dry_run), result


def _microdata_areas(
    system: CodeSystem, codes: list[str], source: str, *, counties: bool,
) -> tuple[dict[str, micro.AreaInfo], int]:
    resolver = AreaResolver()
    bad, known = [], {}
    for code in codes:
        area = resolver.area(code, system)
        if area is None:
            bad.append(code)
        else:
            known[code] = area.pk
    if bad:
        shown = ", ".join(bad[:10]) + (" …" if len(bad) > 10 else "")
        raise micro.MicrodataError(
            f"{source}: {len(bad)} area code(s) are not {system.code} codes of a known municipality: {shown}"
        )
    members = defaultdict(list)
    for district_id, area_id in DistrictArea.objects.filter(area__code_system=system).values_list("district_id", "area_id"):
        members[area_id].append(str(district_id))
    where = {
        a.pk: (a.municipality.code, a.municipality.county.code)
        for a in StatisticalArea.objects.filter(pk__in=known.values()).select_related("municipality__county")
    }
    return {
        code: micro.AreaInfo(where[pk][0], tuple(members.get(pk, ())), county=where[pk][1] if counties else None)
        for code, pk in known.items()
    }, resolver.registered


def _microdata_rows(result: micro.AggregateResult, system: CodeSystem, rule: ExclusionRule) -> list[NewObservation]:
    indicators = {i.code: i.pk for i in Indicator.objects.filter(code__in=result.indicators)}
    missing = set(result.indicators) - set(indicators)
    if missing:
        raise micro.MicrodataError(f"the catalogue lacks {', '.join(sorted(missing))}; load the seeds")
    areas = {a.code: a for a in StatisticalArea.objects.filter(code_system=system)}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    counties = {c.code: c for c in County.objects.all()}
    units: dict[tuple[str, str], Unit] = {}

    def unit(level: str, code: str) -> Unit:
        if (level, code) not in units:
            if level == "area":
                units[(level, code)] = unit_for_area(areas[code], system.code)
            elif level == "district":
                units[(level, code)] = unit_for_district(int(code))
            elif level == "county":
                units[(level, code)] = unit_for_county(counties[code])
            elif level == "country":
                units[(level, code)] = COUNTRY
            else:
                units[(level, code)] = unit_for_municipality(municipalities[code])
        return units[(level, code)]

    def clean(x: float) -> float | None:
        return None if x != x else float(x)  # NaN → None

    rows = []
    for cell in result.cells.itertuples(index=False):
        rows.append(NewObservation(
            indicators[cell.indicator], unit(cell.level, cell.unit), int(cell.period), cell.sex, clean(cell.value),
            clean(cell.numerator), clean(cell.denominator), cell.status,
            rule_id=rule.pk if cell.indicator == micro.EXCLUSION_CODE else None,
        ))
    return rows
