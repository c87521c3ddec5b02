"""Composite social risk index (the Västra Götaland model and models like it), Django-free.

A model has domains (huvudområden) with weights; each domain has indicators with weights and an
orientation. The computation, for one year t:

* rate of indicator i in unit u = Σ numerator / Σ denominator over the unit's areas that have
  the indicator that year. A *protective* indicator (higher is better, a share) is first turned
  into its complement: numerator := denominator − numerator;
* reference rate r_i = the same sums over the whole reference population in year t — or in the
  model's base year, so that absolute change shows (the city at 100 in 2006 can be at 85 in 2012);
* sub-index = 100 × rate / r_i (missing when either is missing or r_i is 0);
* domain index = weighted mean of the sub-indices present, weights renormalised over them;
  no sub-index at all → the domain is missing;
* total index = weighted mean of the domain indices present, renormalised the same way;
* rank within the year, 1 = the highest total; equal totals share the best rank.

Groups (districts, district committees) sum their areas' numerators and denominators; an index
is never an average of area indices, because that would weigh a 200-person area like a
20 000-person one. A group's coverage (how many of its areas had the indicator) is kept, so a
page can say when a figure rests on part of the group.

Everything works on dense arrays (year × area × indicator), so 6 000 areas × 30 indicators ×
20 years is a few matrix products, not millions of Python objects.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

ORIENTATIONS = ("risk", "protective")
NORMALISATIONS = ("ratio", "zscore", "percentile")
DATA_COLUMNS = ("area", "year", "indicator", "numerator", "denominator")
YEAR_LIMIT = 9999  # a year has at most four digits
GROUP_COLUMNS = ("area", "group")


class IndexInputError(ValueError):
    """A model, data or groups file (or structure) that cannot be used; the message names the
    file and the row or field."""


# -- the model ------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    weight: float
    orientation: str = "risk"


@dataclass(frozen=True)
class DomainSpec:
    """A domain; `name_en` is its optional English name (pages in English show it, else `name`).
    The name identifies the domain in results and downloads; the English name only labels it."""

    name: str
    weight: float
    indicators: tuple[IndicatorSpec, ...]
    name_en: str = ""

    def label(self, language: str) -> str:
        """The domain's name in `language` ("en" or "sv")."""
        return self.name_en if language == "en" and self.name_en else self.name


@dataclass(frozen=True)
class ModelSpec:
    """An index model as plain data: the `MODEL.json` contract."""

    name: str
    base_year: int | None
    domains: tuple[DomainSpec, ...]

    @property
    def codes(self) -> list[str]:
        """Every indicator code of the model, in model order, each once."""
        return list(dict.fromkeys(ind.code for d in self.domains for ind in d.indicators))

    def domain_labels(self, language: str) -> dict[str, str]:
        """Each domain's name (as results name it) → its name in `language`."""
        return {d.name: d.label(language) for d in self.domains}

    def as_dict(self, *, labels: bool = True) -> dict[str, Any]:
        """The model in the file format. `name_en` is written only for a domain that has one
        (a file without English names reads back the same); `labels=False` leaves it out
        altogether: what the figures depend on, for telling whether two models compute alike."""
        return {
            "name": self.name,
            "base_year": self.base_year,
            "domains": [
                {"name": d.name, **({"name_en": d.name_en} if labels and d.name_en else {}), "weight": d.weight,
                 "indicators": [
                     {"code": i.code, "weight": i.weight, "orientation": i.orientation} for i in d.indicators
                 ]}
                for d in self.domains
            ],
        }


def _finite(value: int | float) -> bool:
    # math.isfinite turns an int into a float first, and an integer of 309 digits or more does not
    # fit one.
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _positive_number(value: Any, where: str) -> float:
    # bool is an int in Python; a weight of `true` is a typo, not 1.
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise IndexInputError(f"{where}: the weight must be a number, not {value!r}")
    if value <= 0:
        raise IndexInputError(f"{where}: the weight must be positive, not {value!r}")
    return float(value)


def _object(value: Any, keys: tuple[str, ...], not_object: str, where: str) -> dict:
    # A JSON object with every one of `keys`; `not_object` is the whole message when it is no object.
    if not isinstance(value, dict):
        raise IndexInputError(not_object)
    for key in keys:
        if key not in value:
            raise IndexInputError(f"{where}: the field {key!r} is missing")
    return value


def _text(value: Any, label: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise IndexInputError(f"{label} must be a non-empty string")
    return value


def _list(value: Any, label: str) -> list:
    if not isinstance(value, list) or not value:
        raise IndexInputError(f"{label} must be a non-empty list")
    return value


def model_parse(data: Any, *, source: str = "model") -> ModelSpec:
    """Validate a model given as parsed JSON; every fault names the field (e.g.
    `MODEL.json: domains[1].indicators[0].weight`)."""
    _object(data, ("name", "domains"), f"{source}: the model must be a JSON object", source)
    name = _text(data["name"], f"{source}: name")
    base_year = data.get("base_year")
    if base_year is not None and (isinstance(base_year, bool) or not isinstance(base_year, int)):
        raise IndexInputError(f"{source}: base_year must be a year (an integer) or null, not {base_year!r}")
    domains_raw = _list(data["domains"], f"{source}: domains")
    domains: list[DomainSpec] = []
    seen_domains: set[str] = set()
    seen_english: set[str] = set()
    for d_pos, d in enumerate(domains_raw):
        where = f"{source}: domains[{d_pos}]"
        _object(d, ("name", "weight", "indicators"), f"{where}: a domain must be an object", where)
        d_name = _text(d["name"], f"{where}.name:")
        if d_name in seen_domains:
            raise IndexInputError(f"{where}.name: the domain {d_name!r} appears twice")
        seen_domains.add(d_name)
        # Optional (files written before it existed have none); null is the same as absent.
        d_name_en = d.get("name_en")
        if d_name_en is not None:
            d_name_en = _text(d_name_en, f"{where}.name_en:").strip()
            if d_name_en in seen_english:
                raise IndexInputError(f"{where}.name_en: the English name {d_name_en!r} appears twice")
            seen_english.add(d_name_en)
        weight = _positive_number(d["weight"], f"{where}.weight")
        inds_raw = _list(d["indicators"], f"{where}.indicators:")
        indicators: list[IndicatorSpec] = []
        seen_codes: set[str] = set()
        for i_pos, ind in enumerate(inds_raw):
            i_where = f"{where}.indicators[{i_pos}]"
            _object(ind, ("code", "weight"), f"{i_where}: an indicator must be an object", i_where)
            code = _text(ind["code"], f"{i_where}.code:")
            if code in seen_codes:
                raise IndexInputError(f"{i_where}.code: {code!r} appears twice in the domain")
            seen_codes.add(code)
            orientation = ind.get("orientation", "risk")
            if orientation not in ORIENTATIONS:
                raise IndexInputError(f"{i_where}.orientation: must be 'risk' or 'protective', not {orientation!r}")
            indicators.append(IndicatorSpec(code, _positive_number(ind["weight"], f"{i_where}.weight"), orientation))
        domains.append(DomainSpec(d_name, weight, tuple(indicators), d_name_en or ""))
    protective = {i.code for d in domains for i in d.indicators if i.orientation == "protective"}
    risk = {i.code for d in domains for i in d.indicators if i.orientation == "risk"}
    if protective & risk:
        code = sorted(protective & risk)[0]
        raise IndexInputError(f"{source}: the indicator {code!r} is both 'risk' and 'protective'")
    return ModelSpec(name.strip(), base_year, tuple(domains))


# -- the data -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Panel:
    """Area-level counts as dense arrays: numerator and denominator of shape
    (years, areas, indicators), NaN where an area has no figure."""

    years: tuple[int, ...]
    areas: tuple[str, ...]
    codes: tuple[str, ...]
    numerator: np.ndarray
    denominator: np.ndarray


def _row_number(frame: pd.DataFrame, mask: pd.Series) -> int:
    # Row 1 is the header, so the first data row is row 2.
    return int(frame.index[mask.to_numpy()][0]) + 2


def panel_from_frame(frame: pd.DataFrame, *, source: str = "data", protective: Iterable[str] = ()) -> Panel:
    """Check a long table (`area, year, indicator, numerator, denominator`) and pivot it.

    Blank numerator and denominator together mean "no figure" (a suppressed cell); anything else
    that is not a count is an error naming the row. `protective` codes are checked for a
    numerator above the denominator, which their complement cannot have.
    """
    missing = [c for c in DATA_COLUMNS if c not in frame.columns]
    if missing:
        raise IndexInputError(f"{source}: missing column(s) {', '.join(missing)}; expected {', '.join(DATA_COLUMNS)}")
    frame = frame.reset_index(drop=True)
    for column in ("area", "indicator"):
        text = frame[column].astype("string").str.strip()
        blank = text.isna() | (text == "")
        if blank.any():
            raise IndexInputError(f"{source}: row {_row_number(frame, blank)}: {column} is empty")
        frame[column] = text
    year = pd.to_numeric(frame["year"], errors="coerce")
    # "inf" and "1e30" are numbers but no year, and cannot be turned into an integer.
    bad = year.isna() | (year != year.round()) | ~(year.abs() <= YEAR_LIMIT)
    if bad.any():
        row = _row_number(frame, bad)
        raise IndexInputError(f"{source}: row {row}: year {frame['year'].iloc[row - 2]!r} is not a year")
    numbers = {}
    for column in ("numerator", "denominator"):
        raw = frame[column]
        value = pd.to_numeric(raw, errors="coerce")
        if raw.dtype.kind in "fiu":
            # A numeric column has no text, so blank means missing; turning millions of numbers
            # into strings only to look for "" took most of the check's time.
            blank = raw.isna()
        else:
            blank = raw.isna() | (raw.astype("string").str.strip() == "")
        bad = value.isna() & ~blank
        if bad.any():
            row = _row_number(frame, bad)
            raise IndexInputError(f"{source}: row {row}: {column} {raw.iloc[row - 2]!r} is not a number")
        bad = value.notna() & ~np.isfinite(value.astype(float))
        if bad.any():
            raise IndexInputError(f"{source}: row {_row_number(frame, bad)}: {column} is not a finite number")
        bad = value < 0
        if bad.any():
            raise IndexInputError(f"{source}: row {_row_number(frame, bad)}: {column} is negative")
        numbers[column] = value.astype(float)
    num, den = numbers["numerator"], numbers["denominator"]
    half = num.isna() != den.isna()
    if half.any():
        raise IndexInputError(
            f"{source}: row {_row_number(frame, half)}: numerator and denominator must both be given or both be blank"
        )
    bad = den == 0
    if bad.any():
        raise IndexInputError(f"{source}: row {_row_number(frame, bad)}: the denominator is 0")
    protective = set(protective)
    if protective:
        bad = frame["indicator"].isin(protective) & (num > den)
        if bad.any():
            row = _row_number(frame, bad)
            raise IndexInputError(
                f"{source}: row {row}: {frame['indicator'].iloc[row - 2]} is protective (a share) but its "
                "numerator exceeds its denominator"
            )
    keys = pd.DataFrame({"area": frame["area"], "year": year.astype(int), "indicator": frame["indicator"]})
    years_idx, years = pd.factorize(keys["year"], sort=True)
    areas_idx, areas = pd.factorize(keys["area"], sort=True)
    codes_idx, codes = pd.factorize(keys["indicator"], sort=True)
    shape = (len(years), len(areas), len(codes))
    # Duplicates are found on the cell numbers (a bincount); only when there is one does the
    # slower `duplicated` run, to name the first repeated row.
    cell = np.ravel_multi_index((years_idx, areas_idx, codes_idx), shape) if not frame.empty else None
    if cell is not None and np.bincount(cell, minlength=1).max() > 1:
        dup = keys.duplicated(keep="first")
        row = _row_number(frame, dup)
        area, yr, code = keys.iloc[row - 2]
        raise IndexInputError(f"{source}: row {row}: {area}, {yr}, {code} appears twice")
    if frame.empty:
        raise IndexInputError(f"{source}: no data rows")
    numerator = np.full(shape, np.nan)
    denominator = np.full(shape, np.nan)
    numerator[years_idx, areas_idx, codes_idx] = num.to_numpy()
    denominator[years_idx, areas_idx, codes_idx] = den.to_numpy()
    return Panel(tuple(int(y) for y in years), tuple(str(a) for a in areas), tuple(str(c) for c in codes),
                 numerator, denominator)


def groups_from_frame(frame: pd.DataFrame, *, source: str = "groups") -> dict[str, list[str]]:
    """`area, group` rows → {group: [areas]}; an area may belong to several groups (a district and
    its district committee's area), a repeated row counts once."""
    missing = [c for c in GROUP_COLUMNS if c not in frame.columns]
    if missing:
        raise IndexInputError(f"{source}: missing column(s) {', '.join(missing)}; expected area, group")
    frame = frame.reset_index(drop=True)
    groups: dict[str, list[str]] = {}
    for column in GROUP_COLUMNS:
        text = frame[column].astype("string").str.strip()
        blank = text.isna() | (text == "")
        if blank.any():
            raise IndexInputError(f"{source}: row {_row_number(frame, blank)}: {column} is empty")
        frame[column] = text
    if frame.empty:
        raise IndexInputError(f"{source}: no rows")
    for area, group in zip(frame["area"], frame["group"], strict=True):
        members = groups.setdefault(str(group), [])
        if area not in members:
            members.append(str(area))
    return groups


# -- the computation ------------------------------------------------------------------------

@dataclass
class IndexResult:
    """Everything the computation produced, as arrays over (year, unit, …), so pages, the
    command line and the sensitivity analysis read the same figures."""

    model: ModelSpec
    years: tuple[int, ...]
    units: tuple[str, ...]
    codes: tuple[str, ...]  # the model's indicators, in model order
    rates: np.ndarray  # (Y, U, I) after the complement of protective indicators
    reference_rates: np.ndarray  # (Y, I): the r_i each year's sub-indices were divided by
    sub_indices: np.ndarray  # (Y, U, I)
    domains: np.ndarray  # (Y, U, D)
    total: np.ndarray  # (Y, U)
    rank: np.ndarray  # (Y, U), NaN where there is no total
    coverage: np.ndarray  # (Y, U, I): areas with the indicator / areas of the unit
    numerators: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))  # (Y, U, I)
    denominators: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))

    @property
    def domain_names(self) -> list[str]:
        return [d.name for d in self.model.domains]

    def year_index(self, year: int) -> int:
        try:
            return self.years.index(year)
        except ValueError:
            raise IndexInputError(f"there is no data for {year}; years with data: {_years_text(self.years)}") from None

    def records(self) -> list[dict[str, Any]]:
        """The command line's output: one object per unit and year, values unrounded, missing
        values as null; ordered by year, then rank (units without an index last), then unit."""
        out = []
        names = self.domain_names
        for y, year in enumerate(self.years):
            order = sorted(range(len(self.units)), key=lambda u: (
                math.isnan(self.rank[y, u]), 0 if math.isnan(self.rank[y, u]) else self.rank[y, u], self.units[u],
            ))
            for u in order:
                out.append({
                    "unit": self.units[u],
                    "year": year,
                    "index": _num(self.total[y, u]),
                    "domains": {name: _num(self.domains[y, u, d]) for d, name in enumerate(names)},
                    "rank": None if math.isnan(self.rank[y, u]) else int(self.rank[y, u]),
                })
        return out


def _num(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _years_text(years: Sequence[int]) -> str:
    return ", ".join(str(y) for y in years) or "none"


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over the last axis of the values present, weights renormalised over them;
    NaN where none is present."""
    present = ~np.isnan(values)
    weight = np.where(present, weights, 0.0)
    total = weight.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(present, values, 0.0) * weights).sum(axis=-1) / total
    return np.where(total > 0, mean, np.nan)


def rank_descending(values: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = the highest; ties share the best rank ("1, 2, 2, 4");
    NaN stays NaN."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    flat_in = values.reshape(-1, values.shape[-1])
    flat_out = out.reshape(-1, values.shape[-1])
    for row in range(flat_in.shape[0]):
        v = flat_in[row]
        ok = ~np.isnan(v)
        ordered = np.sort(-v[ok])
        # Rank = 1 + how many values are strictly higher.
        flat_out[row, ok] = np.searchsorted(ordered, -v[ok], side="left") + 1
    return out


def _membership(panel: Panel, groups: Mapping[str, Sequence[str]]) -> tuple[tuple[str, ...], np.ndarray]:
    """Groups and the (group × area) 0/1 matrix that sums areas into groups."""
    position = {a: i for i, a in enumerate(panel.areas)}
    units = tuple(groups)
    matrix = np.zeros((len(units), len(panel.areas)))
    for u, unit in enumerate(units):
        for area in groups[unit]:
            if area in position:
                matrix[u, position[area]] = 1.0
    return units, matrix


def index_compute(
    model: ModelSpec,
    panel: Panel,
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    reference: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
) -> IndexResult:
    """Compute the model over the panel.

    `groups` ({unit: areas}) makes the units groups of areas; without it the units are the areas.
    `reference` limits the reference population to those areas (default: every area in the
    panel). `years` limits the output years (the base year is read whether or not it is among
    them).
    """
    codes = model.codes
    protective = {i.code for d in model.domains for i in d.indicators if i.orientation == "protective"}
    column = {c: i for i, c in enumerate(panel.codes)}
    n_years, n_areas = len(panel.years), len(panel.areas)
    num = np.full((n_years, n_areas, len(codes)), np.nan)
    den = np.full((n_years, n_areas, len(codes)), np.nan)
    for i, code in enumerate(codes):
        if code in column:
            num[:, :, i] = panel.numerator[:, :, column[code]]
            den[:, :, i] = panel.denominator[:, :, column[code]]
            if code in protective:
                num[:, :, i] = den[:, :, i] - num[:, :, i]
    has = ~np.isnan(num) & ~np.isnan(den)
    num0 = np.where(has, num, 0.0)
    den0 = np.where(has, den, 0.0)

    # The reference population's sums, per year and indicator.
    if reference is None:
        ref_mask = np.ones(n_areas, dtype=bool)
    else:
        wanted = set(reference)
        ref_mask = np.array([a in wanted for a in panel.areas], dtype=bool)
        if not ref_mask.any():
            raise IndexInputError("the reference population has no areas in the data")
    ref_num = num0[:, ref_mask, :].sum(axis=1)
    ref_den = den0[:, ref_mask, :].sum(axis=1)
    ref_has = has[:, ref_mask, :].any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ref_rate = np.where(ref_has & (ref_den > 0), ref_num / ref_den, np.nan)
    if model.base_year is not None:
        if model.base_year not in panel.years:
            raise IndexInputError(
                f"the model's base year {model.base_year} has no data; years with data: {_years_text(panel.years)}"
            )
        ref_rate = np.broadcast_to(ref_rate[panel.years.index(model.base_year)], ref_rate.shape).copy()

    if groups is None:
        # Each area is its own unit: the sums are the areas' own figures. Multiplying by an
        # identity matrix gives the same numbers, but for 6 000 areas that matrix is 288 MB and
        # the products take seconds.
        units = panel.areas
        unit_num, unit_den, counts = num0, den0, has.astype(float)
        size = np.ones((1, n_areas, 1))
    else:
        units, matrix = _membership(panel, groups)
        unit_num = np.matmul(matrix, num0)  # (Y, U, I)
        unit_den = np.matmul(matrix, den0)
        counts = np.matmul(matrix, has.astype(float))
        size = matrix.sum(axis=1)[None, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(counts > 0, unit_num / unit_den, np.nan)
        coverage = np.where(size > 0, counts / size, 0.0)
        ref = ref_rate[:, None, :]
        sub = np.where(np.isnan(ref) | (ref == 0), np.nan, 100.0 * rates / ref)
    unit_num = np.where(counts > 0, unit_num, np.nan)
    unit_den = np.where(counts > 0, unit_den, np.nan)

    position = {c: i for i, c in enumerate(codes)}
    domains = np.full((n_years, len(units), len(model.domains)), np.nan)
    for d, domain in enumerate(model.domains):
        idx = [position[i.code] for i in domain.indicators]
        weights = np.array([i.weight for i in domain.indicators])
        domains[:, :, d] = weighted_mean(sub[:, :, idx], weights)
    total = weighted_mean(domains, np.array([d.weight for d in model.domains]))
    rank = rank_descending(total)

    result = IndexResult(model, panel.years, units, tuple(codes), rates, ref_rate, sub, domains, total, rank,
                         coverage, unit_num, unit_den)
    if years is not None:
        result = result_years(result, years)
    return result


def result_years(result: IndexResult, years: Iterable[int]) -> IndexResult:
    """The same result limited to some years (ranks are within a year, so they do not change)."""
    keep = [result.year_index(y) for y in years]
    return IndexResult(
        result.model, tuple(result.years[k] for k in keep), result.units, result.codes, result.rates[keep],
        result.reference_rates[keep], result.sub_indices[keep], result.domains[keep], result.total[keep],
        result.rank[keep], result.coverage[keep], result.numerators[keep], result.denominators[keep],
    )


# -- priority selection ---------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    unit: str
    start: float | None
    end: float | None
    percent: float | None  # 100 × (end / start − 1); the least negative improved least


def priority_select(result: IndexResult, *, year: int, threshold: float = 100.0) -> list[str]:
    """Units whose total index in `year` is above the threshold, highest first."""
    y = result.year_index(year)
    chosen = [u for u in range(len(result.units)) if not math.isnan(result.total[y, u]) and result.total[y, u] > threshold]
    return [result.units[u] for u in sorted(chosen, key=lambda u: (-result.total[y, u], result.units[u]))]


def index_change(result: IndexResult, *, start: int, end: int) -> list[Change]:
    """Per-cent change of each unit's total index between two years, the largest increase (or
    smallest decrease: who improved least) first; units without both figures last."""
    a, b = result.year_index(start), result.year_index(end)
    changes = []
    for u, unit in enumerate(result.units):
        first, last = _num(result.total[a, u]), _num(result.total[b, u])
        percent = 100.0 * (last / first - 1) if first and last is not None else None
        changes.append(Change(unit, first, last, percent))
    return sorted(changes, key=lambda c: (c.percent is None, -(c.percent or 0.0), c.unit))


# -- sensitivity analysis -------------------------------------------------------------------

@dataclass
class Sensitivity:
    """Monte Carlo over weights and normalisations (JRC/OECD Handbook on Constructing Composite
    Indicators, 2008, ch. 7): per unit the rank the model gives, the median rank over the draws
    and its 5–95 % interval, and how often the unit is among the `selected_count` highest."""

    year: int
    draws: int
    seed: int
    concentration: float
    normalisations: tuple[str, ...]
    units: tuple[str, ...]
    model_rank: np.ndarray  # (U,)
    median_rank: np.ndarray
    rank_p05: np.ndarray
    rank_p95: np.ndarray
    selected_count: int
    selection_frequency: np.ndarray  # (U,) share of draws in which the unit is selected
    ranks: np.ndarray = field(repr=False)  # (draws, U)

    def rows(self) -> list[dict[str, Any]]:
        order = sorted(range(len(self.units)), key=lambda u: (
            math.isnan(self.median_rank[u]), _num(self.median_rank[u]) or 0.0, self.units[u]))
        return [{
            "unit": self.units[u],
            "model_rank": None if math.isnan(self.model_rank[u]) else int(self.model_rank[u]),
            "median_rank": _num(self.median_rank[u]),
            "rank_p05": _num(self.rank_p05[u]),
            "rank_p95": _num(self.rank_p95[u]),
            "selection_frequency": float(self.selection_frequency[u]),
        } for u in order]


def normalise(rates: np.ndarray, reference: np.ndarray, method: str) -> np.ndarray:
    """Sub-indices of one year's rates (units × indicators) under a normalisation:
    `ratio` 100 × rate / r_i (the model's own); `zscore` (rate − mean) / sd across the units
    with a value; `percentile` the mid-rank percentile (0–100) among them. All keep "higher is
    more risk"."""
    if method == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.isnan(reference) | (reference == 0), np.nan, 100.0 * rates / reference)
    if method == "zscore":
        present = ~np.isnan(rates)
        n = present.sum(axis=0)
        filled = np.where(present, rates, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = filled.sum(axis=0) / n
            sd = np.sqrt((np.where(present, rates - mean, 0.0) ** 2).sum(axis=0) / n)
            z = (rates - mean) / sd
        # A constant indicator says nothing about who is at risk: everyone gets 0.
        return np.where(present, np.where(sd > 0, z, 0.0), np.nan)
    if method == "percentile":
        out = np.full(rates.shape, np.nan)
        for i in range(rates.shape[1]):
            col = rates[:, i]
            ok = ~np.isnan(col)
            values = np.sort(col[ok])
            n = values.size
            if n == 0:
                continue
            below = np.searchsorted(values, col[ok], side="left")
            equal = np.searchsorted(values, col[ok], side="right") - below
            out[ok, i] = 100.0 * (below + 0.5 * equal) / n
        return out
    raise IndexInputError(f"unknown normalisation {method!r}; use {', '.join(NORMALISATIONS)}")


def _dirichlet_around(rng: np.random.Generator, weights: np.ndarray, concentration: float, n: int) -> np.ndarray:
    if weights.size == 1:
        return np.ones((n, 1))
    return rng.dirichlet(concentration * weights / weights.sum(), size=n)


def sensitivity_analyse(
    result: IndexResult,
    *,
    year: int,
    draws: int = 1000,
    seed: int = 0,
    concentration: float = 20.0,
    normalisations: Sequence[str] = NORMALISATIONS,
    threshold: float = 100.0,
    select: int | None = None,
    chunk: int = 250,
    progress: Callable[[int, int], None] | None = None,
) -> Sensitivity:
    """Draw weights from Dirichlet distributions centred on the model's weights (domain weights,
    and indicator weights within each domain; a larger `concentration` keeps them closer) and a
    normalisation uniformly from `normalisations`; recompute every unit's total and rank per draw.

    The selection is the model's priority selection (units above `threshold` in `year`) unless
    `select` gives its size; each draw selects that many of its highest-ranked units.
    Reproducible: the same seed gives the same draws. `progress`, when given, is called with
    (draws done, draws in all) after every chunk, so a caller can show how far it has come.
    """
    if draws < 1:
        raise IndexInputError("draws must be 1 or more")
    if concentration <= 0:
        raise IndexInputError("concentration must be positive")
    for method in normalisations:
        if method not in NORMALISATIONS:
            raise IndexInputError(f"unknown normalisation {method!r}; use {', '.join(NORMALISATIONS)}")
    if not normalisations:
        raise IndexInputError("at least one normalisation is needed")
    y = result.year_index(year)
    rates = result.rates[y]
    reference = result.reference_rates[y]
    model = result.model
    position = {c: i for i, c in enumerate(result.codes)}
    domain_idx = [np.array([position[i.code] for i in d.indicators]) for d in model.domains]
    domain_w = np.array([d.weight for d in model.domains])
    indicator_w = [np.array([i.weight for i in d.indicators]) for d in model.domains]
    n_units = len(result.units)
    ranked = ~np.isnan(result.total[y])
    selected_count = select if select is not None else len(priority_select(result, year=year, threshold=threshold))

    rng = np.random.default_rng(seed)
    # All random numbers are drawn up front, in a fixed order, so the result does not depend on
    # `chunk` (memory only).
    method_of_draw = rng.integers(len(normalisations), size=draws)
    dom_draws = _dirichlet_around(rng, domain_w, concentration, draws)
    ind_draws = [_dirichlet_around(rng, w, concentration, draws) for w in indicator_w]

    normalised = {m: normalise(rates, reference, m) for m in normalisations}
    ranks = np.full((draws, n_units), np.nan)
    done = 0
    for m_pos, method in enumerate(normalisations):
        which = np.flatnonzero(method_of_draw == m_pos)
        scores = normalised[method]
        present = ~np.isnan(scores)
        filled = np.where(present, scores, 0.0)
        for start in range(0, which.size, chunk):
            batch = which[start:start + chunk]
            total_num = np.zeros((n_units, batch.size))
            total_den = np.zeros((n_units, batch.size))
            for d, idx in enumerate(domain_idx):
                w = ind_draws[d][batch]  # (b, k)
                d_num = filled[:, idx] @ w.T
                d_den = present[:, idx].astype(float) @ w.T
                ok = d_den > 0
                with np.errstate(invalid="ignore", divide="ignore"):
                    dom = np.where(ok, d_num / d_den, 0.0)
                dw = dom_draws[batch, d][None, :]
                total_num += dom * dw * ok
                total_den += dw * ok
            with np.errstate(invalid="ignore", divide="ignore"):
                total = np.where(total_den > 0, total_num / total_den, np.nan)
            # Units the model itself cannot rank stay out, so every draw ranks the same units.
            total[~ranked, :] = np.nan
            ranks[batch] = rank_descending(total.T)
            done += batch.size
            if progress is not None:
                progress(done, draws)

    median = _quantile(ranks, 0.5)
    p05 = _quantile(ranks, 0.05)
    p95 = _quantile(ranks, 0.95)
    frequency = (ranks <= selected_count).mean(axis=0) if selected_count > 0 else np.zeros(n_units)
    return Sensitivity(year, draws, seed, concentration, tuple(normalisations), result.units, result.rank[y].copy(),
                       median, p05, p95, selected_count, frequency, ranks)


def _quantile(ranks: np.ndarray, q: float) -> np.ndarray:
    # "inverted_cdf" returns ranks that occurred (no 2.5th place); all-NaN columns stay NaN.
    out = np.full(ranks.shape[1], np.nan)
    ok = ~np.isnan(ranks).all(axis=0)
    if ok.any():
        out[ok] = np.quantile(ranks[:, ok], q, axis=0, method="inverted_cdf")
    return out
