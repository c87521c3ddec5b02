"""Writes of the area registry: statistical areas registered from the codes files use, and
area, municipality and county boundaries from GeoJSON files (the product ships the outlines of
all municipalities, `data/swedish_municipalities.geojson`; see `data/README.md`).

A boundary file goes in whole or not at all: it is read and checked completely before anything
is written, its codes are resolved inside one transaction, and a refused file leaves neither
boundaries nor newly registered areas behind. A boundary whose geometry is already stored is
left alone (its source stays the file that first gave it), so the same file twice writes
nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from stadsdel.areas.models import (
    AreaBoundary,
    CodeSystem,
    County,
    CountyBoundary,
    Municipality,
    MunicipalityBoundary,
    StatisticalArea,
)
from stadsdel.core.files import file_sha256
from stadsdel.core.progress import Progress, quiet
from stadsdel.lib.geojson import GeoJSONError, boundaries_read

UNKNOWN_LISTED = 10


class AreaResolver:
    """Turns statistical-area codes into the registry's areas, from one read of the registry.

    SAMS (8 digits), DeSO and RegSO codes are unique nationally. A code that fits exactly one
    national code system and starts with a known municipality's code is registered when first
    seen: SCB's areas are public geography, and a file for a municipality covers all of them,
    not only those in districts. Must run inside the loader's transaction, so a refused file
    leaves no new areas behind.
    """

    def __init__(self) -> None:
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.systems = [s for s in CodeSystem.objects.filter(municipality_specific=False) if s.code_pattern]
        self.areas: dict[str, StatisticalArea] = {
            area.code: area
            for area in StatisticalArea.objects.select_related("code_system").filter(
                code_system__municipality_specific=False)
        }
        self.registered = 0

    def area(self, code: str, system: CodeSystem | None = None) -> StatisticalArea | None:
        """The area with this code (in `system`, if given), registered if new; None when the code
        is not an area of a known municipality."""
        if code in self.areas:
            area = self.areas[code]
            return area if system is None or system.code == area.code_system.code else None
        candidates = [system] if system is not None else self.systems
        matches = [s for s in candidates if re.fullmatch(s.code_pattern, code)]
        if len(matches) != 1 or code[:4] not in self.municipalities:
            return None
        return self.areas_many([code], system)[code]

    def areas_many(self, codes, system: CodeSystem | None = None) -> dict[str, StatisticalArea | None]:
        """`area` for many codes at once: the new ones are registered together, in one
        insert (with their history rows), not one at a time; a national file brings thousands."""
        result: dict[str, StatisticalArea | None] = {}
        new: list[StatisticalArea] = []
        candidates = [system] if system is not None else self.systems
        patterns = [(s, re.compile(s.code_pattern)) for s in candidates]
        for code in codes:
            if code in result:
                continue
            if code in self.areas:
                area = self.areas[code]
                result[code] = area if system is None or system.code == area.code_system.code else None
                continue
            matches = [s for s, pattern in patterns if pattern.fullmatch(code)]
            if len(matches) != 1 or code[:4] not in self.municipalities:
                result[code] = None
                continue
            area = StatisticalArea(code_system=matches[0], code=code, municipality=self.municipalities[code[:4]])
            new.append(area)
            result[code] = area
        if new:
            created = bulk_create_with_history(new, StatisticalArea, batch_size=1000)
            by_code = {area.code: area for area in created}
            if any(area.pk is None for area in created):
                # A database that does not return the new ids from a bulk insert.
                by_code = {area.code: area for area in StatisticalArea.objects.select_related("code_system")
                           .filter(code__in=[a.code for a in new], code_system__in={a.code_system_id for a in new})}
            for area in new:
                stored = by_code[area.code]
                self.areas[area.code] = result[area.code] = stored
            self.registered += len(new)
        return result


@dataclass
class BoundaryOutcome:
    """What a boundary load did (or, for a dry run, would do)."""

    features: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    registered: int = 0  # areas new to the registry, of known municipalities
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.registered)

    def summary(self) -> str:
        would = "would " if self.dry_run else ""
        text = (f"{self.features} boundaries: {would}create {self.created}, {would}update {self.updated}, "
                f"unchanged {self.unchanged}; {would}register {self.registered} new areas")
        if not self.changed:
            text += " — nothing to write"
        return text


# The administrative units have their own tables, not code systems: a municipality or a county is
# identified by its official code (4 and 2 digits), never registered from a file, and its
# outline is the frame the statistical areas are drawn in. Swedish and English names are taken.
REGION_SYSTEMS = {"kommun": "municipality", "municipality": "municipality", "län": "county", "lan": "county",
                  "county": "county"}
REGION_NAMES = ("Kommun", "Län")


# Shipped with the product, so a fresh install draws Sweden: loaded by `stadsdel seeds load` and
# the demo. Its `id` is the municipality code.
MUNICIPALITY_OUTLINES = Path(__file__).resolve().parent / "data" / "swedish_municipalities.geojson"


def municipality_outlines_load(*, dry_run: bool = False, progress: Progress = quiet) -> BoundaryOutcome:
    """Load (or confirm) the shipped outlines of the 290 municipalities."""
    return boundaries_load(path=MUNICIPALITY_OUTLINES, code_system="Kommun", code_field="id", dry_run=dry_run,
                           progress=progress)


def _regions_load(*, path: Path, region: str, code_field: str, dry_run: bool, progress: Progress) -> BoundaryOutcome:
    """Municipality or county outlines: one feature per unit, the official code in
    `properties[code_field]`. Every code must be a municipality (county) in the registry; the
    file is refused whole, naming each feature whose code is not."""
    name = path.name
    model, unit_model, key = ((MunicipalityBoundary, Municipality, "municipality_id") if region == "municipality"
                              else (CountyBoundary, County, "county_id"))
    features = boundaries_read(path, code_field=code_field)
    progress(f"{name}: {len(features)} features, all valid")
    units = dict(unit_model.objects.values_list("code", "pk"))
    unknown = [f for f in features if f.code not in units]
    if unknown:
        label = "municipality" if region == "municipality" else "county"
        raise GeoJSONError(name, [f"{name}: features[{f.index}] ({f.code}): no {label} has this code" for f in unknown])
    sha = file_sha256(path)
    outcome = BoundaryOutcome(features=len(features), dry_run=dry_run)
    with transaction.atomic():
        existing = {getattr(b, key): b for b in model.objects.filter(**{f"{key}__in": units.values()})}
        to_create, to_update = [], []
        for feature in features:
            unit_id = units[feature.code]
            current = existing.get(unit_id)
            if current is None:
                to_create.append(model(**{key: unit_id}, geometry=feature.geometry, source=name, file_sha256=sha))
            elif current.geometry != feature.geometry:
                current.geometry, current.source, current.file_sha256 = feature.geometry, name, sha
                to_update.append(current)
        outcome.created, outcome.updated = len(to_create), len(to_update)
        outcome.unchanged = len(features) - len(to_create) - len(to_update)
        if dry_run:
            return outcome
        model.objects.bulk_create(to_create, batch_size=200)
        for boundary in to_update:
            boundary.save(update_fields=["geometry", "source", "file_sha256", "loaded_at"])
        progress(f"created {outcome.created}, updated {outcome.updated}, unchanged {outcome.unchanged}")
    return outcome


def boundaries_load(
    *, path: Path, code_system: str, code_field: str, user=None, dry_run: bool = False,
    progress: Progress = quiet,
) -> BoundaryOutcome:
    """Load one boundary per feature of a GeoJSON FeatureCollection into the areas of
    `code_system`, whose codes are in `properties[code_field]`.

    A code the registry lacks is registered when it fits the code system and starts with a
    known municipality's code, as a statistics import does (the file for a municipality covers
    all its areas, not only those in districts); any other unknown code refuses the file. An
    area's previous boundary is replaced. Raises GeoJSONError naming the file and the features.
    `user` is accepted for symmetry with the other loaders; boundaries keep no per-user history.
    """
    path = Path(path)
    name = path.name
    region = REGION_SYSTEMS.get(code_system.casefold())
    if region is not None:
        return _regions_load(path=path, region=region, code_field=code_field, dry_run=dry_run, progress=progress)
    system = CodeSystem.objects.filter(code=code_system).first()
    if system is None:
        known = ", ".join([*CodeSystem.objects.order_by("code").values_list("code", flat=True), *REGION_NAMES])
        raise GeoJSONError(name, [f"{name}: unknown code system {code_system!r} (known: {known})"])
    if system.municipality_specific:
        raise GeoJSONError(name, [
            f"{name}: {system.code} codes are only unique within a municipality; boundaries can only be "
            "loaded for a national code system (SAMS, DeSO, RegSO) or for municipalities (Kommun) and counties (Län)"
        ])
    features = boundaries_read(path, code_field=code_field)
    progress(f"{name}: {len(features)} features, all valid")
    sha = file_sha256(path)
    outcome = BoundaryOutcome(features=len(features), dry_run=dry_run)
    with transaction.atomic():
        resolver = AreaResolver()
        areas: dict[str, int] = {}
        unknown: list[str] = []
        found = resolver.areas_many([feature.code for feature in features], system)
        for feature in features:
            area = found[feature.code]
            if area is None:
                unknown.append(feature.code)
            else:
                areas[feature.code] = area.pk
        if unknown:
            shown = ", ".join(unknown[:UNKNOWN_LISTED]) + (f" … and {len(unknown) - UNKNOWN_LISTED} more"
                                                           if len(unknown) > UNKNOWN_LISTED else "")
            raise GeoJSONError(name, [
                f"{name}: {len(unknown)} codes are neither {system.code} areas in the registry nor {system.code} "
                f"codes of a known municipality: {shown}"
            ])
        outcome.registered = resolver.registered
        if resolver.registered:
            progress(f"registered {resolver.registered} new {system.code} areas of known municipalities")
        existing = {b.area_id: b for b in AreaBoundary.objects.filter(area_id__in=areas.values())}
        to_create, to_update = [], []
        for feature in features:
            area_id = areas[feature.code]
            current = existing.get(area_id)
            if current is None:
                to_create.append(AreaBoundary(area_id=area_id, geometry=feature.geometry, source=name, file_sha256=sha))
            elif current.geometry != feature.geometry:
                current.geometry, current.source, current.file_sha256 = feature.geometry, name, sha
                to_update.append(current)
        outcome.created, outcome.updated = len(to_create), len(to_update)
        outcome.unchanged = len(features) - len(to_create) - len(to_update)
        if dry_run:
            transaction.set_rollback(True)
            return outcome
        AreaBoundary.objects.bulk_create(to_create, batch_size=500)
        for boundary in to_update:
            boundary.save(update_fields=["geometry", "source", "file_sha256", "loaded_at"])
        progress(f"created {outcome.created}, updated {outcome.updated}, unchanged {outcome.unchanged}")
    return outcome
