"""SCB's socio-economic index and area types (områdestyper) for a set of areas (Django-free).

Method
------
SCB computes a socio-economic index per area (RegSO) from three shares, all in per cent:

* V1 — residents with a low economic standard (catalogue: `low_economic_standard_share`);
* V2 — residents aged 20–64 with at most pre-secondary education (`pre_secondary_education_20_64`);
* V3 — residents aged 20–64 with social assistance for at least 10 months of the year and/or
  unemployed for more than 180 days (`long_term_assistance_or_unemployment_20_64`).

The index is their plain mean, as SCB's table footnote states it: "(V1+V2+V3)/3". Higher is worse.

The areas are then sorted into five types. SCB says only that the types "baseras på hur många
standardavvikelser från indexets medelvärde ett RegSO ligger" (are based on how many standard
deviations from the index's mean an area lies). The cut-offs used here are those of public
reimplementations — e.g. the xemarap/desocioek package (METHOD.md), which cites SCB's
"Indelning i områdestyper efter socioekonomiskt index" (2025) — with μ the unweighted mean and sd
the sample standard deviation (ddof = 1, as pandas' `std()`) of the index over the areas
classified:

====  ========================  ================================================================
type  index                     name (Delmos/Boverket, Segregationsbarometern)
====  ========================  ================================================================
1     idx ≥ μ + 2sd             Områden med stora socioekonomiska utmaningar
2     μ + sd ≤ idx < μ + 2sd    Områden med socioekonomiska utmaningar
3     μ ≤ idx < μ + sd          Socioekonomiskt blandade områden
4     μ − sd ≤ idx < μ          Områden med goda socioekonomiska förutsättningar
5     idx < μ − sd              Områden med mycket goda socioekonomiska förutsättningar
====  ========================  ================================================================

Because SCB's wording does not fix the cut-offs, they are a parameter (`cutoffs`, in standard
deviations, default (2, 1, 0, −1)), and so is `ddof`; a published typology names both.

What the result means
---------------------
* The types are relative: μ and sd come from the areas passed in, so classifying one
  municipality's areas gives a local typology, not SCB's national one (SCB uses every RegSO in
  the country). Pass one year at a time; a change of type over the years can come from the
  other areas as much as from the area itself. The index value is the absolute measure.
* Every area counts once, whatever its population: the mean and sd are taken over areas, as
  SCB's wording and the reimplementations have it.
* desocioek's DeSO variant substitutes what SCB publishes per DeSO (education 25–64, the share
  unemployed for V3); figures computed that way are a different index, not this one.
* An area missing any of V1..V3 gets no index and no type, and does not count in μ and sd: a
  missing share is never guessed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_CUTOFFS",
    "TYPE_NAMES",
    "TYPE_NAMES_EN",
    "VARIABLES",
    "AreaType",
    "TypologyError",
    "TypologyResult",
    "cutoffs_validate",
    "typology_compute",
]

# The catalogue indicators behind V1, V2 and V3.
VARIABLES: dict[str, str] = {
    "v1": "low_economic_standard_share",
    "v2": "pre_secondary_education_20_64",
    "v3": "long_term_assistance_or_unemployment_20_64",
}
DEFAULT_CUTOFFS: tuple[float, ...] = (2.0, 1.0, 0.0, -1.0)
TYPE_NAMES: dict[int, str] = {
    1: "Områden med stora socioekonomiska utmaningar",
    2: "Områden med socioekonomiska utmaningar",
    3: "Socioekonomiskt blandade områden",
    4: "Områden med goda socioekonomiska förutsättningar",
    5: "Områden med mycket goda socioekonomiska förutsättningar",
}
TYPE_NAMES_EN: dict[int, str] = {
    1: "Areas with major socio-economic challenges",
    2: "Areas with socio-economic challenges",
    3: "Socio-economically mixed areas",
    4: "Areas with good socio-economic conditions",
    5: "Areas with very good socio-economic conditions",
}


class TypologyError(ValueError):
    """The input cannot be classified; the message names the column, area or parameter."""


@dataclass(frozen=True)
class AreaType:
    """One area's variables, index, distance from the mean (in sd) and type; None where a
    variable is missing."""

    area: object
    v1: float | None
    v2: float | None
    v3: float | None
    index: float | None
    sds_from_mean: float | None
    type: int | None

    @property
    def name(self) -> str:
        return TYPE_NAMES[self.type] if self.type is not None else ""

    @property
    def name_en(self) -> str:
        return TYPE_NAMES_EN[self.type] if self.type is not None else ""


@dataclass(frozen=True)
class TypologyResult:
    """μ and sd of the index over the `n` areas classified, the cut-offs (in sd) and the index
    values they correspond to, and one row per input area in input order (`frame`: columns
    area, v1, v2, v3, index, sds_from_mean, type — `type` a nullable integer)."""

    mean: float
    sd: float
    cutoffs: tuple[float, ...]
    ddof: int
    n: int
    frame: pd.DataFrame

    @property
    def thresholds(self) -> tuple[float, ...]:
        """The index values μ + k·sd at which types 1, 2, 3 and 4 begin."""
        return tuple(self.mean + k * self.sd for k in self.cutoffs)

    def rows(self) -> list[AreaType]:
        def number(x) -> float | None:
            return None if pd.isna(x) else float(x)

        return [
            AreaType(
                r.area, number(r.v1), number(r.v2), number(r.v3), number(r.index), number(r.sds_from_mean),
                None if pd.isna(r.type) else int(r.type),
            )
            for r in self.frame.itertuples(index=False)
        ]

    def counts(self) -> dict[int, int]:
        """Areas per type, every type listed (0 where none)."""
        found = self.frame["type"].dropna().astype(int).value_counts()
        return {t: int(found.get(t, 0)) for t in TYPE_NAMES}


def cutoffs_validate(cutoffs: Sequence[float]) -> tuple[float, ...]:
    """Four finite, strictly decreasing numbers of standard deviations: where types 1, 2, 3
    and 4 begin. Anything else would leave a type empty by construction or overlap two."""
    try:
        values = tuple(float(c) for c in cutoffs)
    except (TypeError, ValueError) as exc:
        raise TypologyError(f"cut-offs must be numbers of standard deviations, not {cutoffs!r}") from exc
    if len(values) != len(TYPE_NAMES) - 1:
        raise TypologyError(
            f"cut-offs: {len(TYPE_NAMES)} types need {len(TYPE_NAMES) - 1} cut-offs, not {len(values)} ({values})"
        )
    if not all(math.isfinite(v) for v in values):
        raise TypologyError(f"cut-offs must be finite numbers, not {values}")
    if any(a <= b for a, b in itertools.pairwise(values)):
        raise TypologyError(f"cut-offs must be strictly decreasing (type 1 highest), not {values}")
    return values


def _shares(frame: pd.DataFrame, column: str) -> pd.Series:
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    not_numbers = values.isna() & raw.notna()
    if not_numbers.any():
        shown = ", ".join(str(a) for a in frame.loc[not_numbers, "area"].head(5))
        raise TypologyError(f"{column}: not a number for area(s) {shown}")
    outside = values.notna() & ~values.between(0.0, 100.0)
    if outside.any():
        shown = ", ".join(f"{a} ({v:g})" for a, v in zip(frame.loc[outside, "area"].head(5), values[outside].head(5), strict=True))
        raise TypologyError(f"{column}: a share in per cent must lie within 0–100, not for {shown}")
    return values


def typology_compute(
    frame: pd.DataFrame, *, cutoffs: Sequence[float] = DEFAULT_CUTOFFS, ddof: int = 1,
) -> TypologyResult:
    """Index and area type for every area of `frame` (columns area, v1, v2, v3; shares in per
    cent, missing as NaN or None; other columns are ignored). Raises TypologyError on bad input,
    bad cut-offs, or fewer than two areas with all three variables."""
    cut = cutoffs_validate(cutoffs)
    if isinstance(ddof, bool) or not isinstance(ddof, (int, np.integer)) or ddof < 0:
        raise TypologyError(f"ddof must be 0 or a positive integer, not {ddof!r}")
    missing = [c for c in ("area", *VARIABLES) if c not in frame.columns]
    if missing:
        raise TypologyError(f"missing column(s) {', '.join(missing)} (expected area, v1, v2, v3)")
    areas = frame["area"]
    if areas.isna().any():
        raise TypologyError(f"{int(areas.isna().sum())} row(s) without an area")
    duplicated = areas[areas.duplicated()]
    if not duplicated.empty:
        raise TypologyError(f"area(s) listed more than once: {', '.join(map(str, duplicated.unique()[:5]))}")

    out = pd.DataFrame({"area": areas.to_numpy()})
    for column in VARIABLES:
        out[column] = _shares(frame, column).to_numpy()
    complete = out[list(VARIABLES)].notna().all(axis=1).to_numpy()
    # NaN where any variable is missing: such an area has no index, and no type.
    out["index"] = (out["v1"] + out["v2"] + out["v3"]) / 3.0
    values = out.loc[complete, "index"].to_numpy(dtype=float)
    n = len(values)
    if n < 2 or n <= ddof:
        raise TypologyError(
            f"{n} area(s) with all of V1, V2 and V3: at least {max(2, ddof + 1)} are needed for a mean and a "
            "standard deviation"
        )
    mean = float(np.mean(values))
    sd = float(np.std(values, ddof=ddof))
    # Equal indices everywhere: every area would lie at every cut-off at once.
    if not sd > 1e-12 * max(1.0, abs(mean)):
        raise TypologyError(f"the index is the same ({mean:g}) for all {n} areas: no standard deviation to classify by")
    out["sds_from_mean"] = (out["index"] - mean) / sd
    # Compared on the index scale (idx ≥ μ + k·sd), as the published method states the bounds.
    types = np.full(len(out), len(cut) + 1, dtype=float)
    index = out["index"].to_numpy(dtype=float)
    for number, k in reversed(list(enumerate(cut, start=1))):
        types = np.where(index >= mean + k * sd, float(number), types)
    types[~complete] = np.nan
    out["type"] = pd.array(types, dtype="Int64")
    return TypologyResult(mean=mean, sd=sd, cutoffs=cut, ddof=int(ddof), n=n, frame=out)
