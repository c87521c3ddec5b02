"""Writes of the statistics: the catalogue, imports, microdata aggregation and crosswalks.

Every import runs in one transaction: a file either goes in whole or leaves nothing behind. An
observation that already exists with the same figures is left alone (so the same file twice
writes nothing); a changed figure is updated and simple-history keeps the earlier one together
with the import that set it.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import get_valid_filename
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from stadsdel.accounts.scoping import scope_for
from stadsdel.areas.models import (
    CodeSystem,
    County,
    Crosswalk,
    CrosswalkLink,
    DistrictArea,
    Municipality,
    StatisticalArea,
)
from stadsdel.indicators.importers.base import ImportFileError, ParsedRow, Problem
from stadsdel.indicators.models import ExclusionRule, ImportBatch, Indicator, Level, Observation
from stadsdel.indicators.selectors import code_level
from stadsdel.lib import microdata as micro

Progress = Callable[[str], None]
_FIELDS = ("value", "numerator", "denominator", "status", "rule_id", "crosswalk_id")
COUNTRY_KEY = "country:SE"


def _quiet(_msg: str) -> None:
    pass


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _user_name(user) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return user.get_username()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - containers without a passwd entry
        return ""


# -- the catalogue -------------------------------------------------------------------------

def catalogue_sync(data: dict[str, Any], *, sync: Callable) -> None:
    """Load the indicator catalogue and the exclusion rules from the seed file's data.

    `sync(model, lookup, values)` is the seed loader's create-or-update helper, so a reload
    writes nothing. A rule version's parameters never change once written: a different rule is
    a new version.
    """
    for position, entry in enumerate(data["indicators"]):
        if "value_min" not in entry or "value_max" not in entry:
            # Every figure imported is checked against it, so it is stated, never assumed.
            raise ValueError(
                f"indicators.json: {entry['code']} lacks its valid range (value_min, value_max; null for none)"
            )
        values = {k: v for k, v in entry.items() if k != "code"}
        values["position"] = position
        values.setdefault("catalogue_note", "")
        sync(Indicator, {"code": entry["code"]}, values)
    for entry in data["rules"]:
        lookup = {"target": entry["target"], "name": entry["name"], "version": entry["version"]}
        existing = ExclusionRule.objects.filter(**lookup).first()
        if existing is not None and existing.parameters != entry["parameters"]:
            raise ValueError(
                f"indicators.json: rule {entry['name']} v{entry['version']} already exists with other "
                "parameters; a changed rule must be a new version"
            )
        if entry["target"] == ExclusionRule.Target.INDIVIDUAL:
            micro.IndividualRule.from_parameters(entry["parameters"])
        sync(ExclusionRule, lookup, {
            "parameters": entry["parameters"], "description": entry.get("description", ""),
            "active": entry.get("active", False),
        })


def rule_active(target: str) -> ExclusionRule:
    rule = ExclusionRule.objects.filter(target=target, active=True).order_by("-version").first()
    if rule is None:
        raise ValueError(f"no active {target} exclusion rule; load the seeds (stadsdel seeds load)")
    return rule


# -- units ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """A resolved unit of an observation: its level, its key and the row it points to."""

    level: str
    key: str
    statistical_area_id: int | None = None
    district_id: int | None = None
    municipality_id: int | None = None
    county_id: int | None = None


def unit_for_area(area: StatisticalArea, system_code: str) -> Unit:
    return Unit(Level.AREA, f"area:{system_code}:{area.code}", statistical_area_id=area.pk)


def unit_for_district(district_id: int) -> Unit:
    return Unit(Level.DISTRICT, f"district:{district_id}", district_id=district_id)


def unit_for_municipality(municipality: Municipality) -> Unit:
    return Unit(Level.MUNICIPALITY, f"municipality:{municipality.code}", municipality_id=municipality.pk)


def unit_for_county(county: County) -> Unit:
    return Unit(Level.COUNTY, f"county:{county.code}", county_id=county.pk)


COUNTRY = Unit(Level.COUNTRY, COUNTRY_KEY)


class UnitResolver:
    """Turns the area codes written in files into units, from one read of the registry.

    SAMS (8 digits), DeSO and RegSO codes name statistical areas; 4 digits a municipality; 2
    digits a county; "SE", "00" and Kolada's "0000" the country; Kolada's "0001"–"0025" are the
    regions (county codes 01–25). A statistical-area code that fits exactly one national code
    system and starts with a known municipality's code is registered when first seen: SCB's
    areas are public geography, and a file for a municipality covers all of them, not only
    those in districts. Must run inside the import's transaction, so a refused file leaves no
    new areas behind.
    """

    def __init__(self) -> None:
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.counties = {c.code: c for c in County.objects.all()}
        self.systems = [s for s in CodeSystem.objects.filter(municipality_specific=False) if s.code_pattern]
        self.areas: dict[str, tuple[StatisticalArea, str]] = {}
        for area in StatisticalArea.objects.select_related("code_system").filter(code_system__municipality_specific=False):
            self.areas[area.code] = (area, area.code_system.code)
        self.registered = 0

    def area(self, code: str, system: CodeSystem | None = None) -> Unit | None:
        if code in self.areas:
            area, system_code = self.areas[code]
            return unit_for_area(area, system_code) if system is None or system.code == system_code else None
        candidates = [system] if system is not None else self.systems
        matches = [s for s in candidates if re.fullmatch(s.code_pattern, code)]
        if len(matches) != 1 or code[:4] not in self.municipalities:
            return None
        area = StatisticalArea.objects.create(code_system=matches[0], code=code, municipality=self.municipalities[code[:4]])
        self.areas[code] = (area, matches[0].code)
        self.registered += 1
        return unit_for_area(area, matches[0].code)

    def resolve(self, code: str, *, kolada: bool = False) -> Unit | None:
        code = code.strip()
        if kolada and code == "0000":
            return COUNTRY
        if kolada and re.fullmatch(r"00\d\d", code):
            county = self.counties.get(code[2:])
            return unit_for_county(county) if county else None
        # The same rule `stats show --area` reads back by.
        level = code_level(code)
        if level == Level.COUNTRY:
            return COUNTRY
        if level == Level.MUNICIPALITY:
            municipality = self.municipalities.get(code)
            return unit_for_municipality(municipality) if municipality else None
        if level == Level.COUNTY:
            county = self.counties.get(code)
            return unit_for_county(county) if county else None
        return self.area(code)


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


@dataclass
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


def observations_write(
    rows: list[NewObservation], *, batch: ImportBatch, user=None, progress: Progress = _quiet,
) -> WriteOutcome:
    """Create or update observations from `rows` under `batch` (inside the caller's transaction).

    Unchanged figures are not touched, so their `batch` stays the import that first gave them.
    """
    outcome = WriteOutcome()
    if not rows:
        return outcome
    _ranges_check(rows, source=batch.source_name)
    indicator_ids = {r.indicator_id for r in rows}
    periods = {r.period for r in rows}
    levels = {r.unit.level for r in rows}
    existing = {
        (o.indicator_id, o.unit_key, o.period, o.sex): o
        for o in Observation.objects.filter(indicator_id__in=indicator_ids, period__in=periods, level__in=levels)
    }
    to_create, to_update = [], []
    for row in rows:
        current = existing.get(row.key())
        values = {
            "value": row.value, "numerator": row.numerator, "denominator": row.denominator, "status": row.status,
            "rule_id": row.rule_id, "crosswalk_id": row.crosswalk_id,
        }
        if current is None:
            to_create.append(Observation(
                indicator_id=row.indicator_id, level=row.unit.level, unit_key=row.unit.key,
                statistical_area_id=row.unit.statistical_area_id, district_id=row.unit.district_id,
                municipality_id=row.unit.municipality_id, county_id=row.unit.county_id,
                period=row.period, sex=row.sex, batch=batch, **values,
            ))
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            current.batch = batch
            to_update.append(current)
        else:
            outcome.unchanged += 1
    history_user = user if getattr(user, "is_authenticated", False) else None
    if to_create:
        progress(f"skapar {len(to_create)} observationer")
        bulk_create_with_history(to_create, Observation, batch_size=2000, default_user=history_user,
                                 default_change_reason=f"import {batch.pk}")
    if to_update:
        progress(f"uppdaterar {len(to_update)} observationer")
        bulk_update_with_history(to_update, Observation, [*_FIELDS, "batch"], batch_size=2000,
                                 default_user=history_user, default_change_reason=f"import {batch.pk}")
    outcome.created, outcome.updated = len(to_create), len(to_update)
    return outcome


def _batch_finish(batch: ImportBatch, outcome: WriteOutcome, *, dry_run: bool) -> WriteOutcome:
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


# -- file imports --------------------------------------------------------------------------

FORMATS = ("csv", "xlsx", "pxweb", "kolada")
# An upload through the web (page or API) is copied to a temporary file first; larger files go
# through the command line. Both are read within the import limits (STADSDEL_IMPORT_MAX_*).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _parse(path: Path, fmt: str, indicator: str | None, content: str | None = None) -> list[ParsedRow]:
    from stadsdel.indicators.importers import kolada, pxweb, tabular

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
        key = (ind.pk, unit.key, row.period, row.sex)
        if key in seen:
            problems.append(Problem(row.location, f"samma indikator, område, år och kön som {seen[key]}"))
            continue
        seen[key] = row.location
        value = row.value
        if value is None and row.status in ("ok", "provisional") and row.numerator is not None and row.denominator:
            value = ind.scale * row.numerator / row.denominator
        if row.status == "suppressed":
            result.append(NewObservation(ind.pk, unit, row.period, row.sex, None, None, None, "suppressed"))
            continue
        faults = range_problems(ind, value, row.numerator, row.denominator)
        if faults:
            problems.extend(Problem(row.location, message) for message in faults)
            continue
        status = row.status if value is not None or row.status != "ok" else "missing"
        result.append(NewObservation(ind.pk, unit, row.period, row.sex, value, row.numerator, row.denominator, status))
    if problems:
        raise ImportFileError(file_name, problems)
    return result


def observations_import(
    *, path: Path, fmt: str, indicator: str | None = None, content: str | None = None, user=None,
    dry_run: bool = False, progress: Progress = _quiet, source_name: str | None = None,
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
        batch = ImportBatch.objects.create(
            kind=fmt, source_name=name, file_sha256=file_sha256(path),
            options={k: v for k, v in {"indicator": indicator, "content": content}.items() if v},
            created_by=user if getattr(user, "is_authenticated", False) else None, created_by_name=_user_name(user),
        )
        outcome = observations_write(rows, batch=batch, user=user, progress=progress)
        aggregated = aggregates_refresh(
            indicator_ids={r.indicator_id for r in rows if r.unit.level == Level.AREA},
            periods={r.period for r in rows if r.unit.level == Level.AREA},
            batch=batch, user=user, progress=progress,
        )
        outcome.created += aggregated.created
        outcome.updated += aggregated.updated
        return _batch_finish(batch, outcome, dry_run=dry_run)


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


# -- aggregation of area rows to districts and municipalities ------------------------------

def _district_memberships() -> dict[int, list[int]]:
    """District id → statistical area ids, for every district with areas."""
    result: dict[int, list[int]] = defaultdict(list)
    for district_id, area_id in DistrictArea.objects.values_list("district_id", "area_id"):
        result[district_id].append(area_id)
    return result


def aggregates_refresh(
    *, indicator_ids: Iterable[int], periods: Iterable[int], batch: ImportBatch, user=None, progress: Progress = _quiet,
) -> WriteOutcome:
    """Recompute district figures from their areas' numerators and denominators.

    A district gets a figure only when every one of its areas has one with numerator and
    denominator: a sum over part of a district would be a different district. Rates are
    Σnumerator / Σdenominator, never a mean of the areas' rates.
    """
    indicator_ids, periods = set(indicator_ids), set(periods)
    if not indicator_ids or not periods:
        return WriteOutcome()
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=indicator_ids)}
    area_rows = defaultdict(dict)  # (indicator, period, sex) -> area id -> (num, den, status, crosswalk)
    for o in Observation.objects.filter(indicator_id__in=indicator_ids, period__in=periods, level=Level.AREA).values(
        "indicator_id", "period", "sex", "statistical_area_id", "numerator", "denominator", "status", "crosswalk_id",
    ):
        area_rows[(o["indicator_id"], o["period"], o["sex"])][o["statistical_area_id"]] = o
    rows: list[NewObservation] = []
    for district_id, area_ids in _district_memberships().items():
        for (indicator_id, period, sex), by_area in area_rows.items():
            parts = [by_area.get(a) for a in area_ids]
            if not any(parts):
                continue
            if any(p is None or p["numerator"] is None or not p["denominator"] or p["status"] == "suppressed" for p in parts):
                continue
            num = sum(p["numerator"] for p in parts)
            den = sum(p["denominator"] for p in parts)
            status = "provisional" if any(p["status"] == "provisional" for p in parts) else "ok"
            crosswalks = {p["crosswalk_id"] for p in parts if p["crosswalk_id"]}
            rows.append(NewObservation(
                indicator_id, unit_for_district(district_id), period, sex, indicators[indicator_id].scale * num / den,
                num, den, status, crosswalk_id=min(crosswalks) if crosswalks else None,
            ))
    if rows:
        progress(f"summerar {len(rows)} stadsdelsvärden från områdena")
    return observations_write(rows, batch=batch, user=user, progress=progress)


# -- microdata -----------------------------------------------------------------------------

def microdata_aggregate(
    *, path: Path, code_system: str, min_cell: int = 5, user=None, dry_run: bool = False,
    rule: ExclusionRule | None = None, national: bool = False, progress: Progress = _quiet,
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
        batch = ImportBatch.objects.create(
            kind=ImportBatch.Kind.MICRODATA, source_name=str(path),
            options={"code_system": system.code, "min_cell": min_cell, "rows": result.rows, "new_areas": new_areas,
                     "national": national,
                     "primary_suppressed": result.primary_suppressed, "secondary_suppressed": result.secondary_suppressed},
            created_by=user if getattr(user, "is_authenticated", False) else None, created_by_name=_user_name(user),
            rule=rule,
        )
        rows = _microdata_rows(result, system, rule)
        try:
            outcome = observations_write(rows, batch=batch, user=user, progress=progress)
        except ImportFileError as exc:  # a figure outside its indicator's range
            raise micro.MicrodataError(str(exc)) from exc
        return _batch_finish(batch, outcome, dry_run=dry_run), result


def _microdata_areas(
    system: CodeSystem, codes: list[str], source: str, *, counties: bool,
) -> tuple[dict[str, micro.AreaInfo], int]:
    resolver = UnitResolver()
    bad, known = [], {}
    for code in codes:
        unit = resolver.area(code, system)
        if unit is None:
            bad.append(code)
        else:
            known[code] = unit.statistical_area_id
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


# -- crosswalks ----------------------------------------------------------------------------

def _system_for(code: str, systems: list[CodeSystem]) -> CodeSystem | None:
    matches = [s for s in systems if s.code_pattern and not s.municipality_specific and re.fullmatch(s.code_pattern, code)]
    return matches[0] if len(matches) == 1 else None


def crosswalk_load(*, path: Path, user=None, dry_run: bool = False, progress: Progress = _quiet) -> tuple[Crosswalk | None, WriteOutcome]:
    """Load a `from_code,to_code,weight` crosswalk and map the from-system's area counts onto the
    to-system's areas (and from there to districts). Mapped figures name the crosswalk."""
    import csv

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
        resolver = UnitResolver()
        areas = {}
        for from_code, to_code, _w in links:
            for system, code in ((from_system, from_code), (to_system, to_code)):
                areas[(system.pk, code)] = resolver.area(code, system).statistical_area_id
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
        batch = ImportBatch.objects.create(
            kind=ImportBatch.Kind.CROSSWALK, source_name=name, file_sha256=crosswalk.file_sha256,
            options={"crosswalk": crosswalk.pk}, created_by=user if getattr(user, "is_authenticated", False) else None,
            created_by_name=_user_name(user),
        )
        outcome = crosswalk_apply(crosswalk=crosswalk, batch=batch, user=user, progress=progress)
        if dry_run:
            transaction.set_rollback(True)
            outcome.dry_run = True
            return None, outcome
        if not outcome.changed:
            batch.delete()
        else:
            _batch_finish(batch, outcome, dry_run=False)
        return crosswalk, outcome


def crosswalk_apply(*, crosswalk: Crosswalk, batch: ImportBatch, user=None, progress: Progress = _quiet) -> WriteOutcome:
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
    for o in Observation.objects.filter(level=Level.AREA, statistical_area__code_system=crosswalk.from_system).values(
        "indicator_id", "period", "sex", "statistical_area_id", "numerator", "denominator", "status",
    ):
        from_obs[(o["indicator_id"], o["period"], o["sex"])][o["statistical_area_id"]] = o
    measured = set(
        Observation.objects.filter(level=Level.AREA, statistical_area__code_system=crosswalk.to_system, crosswalk__isnull=True)
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

