"""Aggregate pseudonymised register person-years to areas, districts and municipalities (Django-free).

One DuckDB scan streams the Parquet or CSV files and sums, per area × year × sex, the numerator
and the denominator of every catalogue indicator the columns allow. Everything after that works
on the small aggregated table: totals for both sexes (T = K + M), roll-up to districts and
municipalities by summing numerators and denominators (never averaging rates), values, and
disclosure control. No person-level row is ever copied out of DuckDB.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from stadsdel.lib.disclosure import primary_suppressed, secondary_suppressed

REQUIRED_COLUMNS = (
    "person_id", "year", "area_code", "sex", "age", "employed", "studying", "social_assistance_months",
    "education_level", "grade9_eligible", "sick_days", "voted",
)
OPTIONAL_COLUMNS = ("low_economic_standard", "unemployed_days")
EDUCATION_LEVELS = ("pre_secondary", "secondary", "post_secondary")
SEXES = ("K", "M", "T")  # women, men, both (T = K + M)


@dataclass(frozen=True)
class MicroIndicator:
    """How one catalogue indicator is computed from person-years: SQL sums over the scan."""

    code: str
    numerator: str
    denominator: str
    scale: float
    is_share: bool
    needs: tuple[str, ...] = ()


def _age(low: int, high: int) -> str:
    return f"age BETWEEN {low} AND {high}"


# The definitions the catalogue's text describes; numerator and denominator are SUM() arguments.
# A condition on a nullable column is made null-safe (coalesce): SUM() over a group whose every
# row is NULL is NULL, which would publish an empty figure instead of 0. An empty
# unemployed_days is a person without a record at Arbetsförmedlingen (not registered
# unemployed), as in the individual rule; unknown education stays in the denominator.
MICRO_INDICATORS: tuple[MicroIndicator, ...] = (
    MicroIndicator("employment_rate_20_64", f"({_age(20, 64)} AND employed = 1)::INT", f"({_age(20, 64)})::INT", 100.0, True),
    MicroIndicator("social_assistance_share", "(social_assistance_months > 0)::INT", "1", 100.0, True),
    MicroIndicator(
        "post_secondary_education_25_64",
        f"({_age(25, 64)} AND coalesce(education_level = 'post_secondary', FALSE))::INT", f"({_age(25, 64)})::INT",
        100.0, True,
    ),
    MicroIndicator("grade9_eligible_upper_secondary", "(grade9_eligible = 1)::INT", "(grade9_eligible IS NOT NULL)::INT", 100.0, True),
    MicroIndicator(
        "sickness_days_per_person", f"CASE WHEN {_age(16, 64)} THEN coalesce(sick_days, 0) ELSE 0 END",
        f"({_age(16, 64)})::INT", 1.0, False,
    ),
    MicroIndicator("voter_turnout_municipal", "(voted = 1)::INT", "(voted IS NOT NULL)::INT", 100.0, True),
    MicroIndicator(
        "low_economic_standard_share", "(low_economic_standard = 1)::INT", "(low_economic_standard IS NOT NULL)::INT",
        100.0, True, needs=("low_economic_standard",),
    ),
    MicroIndicator(
        "long_term_unemployment_20_64", f"({_age(20, 64)} AND coalesce(unemployed_days, 0) >= 180)::INT",
        f"({_age(20, 64)})::INT", 100.0, True, needs=("unemployed_days",),
    ),
    MicroIndicator(
        "children_social_assistance_share", f"({_age(0, 17)} AND social_assistance_months > 0)::INT",
        f"({_age(0, 17)})::INT", 100.0, True,
    ),
    MicroIndicator(
        "unemployment_20_64", f"({_age(20, 64)} AND coalesce(unemployed_days, 0) > 0)::INT", f"({_age(20, 64)})::INT",
        100.0, True, needs=("unemployed_days",),
    ),
    MicroIndicator(
        "pre_secondary_education_20_64", f"({_age(20, 64)} AND coalesce(education_level = 'pre_secondary', FALSE))::INT",
        f"({_age(20, 64)})::INT", 100.0, True,
    ),
    # SCB's V3 of its socio-economic index: assistance in at least 10 months of the year and/or
    # more than 180 days unemployed (strictly more, unlike the >= 180 above).
    MicroIndicator(
        "long_term_assistance_or_unemployment_20_64",
        f"({_age(20, 64)} AND (social_assistance_months >= 10 OR coalesce(unemployed_days, 0) > 180))::INT",
        f"({_age(20, 64)})::INT", 100.0, True, needs=("unemployed_days",),
    ),
)
EXCLUSION_CODE = "individuals_in_exclusion"

# The schema's value ranges: (column, may be null, minimum, maximum, integer). Parquet files carry
# min/max/null counts per row group, so for them these checks cost no scan; CSV (or Parquet
# without statistics, or a non-integer flag column) is checked in the aggregation scan itself.
_RANGES = (
    ("age", False, 0, 130, True),
    ("employed", False, 0, 1, True),
    ("studying", False, 0, 1, True),
    ("social_assistance_months", False, 0, 12, True),
    ("grade9_eligible", True, 0, 1, True),
    ("sick_days", True, 0, None, False),
    ("voted", True, 0, 1, True),
    ("low_economic_standard", True, 0, 1, True),
    ("unemployed_days", True, 0, 366, False),
)
# Group keys (sex, year, area_code) are checked on the grouped result, education_level by its
# distinct values (a dictionary lookup in Parquet).


_CSV_TYPES = {
    "person_id": "VARCHAR", "year": "INTEGER", "area_code": "VARCHAR", "sex": "VARCHAR", "age": "INTEGER",
    "employed": "INTEGER", "studying": "INTEGER", "social_assistance_months": "INTEGER", "education_level": "VARCHAR",
    "grade9_eligible": "INTEGER", "sick_days": "DOUBLE", "voted": "INTEGER",
    "low_economic_standard": "INTEGER", "unemployed_days": "DOUBLE",
}


def _range_condition(column: str, nullable: bool, low, high, integer: bool) -> str:
    parts = [] if nullable else [f"{column} IS NULL"]
    parts.append(f"{column} < {low}")
    if high is not None:
        parts.append(f"{column} > {high}")
    if integer:
        parts.append(f"{column} <> round({column})")
    return " OR ".join(parts)


class MicrodataError(ValueError):
    """The extract cannot be aggregated; the message names the file and the column or value."""


@dataclass(frozen=True)
class IndividualRule:
    """The individual rule of `individuals_in_exclusion` as plain data (a versioned
    `ExclusionRule` in the database): an age band and conditions on whitelisted columns."""

    age_min: int = 20
    age_max: int = 64
    conditions: tuple[tuple[str, str, float], ...] = (("employed", "=", 0), ("studying", "=", 0))

    _COLUMNS = ("employed", "studying", "social_assistance_months", "sick_days", "unemployed_days", "low_economic_standard")
    _OPS = ("=", "<", "<=", ">", ">=")

    @classmethod
    def from_parameters(cls, params: Mapping) -> IndividualRule:
        """Validate a rule's JSON parameters; never lets text reach SQL unchecked."""
        try:
            age_min, age_max = int(params["age_min"]), int(params["age_max"])
            conditions = tuple(
                (str(c["column"]), str(c["op"]), float(c["value"])) for c in params.get("conditions", [])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"individual rule: expected age_min, age_max and conditions [{{column, op, value}}]: {exc}") from exc
        if not 0 <= age_min <= age_max <= 130:
            raise ValueError(f"individual rule: age band {age_min}–{age_max} is not valid")
        for column, op, _value in conditions:
            if column not in cls._COLUMNS:
                raise ValueError(f"individual rule: unknown column {column!r} (allowed: {', '.join(cls._COLUMNS)})")
            if op not in cls._OPS:
                raise ValueError(f"individual rule: unknown operator {op!r}")
        return cls(age_min, age_max, conditions)

    def columns(self) -> set[str]:
        return {column for column, _op, _value in self.conditions}

    def predicate(self) -> str:
        parts = [_age(self.age_min, self.age_max)]
        parts += [f"coalesce({column}, 0) {op} {value!r}" for column, op, value in self.conditions]
        return " AND ".join(parts)


@dataclass
class AreaInfo:
    """Where an area belongs: its municipality and the districts (ids as strings) it is part of."""

    municipality: str
    districts: tuple[str, ...] = ()
    # County code; when given, the extract also rolls up to counties and the country (a
    # national register extract covers them; a municipality's own extract should not).
    county: str | None = None


@dataclass
class AggregateResult:
    """The published cells, long form, and what the run did."""

    cells: pd.DataFrame
    rows: int
    indicators: list[str]
    areas_seen: list[str]
    primary_suppressed: int = 0
    secondary_suppressed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _source_sql(con: duckdb.DuckDBPyConnection, path: str | Path) -> tuple[str, dict[str, str]]:
    """A FROM clause for the extract (a file, a directory of files or a glob) and its columns."""
    text = str(path)
    p = Path(text)
    if p.is_dir():
        parquet = sorted(p.glob("*.parquet"))
        csv = sorted(p.glob("*.csv"))
        if not parquet and not csv:
            raise MicrodataError(f"{text}: the directory holds no .parquet or .csv files")
        text = str(p / ("*.parquet" if parquet else "*.csv"))
    elif not any(ch in text for ch in "*?[") and not p.exists():
        raise MicrodataError(f"{text}: no such file")
    quoted = text.replace("'", "''")
    if text.endswith((".csv", ".csv.gz")):
        # Fixed types: a column that happens to be empty in this extract (no election year) must
        # not be guessed as text, and a stray letter is an error naming its line.
        plain = f"read_csv('{quoted}', header = true, auto_detect = true)"
        try:
            present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {plain}").fetchall()}
        except duckdb.Error as exc:
            raise MicrodataError(f"{text}: cannot be read as CSV: {exc}") from exc
        types = ", ".join(f"'{c}': '{t}'" for c, t in _CSV_TYPES.items() if c in present)
        source = f"read_csv('{quoted}', header = true, auto_detect = true, types = {{{types}}})"
    else:
        source = f"read_parquet('{quoted}')"
    try:
        columns = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    except duckdb.Error as exc:
        raise MicrodataError(f"{text}: cannot be read as {'CSV' if 'read_csv' in source else 'Parquet'}: {exc}") from exc
    return source, columns


@dataclass
class Scan:
    """The extract summed per area × year × sex: small, and all later steps need."""

    grouped: pd.DataFrame
    indicators: list[MicroIndicator]
    rows: int
    areas_seen: list[str]
    seconds: float


def scan(
    path: str | Path, *, rule: IndividualRule, threads: int | None = None, progress: Callable[[str], None] | None = None,
) -> Scan:
    """One pass over the extract: checks its columns and values and sums every indicator."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    try:
        source, columns = _source_sql(con, path)
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise MicrodataError(f"{path}: missing column(s) {', '.join(missing)}")
        absent_for_rule = rule.columns() - set(columns)
        if absent_for_rule:
            raise MicrodataError(f"{path}: the individual rule needs column(s) {', '.join(sorted(absent_for_rule))}")
        indicators = [m for m in MICRO_INDICATORS if all(c in columns for c in m.needs)]
        indicators.append(MicroIndicator(
            EXCLUSION_CODE, f"({rule.predicate()})::INT", f"({_age(rule.age_min, rule.age_max)})::INT", 100.0, True,
        ))
        problems, in_scan = _check_outside_scan(con, source, columns)
        if problems:
            raise MicrodataError(f"{path}: " + "; ".join(problems))
        select = ["area_code::VARCHAR AS area_code", "year", "sex", "count(*) AS n_rows"]
        for i, m in enumerate(indicators):
            select.append(f"{_sum_sql(m.numerator)} AS num_{i}")
            select.append(f"{_sum_sql(m.denominator)} AS den_{i}")
        for name, condition in in_scan.items():
            select.append(f"count_if({condition}) AS bad_{name}")
        sql = f"SELECT {', '.join(select)} FROM {source} GROUP BY ALL"
        say(f"Läser {path} …")
        try:
            grouped = con.execute(sql).df()
        except duckdb.Error as exc:
            raise MicrodataError(f"{path}: {exc}") from exc
    finally:
        con.close()
    # DuckDB's parallel GROUP BY returns groups in any order; secondary suppression breaks ties
    # by position, so a fixed order makes the same extract give the same cells every time.
    grouped = grouped.sort_values(["area_code", "year", "sex"], kind="mergesort").reset_index(drop=True)
    rows = int(grouped["n_rows"].sum()) if len(grouped) else 0
    seconds = time.perf_counter() - started
    say(f"{rows:,} personår lästa på {seconds:.1f} s".replace(",", " "))
    if rows == 0:
        raise MicrodataError(f"{path}: the extract has no rows")
    problems = [
        f"{int(grouped[f'bad_{name}'].sum())} rows with an invalid {name} ({condition})"
        for name, condition in in_scan.items() if grouped[f"bad_{name}"].sum() > 0
    ]
    keys = {
        "sex": ~grouped["sex"].isin(["K", "M"]),
        "year": grouped["year"].isna(),
        "area_code": grouped["area_code"].isna() | (grouped["area_code"] == "None"),
    }
    problems += [
        f"{int(grouped.loc[bad, 'n_rows'].sum())} rows with an invalid {name}"
        + (f" ({', '.join(sorted(map(str, grouped.loc[bad, name].unique()))[:5])})" if name == "sex" else "")
        for name, bad in keys.items() if bad.any()
    ]
    if problems:
        raise MicrodataError(f"{path}: " + "; ".join(problems))
    return Scan(grouped, indicators, rows, sorted(grouped["area_code"].unique()), seconds)


def _sum_sql(expression: str) -> str:
    """SUM(expression) as DuckDB computes it fastest: a count of a cast condition is `count_if`
    (about a sixth less CPU than summing the 0/1 integers, which DuckDB widens to 128 bits), a sum
    of 1 is `count(*)`. Both count 0, never NULL, in a group where the condition is never true."""
    if expression == "1":
        return "count(*)"
    if expression.startswith("(") and expression.endswith(")::INT") and _closes_at(expression, len(expression) - 6):
        return f"count_if({expression[1:-6]})"
    return f"sum({expression})"


def _closes_at(text: str, end: int) -> bool:
    """Whether the parenthesis opened at text[0] is the one closed at text[end]."""
    depth = 0
    for i, ch in enumerate(text[: end + 1]):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i == end
    return False


def _check_outside_scan(con: duckdb.DuckDBPyConnection, source: str, columns: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Check what can be checked without the big scan; return problems and the conditions that
    must still be counted in the scan (column → SQL condition of an invalid row)."""
    problems: list[str] = []
    in_scan: dict[str, str] = {}
    stats: dict[str, tuple] = {}
    if source.startswith("read_parquet("):
        meta_source = source.replace("read_parquet(", "parquet_metadata(", 1)
        for name, low, high, nulls, missing in con.execute(
            "SELECT path_in_schema, min(TRY_CAST(stats_min_value AS DOUBLE)), max(TRY_CAST(stats_max_value AS DOUBLE)), "
            f"sum(stats_null_count), count_if(stats_min_value IS NULL AND stats_null_count IS DISTINCT FROM num_values) "
            f"FROM {meta_source} GROUP BY ALL"
        ).fetchall():
            stats[name] = (low, high, nulls, missing)
    integer_types = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT")
    for column, nullable, low, high, integer in _RANGES:
        if column not in columns:
            continue
        if columns[column] not in (*integer_types, "FLOAT", "DOUBLE") and not columns[column].startswith("DECIMAL"):
            problems.append(f"{column} has type {columns[column]}, expected a number")
            continue
        st = stats.get(column)
        typed_ok = not integer or columns[column] in integer_types
        if st is None or st[3] or not typed_ok:
            in_scan[column] = _range_condition(column, nullable, low, high, integer)
            continue
        minimum, maximum, nulls, _missing = st
        bad = (not nullable and (nulls or 0) > 0) or (minimum is not None and minimum < low) or (
            high is not None and maximum is not None and maximum > high
        )
        if bad:
            problems.append(
                f"{column} outside its range (min {minimum}, max {maximum}, {nulls or 0} empty; "
                f"allowed {low}–{high if high is not None else '…'}{'' if nullable else ', never empty'})"
            )
    levels = [row[0] for row in con.execute(f"SELECT DISTINCT education_level FROM {source}").fetchall()]
    wrong = sorted(str(v) for v in levels if v is not None and v not in EDUCATION_LEVELS)
    if wrong:
        problems.append(f"invalid education_level value(s): {', '.join(wrong[:5])} (allowed: {', '.join(EDUCATION_LEVELS)})")
    return problems, in_scan


def cells_build(
    scanned: Scan, *, areas: Mapping[str, AreaInfo] | None, min_cell: int = 5, source: str = "",
    progress: Callable[[str], None] | None = None,
) -> AggregateResult:
    """Totals, roll-up and disclosure control on a scan's sums."""
    if min_cell < 1:
        raise MicrodataError(f"min-cell must be at least 1, not {min_cell}")
    started = time.perf_counter()
    if areas is not None:
        unknown = [code for code in scanned.areas_seen if code not in areas]
        if unknown:
            shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
            raise MicrodataError(f"{source}: {len(unknown)} unknown area code(s): {shown}")
    cells, members, labels = _cells(scanned.grouped, scanned.indicators, areas)
    cells, n_primary, n_secondary = _suppress(cells, members, scanned.indicators, min_cell)
    cells = _labelled(cells, scanned.indicators, labels)
    if progress:
        count = f"{len(cells):,}".replace(",", " ")
        progress(f"{count} celler; {n_primary} undertryckta, {n_secondary} till genom sekundär röjandekontroll")
    return AggregateResult(
        cells=cells, rows=scanned.rows, indicators=[m.code for m in scanned.indicators], areas_seen=scanned.areas_seen,
        primary_suppressed=n_primary, secondary_suppressed=n_secondary,
        seconds=scanned.seconds + time.perf_counter() - started,
    )


def aggregate(
    path: str | Path,
    *,
    areas: Mapping[str, AreaInfo] | None,
    rule: IndividualRule,
    min_cell: int = 5,
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> AggregateResult:
    """Aggregate the extract at `path` to cells with disclosure control applied.

    `areas` maps every area code that may occur to its municipality and districts; a code not in
    it is an error (None: area cells only, no roll-up). Returns cells with columns indicator,
    level (area|district|municipality), unit (area code, district id, municipality code), period,
    sex, numerator, denominator, value, status.
    """
    if min_cell < 1:
        raise MicrodataError(f"min-cell must be at least 1, not {min_cell}")
    scanned = scan(path, rule=rule, threads=threads, progress=progress)
    return cells_build(scanned, areas=areas, min_cell=min_cell, source=str(path), progress=progress)


def _cells(
    grouped: pd.DataFrame, indicators: list[MicroIndicator], areas: Mapping[str, AreaInfo] | None,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], list[str]]:
    """Long cells for area, district and municipality, each sex and the total; per level, which
    areas (`member`) make up which unit (`parent`); and the units' labels.

    Units, indicators and sexes are integer codes here (a unit's label is `labels[unit]`, an
    indicator's code `indicators[indicator].code`, a sex `SEXES[sex]`) until `_labelled` names them: joining and grouping on text
    cost most of this step's time, on integers a fraction, and the rows come out in the same
    order either way (secondary suppression breaks ties by position)."""
    area_codes, uniques = pd.factorize(grouped["area_code"], sort=False)
    labels: list[str] = [str(u) for u in uniques]
    number = {label: i for i, label in enumerate(labels)}
    year = grouped["year"].to_numpy()
    sex = np.where(grouped["sex"].to_numpy(dtype=object) == "K", SEXES.index("K"), SEXES.index("M"))
    frames = [
        pd.DataFrame({"area_code": area_codes, "year": year, "sex": sex, "indicator": i,
                      "numerator": grouped[f"num_{i}"].to_numpy(dtype=float),
                      "denominator": grouped[f"den_{i}"].to_numpy(dtype=float)})
        for i in range(len(indicators))
    ]
    area = pd.concat(frames, ignore_index=True)
    # Both sexes: T = K + M, summed, like every other total.
    total = area.groupby(["indicator", "area_code", "year"], as_index=False, sort=False)[["numerator", "denominator"]].sum()
    total["sex"] = SEXES.index("T")
    area = pd.concat([area, total], ignore_index=True)
    area = area.rename(columns={"area_code": "unit", "year": "period"})
    area["level"] = "area"
    levels = [area]
    members: dict[str, pd.DataFrame] = {}
    if areas is not None:

        def numbered(parents: list[str]) -> np.ndarray:
            for parent in parents:
                if parent not in number:
                    number[parent] = len(labels)
                    labels.append(parent)
            return np.array([number[p] for p in parents], dtype=np.int64)

        codes = np.arange(len(uniques), dtype=np.int64)
        members["municipality"] = pd.DataFrame({"member": codes, "parent": numbered([areas[c].municipality for c in uniques])})
        pairs = [(i, d) for i, c in enumerate(uniques) for d in areas[c].districts]
        members["district"] = pd.DataFrame({"member": np.array([i for i, _ in pairs], dtype=np.int64),
                                            "parent": numbered([d for _, d in pairs])})
        if all(areas[c].county for c in uniques):
            members["county"] = pd.DataFrame({"member": codes, "parent": numbered([areas[c].county for c in uniques])})
            members["country"] = pd.DataFrame({"member": codes, "parent": numbered(["SE"] * len(codes))})
        for level, mapping in members.items():
            if mapping.empty:
                continue
            joined = area.merge(mapping, left_on="unit", right_on="member")
            rolled = joined.groupby(["indicator", "parent", "period", "sex"], as_index=False, sort=False)[
                ["numerator", "denominator"]
            ].sum()
            rolled = rolled.rename(columns={"parent": "unit"})
            rolled["level"] = level
            levels.append(rolled)
    cells = pd.concat(levels, ignore_index=True)
    cells["period"] = cells["period"].astype(int)
    scale = np.array([m.scale for m in indicators])
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["value"] = np.where(
            cells["denominator"] > 0, scale[cells["indicator"].to_numpy()] * cells["numerator"] / cells["denominator"],
            np.nan,
        )
    return cells, members, labels


def _labelled(cells: pd.DataFrame, indicators: list[MicroIndicator], labels: list[str]) -> pd.DataFrame:
    """The cells with their indicators' codes and their units' labels instead of numbers."""
    cells["indicator"] = pd.Index([m.code for m in indicators]).take(cells["indicator"].to_numpy())
    cells["unit"] = pd.Index(labels).take(cells["unit"].to_numpy())
    cells["sex"] = pd.Index(SEXES).take(cells["sex"].to_numpy())
    return cells


def _suppress(
    cells: pd.DataFrame, members: dict[str, pd.DataFrame], indicators: list[MicroIndicator], min_cell: int,
) -> tuple[pd.DataFrame, int, int]:
    # A unit with nobody in the denominator (no year-9 pupils, no election that year) has no
    # figure at all; it reveals nothing, so it is left out rather than stored as suppressed.
    cells = cells[cells["denominator"] > 0].reset_index(drop=True)
    is_share = np.array([m.is_share for m in indicators], dtype=bool)[cells["indicator"].to_numpy()]
    primary = primary_suppressed(cells["numerator"].to_numpy(), cells["denominator"].to_numpy(), is_share, min_cell)
    links = _links(cells, members)
    mask, added = secondary_suppressed(primary, cells["denominator"].to_numpy(), links)
    cells["status"] = np.where(mask, "suppressed", "ok")
    # Nothing of a suppressed cell is kept: not the value, not the counts behind it.
    cells.loc[mask, ["numerator", "denominator", "value"]] = np.nan
    return cells, int(primary.sum()), added


def _links(cells: pd.DataFrame, members: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """(aggregate cell, component cell) position pairs: K and M within the total T of every unit,
    and areas within their districts and municipalities (same indicator, year and sex)."""
    # Level and sex as small integers too (see `_cells`): every key of these joins is a number.
    level_codes, level_names = pd.factorize(cells["level"], sort=False)
    sex = cells["sex"].to_numpy()
    keyed = pd.DataFrame({
        "level": level_codes, "unit": cells["unit"].to_numpy(), "indicator": cells["indicator"].to_numpy(),
        "period": cells["period"].to_numpy(), "sex": sex, "position": np.arange(len(cells)),
    })
    is_total = sex == SEXES.index("T")
    unit_key = ["level", "unit", "indicator", "period"]
    totals = keyed[is_total].rename(columns={"position": "aggregate"})
    parts = keyed[~is_total].rename(columns={"position": "component"})
    frames = [totals.merge(parts, on=unit_key)[["aggregate", "component"]]]
    code = {name: i for i, name in enumerate(level_names)}
    area = keyed[keyed["level"] == code.get("area", -1)].rename(columns={"position": "component"})
    for level, mapping in members.items():
        parents = keyed[keyed["level"] == code.get(level, -1)].rename(columns={"position": "aggregate", "unit": "parent"})
        if mapping.empty or parents.empty:
            continue
        comp = area.merge(mapping, left_on="unit", right_on="member")
        comp = comp.merge(parents, on=["parent", "indicator", "period", "sex"])
        frames.append(comp[["aggregate", "component"]])
    return pd.concat(frames, ignore_index=True).astype({"aggregate": np.int64, "component": np.int64})


def area_map(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, AreaInfo]:
    """Build the area mapping from (area code, municipality code, district id or None) rows."""
    result: dict[str, AreaInfo] = {}
    for code, municipality, district in rows:
        info = result.setdefault(code, AreaInfo(municipality=municipality))
        if district is not None and district not in info.districts:
            info.districts = (*info.districts, district)
    return result


def code_municipality(code: str, pattern: str) -> str | None:
    """The municipality code an area code starts with, when the code fits its system's pattern."""
    if pattern and not re.fullmatch(pattern, code):
        return None
    return code[:4] if len(code) >= 4 and code[:4].isdigit() else None
