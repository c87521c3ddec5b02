"""Synthetic register data: pseudonymised person-years for demo, tests and benchmarks (Django-free).

`synth_generate` writes a panel — every person lives in every year of the range, ages one year per
year, and a few move — in the microdata schema of `stadsdel.lib.microdata`, as Parquet files of
bounded size. Levels follow each area's `risk` (0 = an ordinary, well-off area, 1 = a priority
district): employment, social assistance, education, school results, sickness days, turnout and
low economic standard are drawn from logistic models whose area term is interpolated linearly in
`risk` on the logit scale, with a business-cycle dip in 2009–2010 and a slow trend otherwise. One
latent disadvantage per person makes outcomes persist over the years and go together (the
non-employed more often receive assistance), as in real registers.

Reported crimes are not a person attribute (a crime is counted where it took place), so they are
written per area as well, to `crimes.csv` in the importer's long form: counts drawn around a rate
per 1 000 inhabitants that rises with `risk`, over the register's own population of the area and
year, plus the sums for municipalities, counties and the country (the areas make up their
municipalities, as in the register).

Determinism: the random streams are keyed on blocks of `BLOCK_PERSONS` persons (a SeedSequence
per block), so the data for a seed does not depend on how the persons are chunked into files.
Changing a constant of this module changes the data of every seed; `GENERATOR_VERSION` says so.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from stadsdel.core.tabular_export import csv_writer

__all__ = [
    "BLOCK_PERSONS",
    "COLUMNS",
    "CRIMES_FILE",
    "CRIME_INDICATOR",
    "ELECTION_YEARS",
    "GENERATOR_VERSION",
    "SynthArea",
    "SynthResult",
    "parse_years",
    "plan_areas",
    "synth_generate",
]

GENERATOR_VERSION = 1
# Persons per random stream. Never change it casually: it is part of what a seed means.
BLOCK_PERSONS = 5_000
# Swedish general elections (municipal, regional and Riksdag on the same day in September).
ELECTION_YEARS = frozenset({2002, 2006, 2010, 2014, 2018, 2022, 2026})
EDUCATION_LEVELS = ("pre_secondary", "secondary", "post_secondary")
FILE_PATTERN = "persons-*.parquet"
CRIMES_FILE = "crimes.csv"
CRIME_INDICATOR = "reported_crimes_per_1000"

# Output schema: column -> DuckDB type. Flags are TINYINT (0/1, NULL where not applicable).
COLUMNS: dict[str, str] = {
    "person_id": "BIGINT",
    "year": "INTEGER",
    "area_code": "VARCHAR",
    "sex": "VARCHAR",
    "age": "INTEGER",
    "employed": "TINYINT",
    "studying": "TINYINT",
    "social_assistance_months": "TINYINT",
    "education_level": "VARCHAR",
    "grade9_eligible": "TINYINT",
    "sick_days": "DOUBLE",
    "voted": "TINYINT",
    "low_economic_standard": "TINYINT",
    "unemployed_days": "SMALLINT",
}


@dataclass(frozen=True)
class SynthArea:
    """An area to populate. `risk` 0..1 (1 = priority district); `weight` is its relative number
    of inhabitants (persons are spread over areas in proportion to it)."""

    code: str
    municipality_code: str
    risk: float
    district: str | None = None
    weight: float = 1.0


@dataclass
class SynthResult:
    """What a run wrote: the Parquet files (in order), rows = persons × years, the area-level
    crimes file and its rows, and its time."""

    out_dir: Path
    files: list[Path]
    rows: int
    persons: int
    years: list[int]
    areas: int
    seconds: float
    crimes: Path
    crime_rows: int


# -- model parameters ------------------------------------------------------------------------
# (level at risk 0, level at risk 1) as probabilities; calibrated by simulation so that a
# priority district lands at the levels and a municipality whose districts hold ~15 %
# of its inhabitants (the rest at risk 0.1-0.3) lands at its levels.
_EMPLOYED = (0.92, 0.63)  # 20-64 before the age profile and long-term sickness
_ASSISTANCE = (0.010, 0.19)  # any month of social assistance, whole population
_POST_SECONDARY = (0.535, 0.225)  # final attainment, 25-64
_PRE_SECONDARY = (0.13, 0.42)  # among those without post-secondary
_GRADE9 = (0.945, 0.72)
_VOTED = (0.89, 0.55)
_LOW_STANDARD = (0.052, 0.33)
_CHRONIC = (0.075, 0.205)  # sickness or activity compensation at age 50
_SICK_EPISODE = (0.13, 0.19)  # a sickness-benefit spell during the year
_UNEMPLOYED = (0.50, 0.62)  # registered unemployed, among the non-employed not studying
# Studying by age band: (band start, level at risk 0, level at risk 1); nobody under 16 or
# over 64 (compulsory school and pensioners are not "studying" in the register's sense).
_STUDYING = ((16, 0.93, 0.86), (20, 0.45, 0.33), (25, 0.17, 0.15), (30, 0.05, 0.09), (45, 0.02, 0.04))
# Spread of the person-level disadvantage on the logit scale, and the factor that keeps the
# marginal level at the target: E[sigmoid(c*m + s*z)] ~ sigmoid(m) for z ~ N(0, 1).
_SIGMA = 1.2
_C = math.sqrt(1 + math.pi * _SIGMA**2 / 8)
_MOVE = (0.03, 0.06)  # yearly probability of moving, by risk
_MOVE_LOCAL = 0.8  # movers who stay in their municipality
_MAX_AGE = 130
# Reported crimes per 1 000 inhabitants at risk 0 and risk 1 (log-linear in between): an ordinary
# area ~85, the surrounding areas (risk 0.1-0.3) ~95-120, a priority district ~250 (most between
# 190 and 330): the range of Stockholm's districts, higher where the risk is. An area's own level
# (spread on the log scale) persists over the years, with a little year-to-year noise on top of
# the Poisson draw.
_CRIMES = (85.0, 250.0)
_CRIME_AREA_SD = 0.15
_CRIME_YEAR_SD = 0.05
_CRIME_TREND = 0.01  # per year on the log scale: reported crime rose slowly in 2006-2012
# The crimes' random stream: apart from the persons' blocks (spawn keys 0, 1, …) and from
# plan_areas (2**31), so adding crimes changed no person-year.
_CRIME_STREAM = 2**31 + 1

_TREND_BASE = 2006


def _cycle(year: int, effects: dict[int, float]) -> float:
    return effects.get(year, 0.0)


def _year_effects(year: int) -> dict[str, float]:
    """Logit shifts per outcome: the 2009-2010 downturn, slow secular trends, election turnout."""
    t = year - _TREND_BASE
    return {
        "employed": 0.025 * t + _cycle(year, {2009: -0.22, 2010: -0.20, 2011: -0.07, 2020: -0.12}),
        "assistance": -0.02 * t + _cycle(year, {2009: 0.12, 2010: 0.18, 2011: 0.10, 2020: 0.05}),
        "grade9": -0.012 * t,
        "chronic": -0.07 * t,  # sickness compensation fell steeply after the 2008 rules
        "episode": 0.03 * max(0, year - 2010),
        "voted": {2002: -0.15, 2006: 0.0, 2010: 0.12, 2014: 0.20, 2018: 0.30, 2022: 0.22, 2026: 0.22}.get(year, 0.0),
        "low_standard": 0.012 * t + _cycle(year, {2009: 0.05, 2010: 0.06}),
        "unemployed": _cycle(year, {2009: 0.25, 2010: 0.30, 2011: 0.15}),
    }


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _by_age(points: Sequence[tuple[int, float]]) -> np.ndarray:
    """A step function of age (band start -> value) as a lookup array over 0.._MAX_AGE."""
    out = np.zeros(_MAX_AGE + 1)
    for start, value in points:
        out[start:] = value
    return out


# Age profiles (logit shifts around the 20-64 level).
_EMP_AGE = _by_age([(0, -50.0), (16, -2.6), (20, -0.75), (25, -0.05), (30, 0.25), (55, 0.05), (60, -0.55), (65, -2.6), (70, -4.0), (75, -50.0)])
_SA_AGE = _by_age([(0, 0.35), (18, 0.45), (25, 0.0), (65, -1.4)])
_VOTE_AGE = _by_age([(0, 0.0), (18, -0.45), (30, -0.1), (50, 0.2), (65, 0.4), (80, -0.2)])
_LOW_AGE = _by_age([(0, 0.35), (18, 0.2), (25, -0.15), (65, 0.1)])
_STUDY_LO = _by_age([(0, -50.0), *((a, _logit(p0)) for a, p0, _p1 in _STUDYING), (65, -50.0)])
_STUDY_HI = _by_age([(0, -50.0), *((a, _logit(p1)) for a, _p0, p1 in _STUDYING), (65, -50.0)])
_EPISODE_AGE = _by_age([(0, 0.0), (16, -0.9), (25, -0.1), (45, 0.2), (60, 0.3)])


def _base_age_weights() -> np.ndarray:
    """Sweden around 2010: flat to 64, then thinning out (0-19 ~24 %, 20-64 ~57 %, 65+ ~19 %)."""
    ages = np.arange(100)
    return np.where(ages < 65, 1.0, np.exp(-(((ages - 65) / 18.0) ** 2)))


def _age_tilt() -> np.ndarray:
    """Log-weights added per unit of risk: priority districts have more children and young
    adults and far fewer old people (Rinkeby: ~33 % under 20, ~8 % 65+)."""
    return _by_age([(0, 0.35), (20, 0.15), (45, -0.2), (65, -0.9)])[:100]


# -- helpers -----------------------------------------------------------------------------------
def _lerp(levels: tuple[float, float], risk: np.ndarray) -> np.ndarray:
    """The area term: linear in risk on the logit scale between the two anchor levels."""
    lo, hi = _logit(levels[0]), _logit(levels[1])
    return lo + risk * (hi - lo)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


_M63 = np.uint64((1 << 63) - 1)


def _splitmix(value: int) -> int:
    z = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def _pseudonyms(index: np.ndarray, seed: int) -> np.ndarray:
    """Person number -> BIGINT pseudonym. Every step is a bijection on 63-bit integers (xor with
    a key, multiplication by an odd number mod 2^63, xor-shift), so pseudonyms never collide and
    do not reveal the order in which persons were made."""
    key = np.uint64(_splitmix(seed) & ((1 << 63) - 1))
    x = index.astype(np.uint64) ^ key
    x = (x * np.uint64(0x9E3779B97F4A7C15)) & _M63
    x ^= x >> np.uint64(31)
    x = (x * np.uint64(0xBF58476D1CE4E5B9)) & _M63
    x ^= x >> np.uint64(29)
    return x.astype(np.int64)


def parse_years(text: str) -> list[int]:
    """'2006-2012' -> [2006, …, 2012]; '2010' -> [2010]. Raises ValueError with the reason."""
    parts = [p.strip() for p in str(text).replace("–", "-").split("-")]
    if len(parts) not in (1, 2) or not all(p.isdigit() and len(p) == 4 for p in parts):
        raise ValueError(f"years must be a year or a range like 2006-2012, not {text!r}")
    first, last = int(parts[0]), int(parts[-1])
    if last < first:
        raise ValueError(f"years {text!r}: the range ends before it starts")
    if first < 1900 or last > 2100:
        raise ValueError(f"years {text!r}: outside 1900-2100")
    return list(range(first, last + 1))


# -- area planning -----------------------------------------------------------------------------
def plan_areas(
    district_areas: Iterable[tuple[str, str, str]],
    *,
    surrounding: int = 4,
    seed: int = 1,
    taken: Iterable[str] = (),
    district_share: tuple[float, float] = (0.10, 0.20),
) -> list[SynthArea]:
    """The areas to populate: the priority districts' areas (risk 1) and, per municipality that
    has districts, `surrounding` areas standing for the rest of the municipality (risk 0.1-0.3).

    `district_areas` are (area code, municipality code, district name); an area listed under two
    districts keeps the first name in alphabetical order. Priority areas get 2 000-6 000
    inhabitants; the surrounding areas together get so many that the districts hold
    `district_share` (drawn per municipality) of the municipality's inhabitants. Surrounding codes
    are the municipality code + 0101, 0102, … skipping `taken` codes and the districts' own.
    Deterministic for a seed.
    """
    if surrounding < 0:
        raise ValueError("surrounding must be 0 or more")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, not {seed}")
    by_code: dict[str, tuple[str, str]] = {}
    for code, municipality, district in sorted(district_areas, key=lambda row: (row[0], row[2])):
        by_code.setdefault(code, (municipality, district))
    used = set(taken) | set(by_code)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**31,)))
    areas: list[SynthArea] = []
    for municipality in sorted({m for m, _d in by_code.values()}):
        mine = sorted(code for code, (m, _d) in by_code.items() if m == municipality)
        weights = rng.uniform(2000, 6000, size=len(mine)).round()
        areas += [
            SynthArea(code, municipality, 1.0, by_code[code][1], float(w)) for code, w in zip(mine, weights, strict=True)
        ]
        if not surrounding:
            continue
        share = rng.uniform(*district_share)
        rest = weights.sum() * (1 - share) / share
        parts = rng.dirichlet(np.full(surrounding, 6.0)) * rest
        risks = rng.uniform(0.1, 0.3, size=surrounding).round(3)
        number = 101
        for part, risk in zip(parts, risks, strict=True):
            while f"{municipality}{number:04d}" in used:
                number += 1
            if number > 9999:
                raise ValueError(f"no free area codes left in municipality {municipality}")
            code = f"{municipality}{number:04d}"
            used.add(code)
            areas.append(SynthArea(code, municipality, float(risk), None, float(part.round())))
    return areas


# -- generation --------------------------------------------------------------------------------
@dataclass
class _Context:
    seed: int
    years: list[int]
    codes: list[str]
    risk: np.ndarray
    cum: np.ndarray  # cumulative weights, areas sorted by municipality
    muni: np.ndarray  # municipality index of each area
    muni_lo: np.ndarray  # cumulative weight where each municipality starts
    muni_hi: np.ndarray
    age_cdf: np.ndarray  # (areas, 100) cumulative age distribution at the first year
    effects: dict[int, dict[str, float]]


def _context(areas: Sequence[SynthArea], years: list[int], seed: int) -> _Context:
    ordered = sorted(areas, key=lambda a: (a.municipality_code, a.code))
    codes = [a.code for a in ordered]
    risk = np.array([a.risk for a in ordered], dtype=float)
    weight = np.array([a.weight for a in ordered], dtype=float)
    munis = sorted({a.municipality_code for a in ordered})
    muni = np.array([munis.index(a.municipality_code) for a in ordered])
    cum = np.cumsum(weight)
    start = cum - weight
    muni_lo = np.array([start[muni == i].min() for i in range(len(munis))])
    muni_hi = np.array([cum[muni == i].max() for i in range(len(munis))])
    log_w = np.log(_base_age_weights())[None, :] + risk[:, None] * _age_tilt()[None, :]
    w = np.exp(log_w)
    age_cdf = np.cumsum(w, axis=1) / w.sum(axis=1, keepdims=True)
    return _Context(seed, years, codes, risk, cum, muni, muni_lo, muni_hi, age_cdf, {y: _year_effects(y) for y in years})


def _pick(ctx: _Context, x: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(ctx.cum, x, side="right"), len(ctx.codes) - 1)


def _block(ctx: _Context, block: int, n: int) -> dict[str, np.ndarray]:
    """Person-years of persons block*BLOCK_PERSONS … +n, year-major. Draws happen in a fixed
    order from the block's own stream, so the block's data depends only on (seed, block)."""
    rng = np.random.default_rng(np.random.SeedSequence(ctx.seed, spawn_key=(block,)))
    first = ctx.years[0]

    # Who the persons are (fixed over the panel).
    area = _pick(ctx, rng.random(n) * ctx.cum[-1])
    risk0 = ctx.risk[area]
    age0 = (ctx.age_cdf[area] < rng.random(n)[:, None]).sum(axis=1)
    p_woman = np.where(age0 < 20, 0.487, np.where(age0 < 70, 0.497, 0.56))
    woman = rng.random(n) < p_woman
    z = rng.standard_normal(n)  # latent disadvantage
    person_id = _pseudonyms(block * BLOCK_PERSONS + np.arange(n, dtype=np.int64), ctx.seed)
    sex_sign = np.where(woman, 1.0, -1.0)
    # Final education: later cohorts and women study longer; set by where one grew up.
    birth = first - age0
    m_post = _lerp(_POST_SECONDARY, risk0) + 0.012 * (birth - 1965) + 0.28 * sex_sign
    final = np.where(rng.random(n) < _sigmoid(_C * m_post - _SIGMA * z), 3, 2)
    pre = rng.random(n) < _sigmoid(_C * _lerp(_PRE_SECONDARY, risk0) + _SIGMA * z)
    final = np.where((final == 2) & pre, 1, final)
    # Long-term sickness: a fixed threshold against a risk that rises with age, so a person who
    # is on sickness compensation mostly stays on it; the benefit rate is the person's own.
    u_chronic = rng.random(n)
    rate = rng.choice(np.array([1.0, 0.75, 0.5, 0.25]), size=n, p=[0.6, 0.15, 0.15, 0.1])
    m_chronic = _lerp(_CHRONIC, risk0) + 0.2 * sex_sign

    columns: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}
    for year in ctx.years:
        fx = ctx.effects[year]
        if year != first:
            mover = rng.random(n) < (_MOVE[0] + (_MOVE[1] - _MOVE[0]) * ctx.risk[area])
            local = rng.random(n) < _MOVE_LOCAL
            m = ctx.muni[area]
            lo = np.where(local, ctx.muni_lo[m], 0.0)
            hi = np.where(local, ctx.muni_hi[m], ctx.cum[-1])
            area = np.where(mover, _pick(ctx, lo + rng.random(n) * (hi - lo)), area)
        age = np.minimum(age0 + (year - first), _MAX_AGE)
        r = ctx.risk[area]
        working = (age >= 16) & (age <= 64)

        chronic = (
            (age >= 20) & (age <= 64)
            & (u_chronic < _sigmoid(m_chronic + 0.085 * (age - 50) + fx["chronic"] + 0.5 * z))
        )
        m_emp = _lerp(_EMPLOYED, r) + _EMP_AGE[age] + fx["employed"] - 0.12 * sex_sign
        eta_emp = _C * m_emp - _SIGMA * z - np.where(chronic, 6.0 * rate, 0.0)
        employed = rng.random(n) < _sigmoid(eta_emp)

        m_study = _STUDY_LO[age] + r * (_STUDY_HI[age] - _STUDY_LO[age]) + 0.15 * sex_sign
        studying = rng.random(n) < _sigmoid(m_study)

        m_sa = _lerp(_ASSISTANCE, r) + _SA_AGE[age] + fx["assistance"]
        assisted = rng.random(n) < _sigmoid(_C * m_sa + _SIGMA * z)
        long_spell = rng.random(n) < 0.3 + 0.3 * r
        u_months = rng.random(n)
        months = np.where(long_spell, 10 + np.floor(3 * u_months), 1 + np.floor(9 * u_months**1.3))
        months = np.where(assisted, months, 0)

        education = np.where(age < 16, 0, np.where(age < 19, 1, np.where(age < 22, np.minimum(final, 2), final)))

        m_g9 = _lerp(_GRADE9, r) + fx["grade9"] + 0.3 * sex_sign
        grade9 = np.where(age == 16, rng.random(n) < _sigmoid(_C * m_g9 - _SIGMA * z), -1)

        m_ep = _lerp(_SICK_EPISODE, r) + _EPISODE_AGE[age] + fx["episode"] + 0.35 * sex_sign
        episode = working & ~chronic & (rng.random(n) < _sigmoid(m_ep + 0.4 * z))
        spell = np.minimum(365.0, 14.0 + rng.gamma(0.9, 45.0, size=n))
        spell_rate = np.where(rng.random(n) < 0.85, 1.0, 0.5)
        sick = np.where(chronic, 365.0 * rate, np.where(episode, np.round(spell * spell_rate * 4) / 4, 0.0))

        if year in ELECTION_YEARS:
            m_vote = _lerp(_VOTED, r) + _VOTE_AGE[age] + fx["voted"] + 0.1 * sex_sign
            voted = np.where(age >= 18, rng.random(n) < _sigmoid(_C * m_vote - _SIGMA * z), -1)
        else:
            voted = np.full(n, -1)

        m_low = _lerp(_LOW_STANDARD, r) + _LOW_AGE[age] + fx["low_standard"]
        low = rng.random(n) < _sigmoid(_C * m_low + _SIGMA * z)

        idle = working & ~employed & ~studying & ~(chronic & (rate == 1.0))
        p_unemp = np.where(
            idle, _sigmoid(_lerp(_UNEMPLOYED, r) + fx["unemployed"]), np.where(working & employed, 0.07, 0.04) * working
        )
        unemployed = rng.random(n) < p_unemp
        u_days = rng.random(n)
        days = np.where(idle, 30 + np.floor(335 * u_days**0.7), 10 + np.floor(160 * u_days))
        days = np.where(unemployed, days, 0)

        columns["person_id"].append(person_id)
        columns["year"].append(np.full(n, year, dtype=np.int32))
        columns["area_code"].append(area.astype(np.int32))
        columns["sex"].append(woman.astype(np.int8))
        columns["age"].append(age.astype(np.int32))
        columns["employed"].append(employed.astype(np.int8))
        columns["studying"].append(studying.astype(np.int8))
        columns["social_assistance_months"].append(months.astype(np.int8))
        columns["education_level"].append(education.astype(np.int8))
        columns["grade9_eligible"].append(grade9.astype(np.int8))
        columns["sick_days"].append(sick)
        columns["voted"].append(voted.astype(np.int8))
        columns["low_economic_standard"].append(low.astype(np.int8))
        columns["unemployed_days"].append(days.astype(np.int16))
    return {name: np.concatenate(parts) for name, parts in columns.items()}


# The chunk frame holds codes (sex flag, education number, -1 for "not applicable"; the area as
# a pandas Categorical, which DuckDB reads as an ENUM); this SELECT turns them into the schema's
# values and types while DuckDB writes the file. A plain projection keeps the rows in the order
# they were made (no sort: it would double the time and the memory of writing a chunk).
_COPY_SQL = """
    SELECT person_id::BIGINT AS person_id,
           year::INTEGER AS year,
           area_code::VARCHAR AS area_code,
           CASE WHEN sex = 1 THEN 'K' ELSE 'M' END AS sex,
           age::INTEGER AS age,
           employed::TINYINT AS employed,
           studying::TINYINT AS studying,
           social_assistance_months::TINYINT AS social_assistance_months,
           CASE education_level WHEN 1 THEN 'pre_secondary' WHEN 2 THEN 'secondary'
                WHEN 3 THEN 'post_secondary' END AS education_level,
           NULLIF(grade9_eligible, -1)::TINYINT AS grade9_eligible,
           sick_days::DOUBLE AS sick_days,
           NULLIF(voted, -1)::TINYINT AS voted,
           low_economic_standard::TINYINT AS low_economic_standard,
           unemployed_days::SMALLINT AS unemployed_days
    FROM chunk
"""


def synth_generate(
    *,
    areas: list[SynthArea],
    persons: int,
    years: range | list[int],
    seed: int,
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
    chunk_persons: int = 250_000,
) -> SynthResult:
    """Write `persons` × `len(years)` person-years to `out_dir/persons-NNNNN.parquet` (one file
    per chunk of persons), plus `areas.json` and `manifest.json`. Memory is bounded by the chunk:
    the panel is never held whole. Old `persons-*.parquet` files in `out_dir` are removed first,
    so a glob over the directory never mixes two runs."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    year_list = sorted(int(y) for y in years)
    if persons < 1:
        raise ValueError(f"persons must be at least 1, not {persons}")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, not {seed}")
    if not year_list:
        raise ValueError("years must not be empty")
    if len(set(year_list)) != len(year_list):
        raise ValueError("years must not repeat")
    if not areas:
        raise ValueError("no areas to populate")
    codes = [a.code for a in areas]
    if len(set(codes)) != len(codes):
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        raise ValueError(f"area codes must be unique: {', '.join(duplicates[:5])}")
    for a in areas:
        if not 0.0 <= a.risk <= 1.0:
            raise ValueError(f"area {a.code}: risk must be between 0 and 1, not {a.risk}")
        if not a.weight > 0:
            raise ValueError(f"area {a.code}: weight must be positive, not {a.weight}")
    if chunk_persons < 1:
        raise ValueError("chunk_persons must be at least 1")

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(FILE_PATTERN):
        old.unlink()

    ctx = _context(areas, year_list, seed)
    # Chunks hold whole blocks, so the random streams (and the data) are the same whatever
    # the chunk size.
    blocks_per_chunk = max(1, math.ceil(chunk_persons / BLOCK_PERSONS))
    n_blocks = math.ceil(persons / BLOCK_PERSONS)
    n_chunks = math.ceil(n_blocks / blocks_per_chunk)
    files: list[Path] = []
    rows = 0
    done = 0
    # Registered inhabitants per (year, area): the crimes' denominators are the register's persons.
    population = np.zeros((len(year_list), len(ctx.codes)), dtype=np.int64)
    con = duckdb.connect()
    try:
        for chunk in range(n_chunks):
            parts = []
            for block in range(chunk * blocks_per_chunk, min(n_blocks, (chunk + 1) * blocks_per_chunk)):
                n = min(BLOCK_PERSONS, persons - block * BLOCK_PERSONS)
                parts.append(_block(ctx, block, n))
                done += n
            frame = pd.DataFrame({name: np.concatenate([p[name] for p in parts]) for name in COLUMNS})
            year_pos = np.searchsorted(year_list, frame["year"].to_numpy())
            population += np.bincount(
                year_pos * len(ctx.codes) + frame["area_code"].to_numpy(), minlength=population.size,
            ).reshape(population.shape)
            frame["area_code"] = pd.Categorical.from_codes(frame["area_code"].to_numpy(), categories=ctx.codes)
            del parts
            path = out_dir / f"persons-{chunk:05d}.parquet"
            partial = path.with_suffix(".parquet.partial")
            con.register("chunk", frame)
            con.execute(
                f"COPY ({_COPY_SQL}) TO '{_sql_path(partial)}' (FORMAT PARQUET, COMPRESSION ZSTD)"
            )
            con.unregister("chunk")
            partial.replace(path)
            rows += len(frame)
            del frame
            files.append(path)
            say(f"chunk {chunk + 1}/{n_chunks}, {_thousands(done)} persons, {_thousands(rows)} rows")
    finally:
        con.close()
    crimes, crime_rows = _crimes_write(ctx, areas, population, out_dir)

    area_rows = [
        {"code": a.code, "municipality_code": a.municipality_code, "risk": a.risk, "district": a.district,
         "weight": a.weight}
        for a in sorted(areas, key=lambda a: (a.municipality_code, a.code))
    ]
    (out_dir / "areas.json").write_text(json.dumps(area_rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    manifest = {
        "generator": "stadsdel.demo.synth",
        "generator_version": GENERATOR_VERSION,
        "args": {"persons": persons, "years": year_list, "seed": seed, "chunk_persons": chunk_persons},
        "seed": seed,
        "persons": persons,
        "years": year_list,
        "rows": rows,
        "areas": len(areas),
        "files": [f.name for f in files],
        "columns": COLUMNS,
        "crimes": {"file": crimes.name, "indicator": CRIME_INDICATOR, "rows": crime_rows},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return SynthResult(
        out_dir, files, rows, persons, year_list, len(areas), time.perf_counter() - started, crimes, crime_rows,
    )


def _crimes_write(ctx: _Context, areas: Sequence[SynthArea], population: np.ndarray, out_dir: Path) -> tuple[Path, int]:
    """Write `crimes.csv`: reported crimes per area and year over the register's population, and
    their sums per municipality, county (the municipality code's first two digits, as Swedish
    codes are built) and the country. Deterministic for (seed, areas, years): the counts come from
    a stream of their own, drawn in a fixed order whatever the persons' chunking."""
    rng = np.random.default_rng(np.random.SeedSequence(ctx.seed, spawn_key=(_CRIME_STREAM,)))
    lo, hi = math.log(_CRIMES[0]), math.log(_CRIMES[1])
    area_level = lo + ctx.risk * (hi - lo) + rng.normal(0.0, _CRIME_AREA_SD, size=len(ctx.codes))
    counts = np.zeros_like(population)
    for i, year in enumerate(ctx.years):
        log_rate = area_level + _CRIME_TREND * (year - _TREND_BASE) + rng.normal(0.0, _CRIME_YEAR_SD, size=len(ctx.codes))
        counts[i] = rng.poisson(np.exp(log_rate) * population[i] / 1000.0)
    municipality = {a.code: a.municipality_code for a in areas}
    # The unit each area belongs to, level by level: itself, its municipality, county, country.
    levels = (
        np.array(ctx.codes),
        np.array([municipality[c] for c in ctx.codes]),
        np.array([municipality[c][:2] for c in ctx.codes]),
        np.array(["SE"] * len(ctx.codes)),
    )
    rows: list[list] = [["indicator", "area", "period", "value", "numerator", "denominator"]]
    for keys in levels:
        for unit in sorted(set(keys)):
            members = keys == unit
            for i, year in enumerate(ctx.years):
                den = int(population[i, members].sum())
                if den == 0:
                    continue  # nobody lives there that year: a rate per inhabitant has no meaning
                num = int(counts[i, members].sum())
                # The writer keeps every digit (repr), so a re-run imports exactly the same figures.
                rows.append([CRIME_INDICATOR, str(unit), year, 1000.0 * num / den, num, den])
    path = out_dir / CRIMES_FILE
    partial = path.with_suffix(".csv.partial")
    with partial.open("w", encoding="utf-8", newline="") as f:
        csv_writer(f, lineterminator="\n").writerows(rows)
    partial.replace(path)
    return path, len(rows) - 1


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")
