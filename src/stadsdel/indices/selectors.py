"""Reads of the index app: index models, and index runs over the stored area statistics."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _

from stadsdel.areas.models import District, DistrictArea, StatisticalArea
from stadsdel.indicators.models import (
    ImportBatch,
    Indicator,
    Observation,
    area_unit_key,
    area_unit_keys_between,
)
from stadsdel.indices.models import IndexModel, IndexRunResult
from stadsdel.jobs.selectors import kept_get
from stadsdel.jobs.services import keep_newest
from stadsdel.lib.index import IndexInputError, IndexResult, index_compute, panel_from_frame
from stadsdel.lib.typology import DEFAULT_CUTOFFS, VARIABLES, TypologyError, typology_compute

LEVELS = ("district", "committee_area", "area")


class IndexModelNotFound(LookupError):
    """No index model of that name (and version)."""


class NoIndexFigures(IndexInputError):
    """The stored statistics hold no area figures the model can use (for the years asked)."""


def index_model_list(*, include_inactive: bool = False) -> QuerySet[IndexModel]:
    qs = IndexModel.objects.select_related("reference_municipality")
    return qs if include_inactive else qs.filter(active=True)


def index_model_get(*, name: str | None = None, version: int | None = None, pk: int | None = None) -> IndexModel:
    """A model by primary key, or by name (case-insensitive): the given version, else the
    active one."""
    qs = IndexModel.objects.select_related("reference_municipality")
    if pk is not None:
        model = qs.filter(pk=pk).first()
    elif name is not None:
        named = qs.filter(name__iexact=name.strip())
        model = named.filter(version=version).first() if version is not None else (
            named.filter(active=True).first() or named.order_by("-version").first()
        )
    else:
        model = qs.filter(active=True).order_by("pk").first()
    if model is None:
        what = f"{name!r}" + (f" v{version}" if version is not None else "") if name else "any"
        raise IndexModelNotFound(f"no index model {what}; the models are: "
                                 + (", ".join(str(m) for m in qs) or "none (run `stadsdel seeds load`)"))
    return model


def index_model_versions(*, model: IndexModel) -> QuerySet[IndexModel]:
    return IndexModel.objects.filter(name=model.name).order_by("-version")


@dataclass
class IndexRun:
    """An index model computed over the stored statistics: the result, which units it covers
    and what each unit is (a district or an area), the areas behind each unit, and the
    reference population's own index per year (100 every year, or 100 in the base year)."""

    model: IndexModel
    level: str
    code_system: str
    result: IndexResult
    districts: dict[str, District] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    reference_label: str = ""
    reference_total: list[float | None] = field(default_factory=list)
    without_data: list[str] = field(default_factory=list)
    # (year, unit): some indicator of the unit rests on part of its areas. Computed from the
    # result's per-indicator arrays while they are there; kept when they are dropped (`slim`).
    partial: np.ndarray | None = None

    @property
    def years(self) -> tuple[int, ...]:
        return self.result.years

    @property
    def is_slim(self) -> bool:
        """Whether the per-indicator arrays were dropped (a kept run): enough for the page, not
        for the sensitivity analysis."""
        return self.result.rates.size == 0 and len(self.result.units) > 0

    def coverage_partial(self) -> np.ndarray:
        """(year, unit) booleans: an indicator with a figure rests on part of the unit's areas."""
        if self.partial is None:
            rates, coverage = self.result.rates, self.result.coverage
            self.partial = np.where(np.isnan(rates), False, coverage < 1).any(axis=2)
        return self.partial

    def slim(self) -> IndexRun:
        """This run without what only the sensitivity analysis and the command line read (the
        rates, sub-indices, coverage, numerators and denominators per indicator: at national
        area level tens of megabytes), to be kept (`index_run_kept`)."""
        empty = np.empty((0,))
        result = dataclasses.replace(self.result, rates=empty, sub_indices=empty, coverage=empty, numerators=empty,
                                     denominators=empty)
        return dataclasses.replace(self, result=result, partial=self.coverage_partial())


def _indicator_ids(codes: Iterable[str]) -> dict[int, str]:
    """The catalogue's ids of the codes, each with its code."""
    return dict(Indicator.objects.filter(code__in=list(codes)).values_list("pk", "code"))


def _area_unit_keys(**area_filter) -> list[str]:
    """The unit keys of the statistical areas `area_filter` selects (one municipality's): its
    figures are asked for by them, so that the unique key's index (indicator, unit key, …) finds
    that municipality's figures instead of every figure of the indicators (the figures have no
    index by area; see Observation.Meta.indexes)."""
    return [area_unit_key(system, code) for system, code in
            StatisticalArea.objects.filter(**area_filter).values_list("code_system__code", "code")]


def _observation_frame(model: IndexModel, codes: list[str], years: set[int] | None) -> pd.DataFrame:
    # By indicator id, as in typology_run, and named by code afterwards (millions of rows at
    # national scale: no join for the name).
    ids = _indicator_ids(codes)
    qs = Observation.objects.filter(
        indicator_id__in=list(ids), sex=Observation.Sex.TOTAL,
        status__in=[Observation.Status.OK, Observation.Status.PROVISIONAL],
        numerator__isnull=False, denominator__isnull=False,
    )
    if years is not None:
        qs = qs.filter(period__in=years)
    if model.reference_municipality_id is not None:
        # The municipality's areas by unit key (only area figures have them), not by level:
        # asked for the level, SQLite took the (level, year) index and read every area figure.
        qs = qs.filter(unit_key__in=_area_unit_keys(municipality_id=model.reference_municipality_id),
                       statistical_area__municipality_id=model.reference_municipality_id)
    else:
        qs = qs.filter(**area_unit_keys_between())
    rows = qs.values_list(
        "statistical_area__code", "statistical_area__code_system__code", "period", "indicator_id",
        "numerator", "denominator",
    )
    frame = pd.DataFrame(list(rows), columns=["area", "code_system", "year", "indicator", "numerator", "denominator"])
    frame["indicator"] = frame["indicator"].map(ids)
    return frame


def _district_members(*, municipality_ids: Iterable[int], code_system: str, areas: set[str]) -> dict[int, list[str]]:
    """Each district's area codes in the code system, a committee area's including those of the
    districts nested in it."""
    own: dict[int, set[str]] = defaultdict(set)
    for district_id, code in DistrictArea.objects.filter(
        district__municipality_id__in=list(municipality_ids), area__code_system__code=code_system,
    ).values_list("district_id", "area__code"):
        if code in areas:
            own[district_id].add(code)
    districts = District.objects.filter(municipality_id__in=list(municipality_ids)).values_list("pk", "parent_id")
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in districts:
        if parent is not None:
            children[parent].append(pk)

    def collect(pk: int, seen: frozenset = frozenset()) -> set[str]:
        codes = set(own.get(pk, ()))
        for child in children.get(pk, ()):
            if child not in seen:
                codes |= collect(child, seen | {pk})
        return codes

    return {pk: sorted(collect(pk)) for pk, _parent in districts}


def _label(district: District, several_municipalities: bool) -> str:
    # One run holds one kind of district, so a committee area and its district of the same name
    # (Skärholmen) never meet in one table.
    return f"{district.name}, {district.municipality.name}" if several_municipalities else district.name


def index_run(
    *, model: IndexModel, years: Iterable[int] | None = None, level: str = "district", code_system: str | None = None,
) -> IndexRun:
    """Compute a model over the stored area statistics (sex total, figures with numerator and
    denominator).

    The reference population is the model's municipality's areas (or every area with data).
    One code system is used — the one with the most figures unless named — because SAMS and
    DeSO areas of the same place would otherwise be counted twice. Units are districts,
    district committee areas (their districts' areas together) or the areas themselves.
    """
    if level not in LEVELS:
        raise IndexInputError(f"unknown level {level!r}; use {', '.join(LEVELS)}")
    spec = model.spec()
    wanted = set(years) if years is not None else None
    needed = None if wanted is None else wanted | ({spec.base_year} if spec.base_year is not None else set())
    frame = _observation_frame(model, spec.codes, needed)
    if frame.empty:
        where = model.reference_municipality.name if model.reference_municipality else "any area"
        raise NoIndexFigures(f"{model}: there are no area figures for its indicators in {where}"
                              + (f" in {', '.join(map(str, sorted(needed)))}" if needed else ""))
    systems = frame["code_system"].value_counts().to_dict()  # not a Counter: a million rows at national scale
    if code_system is None:
        candidates = list(systems)
        if level != "area":
            # Districts are made of areas of the systems they were drawn in (SAMS in Stockholm);
            # the country's DeSO figures, more numerous, would leave them without any.
            with_districts = DistrictArea.objects.filter(area__code_system__code__in=candidates)
            if model.reference_municipality_id is not None:
                with_districts = with_districts.filter(district__municipality_id=model.reference_municipality_id)
            candidates = sorted(set(with_districts.values_list("area__code_system__code", flat=True))) or candidates
        code_system = sorted(candidates, key=lambda s: (-systems[s], s))[0]
    elif code_system not in systems:
        raise IndexInputError(f"{model}: no area figures in the code system {code_system!r}")
    frame = frame[frame["code_system"] == code_system].drop(columns="code_system")
    protective = {i.code for d in spec.domains for i in d.indicators if i.orientation == "protective"}
    panel = panel_from_frame(frame, source=f"{model}: stored statistics", protective=protective)
    if wanted is not None:
        missing = sorted(wanted - set(panel.years))
        if missing:
            raise NoIndexFigures(f"{model}: no area figures for {', '.join(map(str, missing))}; "
                                  f"years with figures: {', '.join(map(str, panel.years))}")

    run = IndexRun(model=model, level=level, code_system=code_system, result=None)  # type: ignore[arg-type]
    groups = None
    if level != "area":
        municipality_ids = (
            [model.reference_municipality_id] if model.reference_municipality_id is not None else
            list(District.objects.filter(areas__code__in=panel.areas).values_list("municipality_id", flat=True).distinct())
        )
        members = _district_members(municipality_ids=municipality_ids, code_system=code_system, areas=set(panel.areas))
        kind = District.Kind.DISTRICT if level == "district" else District.Kind.COMMITTEE_AREA
        districts = District.objects.filter(pk__in=members, kind=kind).select_related("municipality")
        several = len({d.municipality_id for d in districts}) > 1
        groups = {}
        for district in sorted(districts, key=lambda d: (d.municipality.name, d.name)):
            label = _label(district, several)
            if members[district.pk]:
                groups[label] = members[district.pk]
                run.districts[label] = district
            else:
                run.without_data.append(label)
        if not groups:
            raise IndexInputError(f"{model}: no {kind.label} has areas with figures in {code_system}")
        run.members = groups
    else:
        run.members = {a: [a] for a in panel.areas}
    run.result = index_compute(spec, panel, groups=groups, years=sorted(wanted) if wanted is not None else None)
    whole = index_compute(spec, panel, groups={"reference": list(panel.areas)},
                          years=sorted(wanted) if wanted is not None else None)
    run.reference_label = model.reference_municipality.name if model.reference_municipality else _("all areas")
    run.reference_total = [None if np.isnan(v) else float(v) for v in whole.total[:, 0]]
    return run


def _run_key(model: IndexModel, level: str) -> str:
    return f"{model.pk}:{level}"


def index_run_kept(*, model: IndexModel, level: str, data_version: int) -> IndexRun:
    """The model's run at `level` over every year, as `index_run` computes it, kept per model
    version and level at `data_version` (`IndexRunResult`), which must have been read before the
    figures: a kept run is never newer than its label, and any change of the figures, the
    districts' areas or the models counts the data version up, so it is never shown stale. A kept
    run comes back slim (`IndexRun.slim`); a computed one whole."""
    run = index_run_kept_get(model=model, level=level, data_version=data_version)
    return run if run is not None else index_run_keep(model=model, level=level, data_version=data_version)


def index_run_kept_get(*, model: IndexModel, level: str, data_version: int) -> IndexRun | None:
    """The run `index_run_kept` keeps, when one is kept at `data_version`; else None."""
    run = kept_get(IndexRunResult, lookup={"key": _run_key(model, level)}, data_version=data_version)
    if run is not None:
        run.model = model
        # Named in the reader's language, not the language of whoever computed it.
        run.reference_label = model.reference_municipality.name if model.reference_municipality else _("all areas")
    return run


def index_run_keep(*, model: IndexModel, level: str, data_version: int) -> IndexRun:
    """Compute the run `index_run_kept` keeps, and keep it at `data_version`."""
    t0 = time.perf_counter()
    run = index_run(model=model, level=level)
    keep_newest(IndexRunResult, lookup={"key": _run_key(model, level)}, versions={"data_version": data_version},
                payload=IndexRunResult.pack(run.slim()), seconds=time.perf_counter() - t0,
                values={"model_id": model.pk})
    return run


def index_runs_stale(*, data_version: int) -> list[IndexRunResult]:
    """The kept runs computed from older data than `data_version`, the slowest first: the
    background recomputation after a change (`followup.precompute.recompute_all`) has them
    ready again before a reader asks."""
    return list(IndexRunResult.objects.filter(data_version__lt=data_version).select_related(
        "model__reference_municipality").defer("payload").order_by("-seconds", "key"))


def index_run_recompute(row: IndexRunResult, *, data_version: int) -> None:
    """Compute the kept run of `row` again at `data_version`; a run that can no longer be
    computed (its figures gone) is forgotten."""
    level = row.key.split(":", 1)[1]
    try:
        index_run_kept(model=row.model, level=level, data_version=data_version)
    except IndexInputError:
        IndexRunResult.objects.filter(pk=row.pk, data_version__lt=data_version).delete()


# A kept run that took longer than this to compute is left to the background recomputation
# after a change, while a worker is at it; a quicker one is computed in the request.
WAIT_FOR_WORKER_SECONDS = 1.0


def index_run_slow_and_stale(*, model: IndexModel, level: str, data_version: int) -> bool:
    """Whether the model's run at `level` was kept, took long to compute, and is older than
    `data_version` (so a reader would wait for it). Asked only when no run is kept at
    `data_version` (`index_run_kept_get`): a page with its run kept reads it and nothing more."""
    return IndexRunResult.objects.filter(key=_run_key(model, level), data_version__lt=data_version,
                                         seconds__gt=WAIT_FOR_WORKER_SECONDS).exists()


# -- area typology ------------------------------------------------------------------------------

@dataclass
class TypologyRun:
    """SCB's socio-economic area types for the areas of one year (and code system), with each
    area's municipality (`area_names`, by code), its own name where it has one (`area_titles`:
    DeSO areas have none) and its districts, so a page can say where it lies."""

    year: int
    years: list[int]
    code_system: str
    municipality: str | None
    result: object  # lib.typology.TypologyResult
    area_names: dict[str, str] = field(default_factory=dict)
    area_districts: dict[str, list[str]] = field(default_factory=dict)
    area_titles: dict[str, str] = field(default_factory=dict)


def typology_run(
    *, year: int | None = None, municipality: str | None = None, code_system: str | None = None,
    cutoffs=None, ddof: int = 1,
) -> TypologyRun:
    """Classify the areas with V1–V3 figures in `year` (default: the latest year with all
    three), across the country or within one municipality (`municipality` code): a local
    typology is relative to that municipality's own mean."""
    # The indicators by id, not by a join on their codes: so the database reads their figures
    # through the figures' unique index (indicator first) instead of scanning every figure.
    qs = Observation.objects.filter(
        indicator_id__in=list(_indicator_ids(VARIABLES.values())), sex=Observation.Sex.TOTAL,
        status__in=[Observation.Status.OK, Observation.Status.PROVISIONAL], value__isnull=False,
    )
    if municipality:
        # By unit key, not by level, as in `_observation_frame`.
        qs = qs.filter(unit_key__in=_area_unit_keys(municipality__code=municipality),
                       statistical_area__municipality__code=municipality)
    else:
        qs = qs.filter(**area_unit_keys_between())
    # Which code system and years have figures, counted in the database; then only the chosen
    # year's figures are read (at national scale one year of 6 000 areas, not all twenty).
    counts = list(qs.order_by().values_list("statistical_area__code_system__code", "period")
                  .annotate(n=Count("pk"), variables=Count("indicator", distinct=True)))
    if not counts:
        raise NoIndexFigures(
            "no area figures for the typology's variables ("
            + ", ".join(VARIABLES.values()) + ")" + (f" in municipality {municipality}" if municipality else "")
        )
    systems: Counter = Counter()
    for system, _period, n, _variables in counts:
        systems[system] += n
    if code_system is None:
        code_system = sorted(systems, key=lambda s: (-systems[s], s))[0]
    years = sorted(int(period) for system, period, _n, variables in counts
                   if system == code_system and variables == len(VARIABLES))
    if not years:
        raise NoIndexFigures(f"no year has figures for all three variables in {code_system}")
    if year is None:
        year = years[-1]
    elif year not in years:
        raise NoIndexFigures(f"no figures for all three variables in {year}; years: {', '.join(map(str, years))}")
    rows = pd.DataFrame(list(qs.filter(statistical_area__code_system__code=code_system, period=year).values_list(
        "statistical_area__code", "statistical_area__municipality__name", "statistical_area__name", "indicator__code",
        "value",
    )), columns=["area", "municipality", "title", "indicator", "value"])
    wide = rows.pivot_table(index="area", columns="indicator", values="value", aggfunc="first")
    frame = pd.DataFrame({"area": wide.index})
    for key, code in VARIABLES.items():
        frame[key] = wide[code].to_numpy() if code in wide.columns else np.nan
    try:
        result = typology_compute(frame, cutoffs=cutoffs or DEFAULT_CUTOFFS, ddof=ddof)
    except TypologyError as exc:
        raise IndexInputError(str(exc)) from exc
    names = dict(zip(rows["area"], rows["municipality"], strict=True))
    titles = {area: title.strip() for area, title in zip(rows["area"], rows["title"], strict=True) if title.strip()}
    districts: dict[str, list[str]] = defaultdict(list)
    for code, name in DistrictArea.objects.filter(
        area__code_system__code=code_system, area__code__in=list(frame["area"]), district__kind=District.Kind.DISTRICT,
    ).values_list("area__code", "district__name").order_by("district__name"):
        districts[code].append(name)
    return TypologyRun(year=year, years=years, code_system=code_system, municipality=municipality, result=result,
                       area_names=names, area_districts=dict(districts), area_titles=titles)


# -- similar districts (the indicator explorer's comparison groups) -----------------------------

SIMILAR_BY = ("area_type", "risk_band")
RISK_BANDS = 5  # quintiles of the districts' total index


@dataclass
class SimilarDistricts:
    """The districts like one district by one measure, the district itself first, and what
    made them alike (shown on the page beside the group)."""

    district: District
    by: str
    districts: list[District]
    description: str


def _dominant_type(types: list[int]) -> int | None:
    # The area type most of the district's classified areas have; a tie goes to the lower
    # (more deprived) type, so a district half of type 1 counts among the most deprived.
    if not types:
        return None
    counts = Counter(types)
    return min(counts, key=lambda t: (-counts[t], t))


# The groups are computed over every district at once and kept until the figures, the districts'
# areas or the index models change (a new import, a changed definition, a new model version): a
# national typology or index run costs seconds, a cached view a few queries.
SIMILAR_CACHE_SECONDS = 6 * 3600


def _similar_version() -> str:
    batches = ImportBatch.objects.aggregate(last=Max("pk"), n=Count("pk"))
    areas = DistrictArea.objects.aggregate(last=Max("pk"), n=Count("pk"))
    models = IndexModel.objects.filter(active=True).aggregate(last=Max("pk"), n=Count("pk"))
    return "-".join(str(v) for v in (*batches.values(), *areas.values(), *models.values()))


def _similar_groups(by: str) -> tuple[dict[int, int], dict]:
    """Each district's group by the measure (district id → area type, or → risk band) and the
    facts the description names (year, code system or model)."""
    key = f"similar-districts:{by}:{_similar_version()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    if by == "area_type":
        run = typology_run()
        area_type = {r.area: r.type for r in run.result.rows() if r.type is not None}
        by_district: dict[int, list[int]] = defaultdict(list)
        for district_id, code in DistrictArea.objects.filter(
            area__code_system__code=run.code_system, area__code__in=list(area_type),
            district__kind=District.Kind.DISTRICT,
        ).values_list("district_id", "area__code"):
            by_district[district_id].append(area_type[code])
        groups = {pk: t for pk, types in by_district.items() if (t := _dominant_type(types)) is not None}
        facts = {"year": run.year, "system": run.code_system}
    else:
        model = index_model_list().first()
        if model is None:
            raise IndexModelNotFound(_("There is no active risk index model."))
        run = index_run(model=model, level="district")
        values = {run.districts[label].pk: float(v) for label, v in zip(run.result.units, run.result.total[-1],
                                                                          strict=True)
                  if label in run.districts and not np.isnan(v)}
        ordered = sorted(values, key=lambda pk: values[pk])
        groups = {pk: position * RISK_BANDS // len(ordered) for position, pk in enumerate(ordered)}
        facts = {"year": run.years[-1], "model": str(model)}
    cache.set(key, (groups, facts), SIMILAR_CACHE_SECONDS)
    return groups, facts


def similar_districts(*, district: District, by: str) -> SimilarDistricts:
    """The districts whose SCB area type (`area_type`: the type most of their areas have in
    the national typology of the latest year) or whose band of the active risk index
    (`risk_band`: the same fifth of the districts by the total index in the model's latest
    year) is the district's own. Raises IndexInputError when the measure cannot be computed
    (no typology variables or no index model, no figures for the district)."""
    if by not in SIMILAR_BY:
        raise IndexInputError(f"unknown measure {by!r}; use {', '.join(SIMILAR_BY)}")
    groups, facts = _similar_groups(by)
    own = groups.get(district.pk)
    if by == "area_type":
        if own is None:
            raise NoIndexFigures(_("%(district)s has no areas with an SCB area type in %(year)s.")
                                 % {"district": district.name, "year": facts["year"]})
        description = _("Districts whose areas are mostly of SCB area type %(type)s (%(year)s, %(system)s), as "
                        "%(district)s's are.") % {"type": own, "district": district.name, **facts}
    else:
        if own is None:
            raise NoIndexFigures(_("%(district)s has no %(model)s value in %(year)s.")
                                 % {"district": district.name, **facts})
        description = _("Districts in the same fifth (%(band)s of 5, lowest first) of %(model)s in %(year)s as "
                        "%(district)s.") % {"band": own + 1, "district": district.name, **facts}
    ids = [pk for pk, group in groups.items() if group == own]
    others = District.objects.filter(pk__in=ids).exclude(pk=district.pk).select_related("municipality")
    return SimilarDistricts(district, by, [district, *sorted(others, key=lambda d: (d.municipality.name, d.name))],
                            description)
