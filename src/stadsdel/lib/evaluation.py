"""Did the interventions work? Estimators for district evaluations (Django-free).

Two designs, both on a long panel of one outcome (a pandas frame with the columns `unit`, `year`,
`value`), both returning frozen dataclasses that say which units and years they used:

- Difference-in-differences (`did_estimate`): two-way fixed effects (unit and year) fitted with
  linearmodels' PanelOLS, standard errors clustered by unit. The single coefficient on
  "treated × post" is the average effect over the post years; the event-study version gives one
  coefficient per year relative to the year before the start, so pre-trends show. The clustered
  variance carries the small-sample factor G/(G − 1) · (N − 1)/(N − K) (as Stata's `regress`
  with the dummies and vce(cluster)), and intervals use Student's t with G − 1 degrees of freedom
  (G = number of clusters), wider than the normal approximation when units are few.
- Synthetic control (`synth_estimate`, Abadie, Diamond & Hainmueller 2010): non-negative donor
  weights summing to one that minimise the squared pre-period gap between the treated unit and
  the weighted donors; the effect per post year is the gap; inference by in-space placebos: every
  donor in turn is treated as if it had been treated (the real treated unit left out of its
  donors), and the p-value is the share of all units whose post/pre RMSPE ratio is at least the
  treated unit's.

A design too thin to say anything honest (too few comparison units or years) raises
`DesignRefused` instead of returning a number. Each refusal and each stated assumption has a
stable code, so the web pages can translate them; the English message is for the command line.
A design that gives a number which should not be trusted (one treated district, a rejected
pre-trend, a poor pre-period fit, …) says so in `notes`: stable codes decided here, once, which
the page translates and `as_json` turns into `warnings` with an English sentence.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = [
    "LEVEL",
    "WARNINGS",
    "DesignRefused",
    "DidResult",
    "EvaluationInputError",
    "Neighbour",
    "PlaceboRun",
    "SynthResult",
    "YearEffect",
    "comparison_nearest",
    "did_estimate",
    "panel_csv_read",
    "simplex_weights",
    "synth_estimate",
]

LEVEL = 0.95
# A pre-trend can only be looked at with a year besides the reference year, so DiD needs two.
MIN_DID_PRE_YEARS = 2
MIN_DID_COMPARISON = 2
# Weights fitted to fewer than three pre-years match almost anything; the fit would mean nothing.
MIN_SYNTH_PRE_YEARS = 3
MIN_SYNTH_DONORS = 2
MIN_POST_YEARS = 1
PANEL_COLUMNS = ("unit", "year", "indicator", "value")

# When a result warns (its `notes`). Pre-trend tests have little power with the few years and
# districts of an evaluation (Roth 2022), so a rejection already at the 10 % level is worth a
# warning: a pre-trend missed costs more than a caveat too many.
PRE_TREND_ALPHA = 0.10
# Clustered errors rest on many clusters; below about 20 their intervals are approximate.
FEW_CLUSTERS = 20
# With n units the smallest placebo p-value is 1/n; below 20 units it cannot reach 0.05.
COARSE_PLACEBO_UNITS = 20
# The synthetic control's pre-period RMSPE against the standard deviation of the treated
# district's own pre-period values: above one half, the synthetic path explains less than about
# three quarters of the district's variation before the start (1 − 0.5²), and its post-period
# gaps cannot be told apart from misfit. Relative to the district's own spread, so the rule
# means the same for shares, rates and counts. (Abadie, Diamond & Hainmueller 2015 advise
# against the method without a good pre-period fit.)
POOR_FIT_RATIO = 0.5

# The English sentence of every warning code (the command line and the API); the evaluation
# page has its own translated words for the same codes (`evaluation/render.py`).
WARNINGS = {
    "single_treated_cluster": (
        "only one treated unit: standard errors clustered by unit are unreliable with a single treated "
        "cluster, so the interval and p-value may be far too optimistic; prefer the synthetic control "
        "and its placebo test"),
    "few_clusters": "only {clusters} units in all (fewer than {limit}): the interval is approximate",
    "pre_trend_rejected": (
        "the years before the start differ jointly from zero (pre-trend test p = {p:.2g} < {alpha:.2f}): "
        "the parallel-trends assumption is in doubt, and so is the estimate"),
    "coarse_placebo_p": (
        "only {units} units in the placebo test (fewer than {limit}): the smallest possible p-value is "
        "1/{units} = {p_min:.3g}"),
    "poor_pre_fit": (
        "the synthetic control follows the treated unit poorly before the start (pre-period RMSPE "
        "{rmspe:.4g} is more than {ratio:g} × the unit's own pre-period standard deviation {sd:.4g}): "
        "the gaps after the start say little"),
    "outside_donor_range": (
        "in some year before the start the treated unit lies outside the range of every donor, so no "
        "weighted average of donors can match it there"),
}


def _warnings(notes: Iterable[str], **params) -> list[dict]:
    return [{"code": code, "message": WARNINGS[code].format(**params)} for code in notes]


class EvaluationInputError(ValueError):
    """The input cannot be read as a panel, or names a unit or outcome that is not in it."""


class DesignRefused(EvaluationInputError):
    """The design is too thin for the method: a clear refusal, not a number.

    `code` is stable (the pages translate it); `params` fill the message."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params

    def __reduce__(self):
        # Results are cached (pickled) with their refusals; the default would lose the code.
        return (self.__class__, (self.code, str(self)), {"params": self.params})


@dataclass(frozen=True)
class YearEffect:
    """The estimated effect in one calendar year, with its interval where the method has one."""

    year: int
    effect: float
    ci_low: float | None = None
    ci_high: float | None = None

    def as_json(self) -> dict:
        return {"year": self.year, "effect": _num(self.effect), "ci_low": _num(self.ci_low),
                "ci_high": _num(self.ci_high)}


@dataclass(frozen=True)
class GroupMean:
    """The plain mean of the outcome in one year for the treated and the comparison units."""

    year: int
    treated: float | None
    comparison: float | None


@dataclass(frozen=True)
class DidResult:
    """A difference-in-differences estimate, its event study and what it rests on."""

    effect: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float
    start: int
    reference_year: int
    treated: tuple[str, ...]
    comparison: tuple[str, ...]
    pre_years: tuple[int, ...]
    post_years: tuple[int, ...]
    n_obs: int
    clusters: int
    per_year: tuple[YearEffect, ...]  # event study: every year but the reference year
    pre_trend_p: float | None  # joint test that every pre-year coefficient is zero
    pre_fit_rmspe: float  # spread of the treated-minus-comparison gap around its pre-period mean
    means: tuple[GroupMean, ...]
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    method: str = "did"

    @property
    def assumptions(self) -> tuple[str, ...]:
        return ("parallel_trends", "no_anticipation", "no_spillover", "common_start", "clustered_by_unit")

    @property
    def warnings(self) -> list[dict]:
        """`notes` as `{code, message}`, in the order they were found."""
        return _warnings(self.notes, clusters=self.clusters, limit=FEW_CLUSTERS, p=self.pre_trend_p or 0.0,
                         alpha=PRE_TREND_ALPHA)

    def as_json(self) -> dict:
        return {
            "method": "did", "effect": _num(self.effect), "ci_low": _num(self.ci_low), "ci_high": _num(self.ci_high),
            "p_value": _num(self.p_value), "pre_fit_rmspe": _num(self.pre_fit_rmspe),
            "per_year": [y.as_json() for y in self.per_year], "warnings": self.warnings,
        }


@dataclass(frozen=True)
class PlaceboRun:
    """One in-space placebo: a donor treated as if it had been treated."""

    unit: str
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    gaps: tuple[float, ...]  # per year of `SynthResult.years`


@dataclass(frozen=True)
class SynthResult:
    """A synthetic-control estimate for one treated unit with its placebo inference."""

    treated: str
    start: int
    weights: dict[str, float]  # every donor, also those weighted zero
    years: tuple[int, ...]
    pre_years: tuple[int, ...]
    post_years: tuple[int, ...]
    treated_values: tuple[float, ...]
    synthetic_values: tuple[float, ...]
    effect: float  # mean of the post-year gaps
    pre_fit_rmspe: float
    post_rmspe: float
    ratio: float
    rank: int  # units (the treated one included) whose ratio is at least the treated unit's
    p_value: float  # rank / number of units
    placebos: tuple[PlaceboRun, ...]
    per_year: tuple[YearEffect, ...]  # post years only; no interval (the placebos are the inference)
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    method: str = "synth"

    @property
    def assumptions(self) -> tuple[str, ...]:
        return ("convex_hull", "no_anticipation", "no_spillover", "donors_untreated", "placebo_exchangeable")

    @property
    def gaps(self) -> tuple[float, ...]:
        return tuple(t - s for t, s in zip(self.treated_values, self.synthetic_values, strict=True))

    @property
    def n_units(self) -> int:
        return 1 + len(self.placebos)

    @property
    def pre_sd(self) -> float:
        """The standard deviation of the treated unit's own pre-period values (the fit's yardstick)."""
        return float(np.std(self.treated_values[:len(self.pre_years)]))

    @property
    def warnings(self) -> list[dict]:
        """`notes` as `{code, message}`, in the order they were found."""
        return _warnings(self.notes, units=self.n_units, limit=COARSE_PLACEBO_UNITS, p_min=1 / self.n_units,
                         rmspe=self.pre_fit_rmspe, ratio=POOR_FIT_RATIO, sd=self.pre_sd)

    def as_json(self) -> dict:
        return {
            "method": "synth", "effect": _num(self.effect), "ci_low": None, "ci_high": None,
            "p_value": _num(self.p_value), "pre_fit_rmspe": _num(self.pre_fit_rmspe),
            "per_year": [y.as_json() for y in self.per_year],
            "donor_weights": {unit: _num(w) for unit, w in self.weights.items()},
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class Neighbour:
    """A candidate comparison unit and how close its pre-period is to the nearest treated unit."""

    unit: str
    level: float
    trend: float
    distance: float


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# -- input -------------------------------------------------------------------------------------

def panel_csv_read(source, *, outcome: str, name: str = "PANEL.csv") -> pd.DataFrame:
    """Read `unit,year,indicator,value` (a path or text) and keep the rows of `outcome`.

    Units stay strings (leading zeros kept); an empty value is a missing year. Anything else
    that is not a number, a repeated unit-year-indicator or a missing column is an error naming
    the line."""
    if hasattr(source, "read_text"):
        try:
            text = source.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise EvaluationInputError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise EvaluationInputError(f"{name}: not UTF-8 text") from None
    else:
        text = str(source)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in PANEL_COLUMNS if c not in header]
    if missing:
        raise EvaluationInputError(f"{name}: missing column(s) {', '.join(missing)}; expected {','.join(PANEL_COLUMNS)}")
    reader.fieldnames = header
    rows: list[tuple[str, int, float]] = []
    seen: set[tuple[str, int, str]] = set()
    indicators: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        unit = (raw.get("unit") or "").strip()
        indicator = (raw.get("indicator") or "").strip()
        year_text = (raw.get("year") or "").strip()
        value_text = (raw.get("value") or "").strip()
        if not unit:
            raise EvaluationInputError(f"{name}: line {line}: empty unit")
        try:
            year = int(year_text)
        except ValueError:
            raise EvaluationInputError(f"{name}: line {line}: year {year_text!r} is not a whole number") from None
        if value_text == "":
            value = math.nan
        else:
            try:
                value = float(value_text)
            except ValueError:
                raise EvaluationInputError(f"{name}: line {line}: value {value_text!r} is not a number") from None
            if not math.isfinite(value):
                raise EvaluationInputError(f"{name}: line {line}: value {value_text!r} is not a finite number")
        key = (unit, year, indicator)
        if key in seen:
            raise EvaluationInputError(f"{name}: line {line}: {unit} {year} {indicator} appears more than once")
        seen.add(key)
        indicators.add(indicator)
        if indicator == outcome:
            rows.append((unit, year, value))
    if not seen:
        raise EvaluationInputError(f"{name}: no data rows")
    if not rows:
        shown = ", ".join(sorted(indicators)[:10])
        raise EvaluationInputError(f"{name}: no rows for the outcome {outcome!r} (indicators in the file: {shown})")
    return pd.DataFrame(rows, columns=["unit", "year", "value"])


def _clean(panel: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("unit", "year", "value") if c not in panel.columns]
    if missing:
        raise EvaluationInputError(f"the panel lacks the column(s) {', '.join(missing)}")
    frame = panel[["unit", "year", "value"]].copy()
    frame["unit"] = frame["unit"].astype(str)
    frame["year"] = frame["year"].astype(int)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    if frame.duplicated(["unit", "year"]).any():
        raise EvaluationInputError("the panel has a unit with two values in one year")
    return frame.dropna(subset=["value"])


def _window(frame: pd.DataFrame, *, start: int, first: int | None, last: int | None
            ) -> tuple[pd.DataFrame, tuple[int, ...], tuple[int, ...]]:
    if first is not None:
        frame = frame[frame["year"] >= first]
    if last is not None:
        frame = frame[frame["year"] <= last]
    years = sorted(frame["year"].unique().tolist())
    pre = tuple(int(y) for y in years if y < start)
    post = tuple(int(y) for y in years if y >= start)
    return frame, pre, post


def _check_units(frame: pd.DataFrame, treated: Sequence[str]) -> None:
    if not treated:
        raise EvaluationInputError("no treated unit given")
    known = set(frame["unit"])
    unknown = [u for u in treated if u not in known]
    if unknown:
        raise EvaluationInputError(f"unknown unit(s) {', '.join(repr(u) for u in unknown)}: not in the panel "
                                   f"(or without a value for the outcome)")


def _refuse_years(pre: tuple[int, ...], post: tuple[int, ...], *, min_pre: int, method: str) -> None:
    if len(pre) < min_pre:
        raise DesignRefused("too_few_pre_years", f"{method} needs at least {min_pre} years before the start; "
                            f"the panel has {len(pre)}", needed=min_pre, got=len(pre))
    if len(post) < MIN_POST_YEARS:
        raise DesignRefused("too_few_post_years", f"{method} needs at least {MIN_POST_YEARS} year from the start on; "
                            f"the panel has {len(post)}", needed=MIN_POST_YEARS, got=len(post))


# -- difference-in-differences -------------------------------------------------------------

def _clustered_fit(frame: pd.DataFrame, columns: list[str]):
    from linearmodels import PanelOLS

    indexed = frame.set_index(["unit", "year"])
    model = PanelOLS(indexed["value"], indexed[columns], entity_effects=True, time_effects=True)
    try:
        # The clustered covariance with the usual small-sample factors G/(G − 1) · (N − 1)/(N − K),
        # K counting every parameter with the absorbed unit and year effects: what Stata's
        # `regress` with the dummies and vce(cluster unit) gives, on the cautious side. Used with
        # t(G − 1) critical values below. Without group_debias the errors are too small with
        # few districts, some 10 % with five.
        return model.fit(cov_type="clustered", cluster_entity=True, group_debias=True, debiased=True)
    except (ValueError, np.linalg.LinAlgError) as exc:
        # A design the data cannot identify (a column of zeros, collinear dummies): a refusal
        # that says so, never a crash.
        raise DesignRefused("not_identified", f"the panel cannot identify the effect ({exc})") from None


def did_estimate(
    panel: pd.DataFrame, *, treated: Sequence[str], start: int, comparison: Sequence[str] | None = None,
    first_year: int | None = None, last_year: int | None = None, level: float = LEVEL,
) -> DidResult:
    """Two-way fixed-effects difference-in-differences with its event study.

    `comparison` defaults to every unit that is not treated. A unit is used only if it has a
    value both before and from the start (otherwise it says nothing about a change); those left
    out are listed in `dropped`."""
    frame = _clean(panel)
    treated = list(dict.fromkeys(str(u) for u in treated))
    _check_units(frame, treated)
    frame, pre, post = _window(frame, start=start, first=first_year, last=last_year)
    _refuse_years(pre, post, min_pre=MIN_DID_PRE_YEARS, method="difference-in-differences")
    if comparison is None:
        comparison = sorted(set(frame["unit"]) - set(treated))
    else:
        comparison = [str(u) for u in comparison if str(u) not in treated]
        if comparison:
            _check_units(frame, comparison)
    frame = frame[frame["unit"].isin(set(treated) | set(comparison))]
    has_pre = set(frame.loc[frame["year"] < start, "unit"])
    has_post = set(frame.loc[frame["year"] >= start, "unit"])
    usable = has_pre & has_post
    dropped = tuple(sorted((set(treated) | set(comparison)) - usable))
    treated_used = [u for u in treated if u in usable]
    comparison_used = [u for u in comparison if u in usable]
    if not treated_used:
        raise DesignRefused("treated_without_data", "no treated unit has values both before and after the start")
    if len(comparison_used) < MIN_DID_COMPARISON:
        raise DesignRefused("too_few_comparison_units",
                            f"difference-in-differences needs at least {MIN_DID_COMPARISON} comparison units "
                            f"with values before and after the start; there are {len(comparison_used)}",
                            needed=MIN_DID_COMPARISON, got=len(comparison_used))
    frame = frame[frame["unit"].isin(usable)].copy()
    _, pre, post = _window(frame, start=start, first=None, last=None)
    is_treated = frame["unit"].isin(treated_used)
    frame["treated_post"] = (is_treated & (frame["year"] >= start)).astype(float)
    # The event study needs the treated group itself in a year to say anything about it: years
    # where no treated district has a figure (a suppressed cell, a later series start) get no
    # coefficient, and the reference is the last pre-year the treated group has.
    treated_years = set(frame.loc[is_treated, "year"])
    treated_pre = [y for y in pre if y in treated_years]
    if len(treated_pre) < MIN_DID_PRE_YEARS:
        raise DesignRefused("too_few_pre_years", f"difference-in-differences needs at least {MIN_DID_PRE_YEARS} years "
                            f"before the start with figures for the treated districts; they have {len(treated_pre)}",
                            needed=MIN_DID_PRE_YEARS, got=len(treated_pre))
    reference = max(treated_pre)
    event_years = [y for y in (*pre, *post) if y != reference and y in treated_years]
    for y in event_years:
        frame[f"year_{y}"] = (is_treated & (frame["year"] == y)).astype(float)

    clusters = len(usable)
    df = clusters - 1
    q = stats.t.ppf(0.5 + level / 2, df)

    static = _clustered_fit(frame, ["treated_post"])
    beta = float(static.params["treated_post"])
    se = float(static.std_errors["treated_post"])
    p = float(2 * stats.t.sf(abs(beta / se), df)) if se > 0 else (0.0 if beta != 0 else 1.0)

    event = _clustered_fit(frame, [f"year_{y}" for y in event_years])
    per_year = []
    for y in event_years:
        b = float(event.params[f"year_{y}"])
        s = float(event.std_errors[f"year_{y}"])
        per_year.append(YearEffect(y, b, b - q * s, b + q * s))
    leads = [f"year_{y}" for y in treated_pre if y != reference]
    pre_trend_p = None
    if leads:
        b = event.params[leads].to_numpy()
        v = event.cov.loc[leads, leads].to_numpy()
        wald = float(b @ np.linalg.pinv(v) @ b)
        pre_trend_p = float(stats.f.sf(wald / len(leads), len(leads), df))

    means = []
    grouped = frame.groupby(["year", is_treated])["value"].mean()
    for y in (*pre, *post):
        means.append(GroupMean(y, _num(grouped.get((y, True))), _num(grouped.get((y, False)))))
    gaps = np.array([m.treated - m.comparison for m in means if m.year in pre
                     and m.treated is not None and m.comparison is not None])
    pre_fit = float(np.sqrt(np.mean((gaps - gaps.mean()) ** 2))) if len(gaps) else math.nan

    notes = []
    if len(treated_used) == 1:
        notes.append("single_treated_cluster")
    if clusters < FEW_CLUSTERS:
        notes.append("few_clusters")
    if pre_trend_p is not None and pre_trend_p < PRE_TREND_ALPHA:
        notes.append("pre_trend_rejected")
    return DidResult(
        effect=beta, se=se, ci_low=beta - q * se, ci_high=beta + q * se, p_value=p, level=level, start=start,
        reference_year=reference, treated=tuple(treated_used), comparison=tuple(comparison_used), pre_years=pre,
        post_years=post, n_obs=len(frame), clusters=clusters, per_year=tuple(per_year), pre_trend_p=pre_trend_p,
        pre_fit_rmspe=pre_fit, means=tuple(means), dropped=dropped, notes=tuple(notes),
    )


# -- synthetic control -----------------------------------------------------------------------

def simplex_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """The weights w ≥ 0, Σw = 1 minimising ‖target − donors·w‖² (donors: years × units).

    A non-negative least-squares solve on the system augmented with a heavily weighted
    sum-to-one row gives the start; SLSQP then enforces the constraints exactly. Both work on
    values divided by one common scale, so the tolerances mean the same for rates and counts."""
    target = np.asarray(target, dtype=float)
    donors = np.asarray(donors, dtype=float)
    n = donors.shape[1]
    if n == 1:
        return np.ones(1)
    scale = float(np.max(np.abs(np.concatenate([target, donors.ravel()])))) or 1.0
    y = target / scale
    x = donors / scale
    penalty = 1e3
    start, _ = optimize.nnls(np.vstack([x, penalty * np.ones((1, n))]), np.concatenate([y, [penalty]]))
    start = start / start.sum() if start.sum() > 0 else np.full(n, 1.0 / n)

    def loss(w):
        r = y - x @ w
        return 0.5 * float(r @ r)

    def grad(w):
        return -(x.T @ (y - x @ w))

    best = optimize.minimize(
        loss, start, jac=grad, method="SLSQP", bounds=[(0.0, 1.0)] * n,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones_like(w)}],
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    w = best.x if loss(best.x) <= loss(start) else start
    w = np.clip(w, 0.0, None)
    return w / w.sum()


def _fit_gaps(values: pd.DataFrame, unit: str, donors: list[str], pre: tuple[int, ...]):
    weights = simplex_weights(values.loc[list(pre), unit].to_numpy(), values.loc[list(pre), donors].to_numpy())
    synthetic = values[donors].to_numpy() @ weights
    gaps = values[unit].to_numpy() - synthetic
    return weights, synthetic, gaps


def _rmspe(gaps: np.ndarray) -> float:
    return float(np.sqrt(np.mean(gaps ** 2))) if len(gaps) else math.nan


def synth_estimate(
    panel: pd.DataFrame, *, treated: str, start: int, donors: Sequence[str] | None = None,
    first_year: int | None = None, last_year: int | None = None,
) -> SynthResult:
    """Synthetic control for one treated unit with in-space placebos over the donors.

    `donors` defaults to every other unit. A donor without a value in some year of the window is
    left out (listed in `dropped`): the weights must be fitted and applied on the same years.
    The treated unit must have every year of the window."""
    frame = _clean(panel)
    treated = str(treated)
    _check_units(frame, [treated])
    frame, pre, post = _window(frame, start=start, first=first_year, last=last_year)
    if donors is None:
        donors = sorted(set(frame["unit"]) - {treated})
    else:
        donors = [str(u) for u in donors if str(u) != treated]
        if donors:
            _check_units(frame, donors)
    years = sorted(set(frame.loc[frame["unit"] == treated, "year"]))
    # The window is the treated unit's years: gaps in its own series cannot be filled.
    pre = tuple(y for y in pre if y in years)
    post = tuple(y for y in post if y in years)
    _refuse_years(pre, post, min_pre=MIN_SYNTH_PRE_YEARS, method="synthetic control")
    window = [*pre, *post]
    wide = frame.pivot(index="year", columns="unit", values="value").reindex(window)
    complete = [u for u in donors if u in wide.columns and wide[u].notna().all()]
    dropped = tuple(sorted(set(donors) - set(complete)))
    if len(complete) < MIN_SYNTH_DONORS:
        raise DesignRefused("too_few_donors",
                            f"synthetic control needs at least {MIN_SYNTH_DONORS} donor units with values in "
                            f"every year {window[0]}–{window[-1]}; there are {len(complete)}",
                            needed=MIN_SYNTH_DONORS, got=len(complete))
    values = wide[[treated, *complete]]
    n_pre = len(pre)
    weights, synthetic, gaps = _fit_gaps(values, treated, complete, pre)
    pre_rmspe, post_rmspe = _rmspe(gaps[:n_pre]), _rmspe(gaps[n_pre:])
    # A perfect pre-fit would divide by zero; a floor far below any real misfit keeps the ratio
    # finite and the ranking intact.
    floor = 1e-9 * (float(np.nanmax(np.abs(values.to_numpy()))) or 1.0)
    ratio = post_rmspe / max(pre_rmspe, floor)

    placebos = []
    for unit in complete:
        others = [u for u in complete if u != unit]
        _, _, p_gaps = _fit_gaps(values, unit, others, pre)
        p_pre, p_post = _rmspe(p_gaps[:n_pre]), _rmspe(p_gaps[n_pre:])
        placebos.append(PlaceboRun(unit, p_pre, p_post, p_post / max(p_pre, floor), tuple(float(g) for g in p_gaps)))
    # Ties count against the treated unit: the p-value is never smaller than the data allow.
    rank = 1 + sum(1 for p in placebos if p.ratio >= ratio * (1 - 1e-9))
    n_units = 1 + len(placebos)
    post_gaps = gaps[n_pre:]
    notes = []
    if n_units < COARSE_PLACEBO_UNITS:
        notes.append("coarse_placebo_p")
    # See POOR_FIT_RATIO. A treated series flat before the start has no spread to compare with;
    # one unit of its own measure stands in.
    spread = float(np.std(values.loc[list(pre), treated].to_numpy())) or 1.0
    if pre_rmspe > POOR_FIT_RATIO * spread and pre_rmspe > 0:
        notes.append("poor_pre_fit")
    lo = values[complete].loc[list(pre)].min(axis=1).to_numpy()
    hi = values[complete].loc[list(pre)].max(axis=1).to_numpy()
    own = values.loc[list(pre), treated].to_numpy()
    if np.any(own < lo - 1e-9) or np.any(own > hi + 1e-9):
        notes.append("outside_donor_range")
    return SynthResult(
        treated=treated, start=start, weights={u: float(w) for u, w in zip(complete, weights, strict=True)},
        years=tuple(window), pre_years=pre, post_years=post,
        treated_values=tuple(float(v) for v in values[treated]), synthetic_values=tuple(float(v) for v in synthetic),
        effect=float(np.mean(post_gaps)), pre_fit_rmspe=pre_rmspe, post_rmspe=post_rmspe, ratio=ratio,
        rank=rank, p_value=rank / n_units, placebos=tuple(placebos),
        per_year=tuple(YearEffect(y, float(g)) for y, g in zip(post, post_gaps, strict=True)),
        dropped=dropped, notes=tuple(notes),
    )


# -- choosing the comparison pool -------------------------------------------------------------

def comparison_nearest(
    panel: pd.DataFrame, *, treated: Sequence[str], start: int, candidates: Iterable[str] | None = None,
    k: int = 10, first_year: int | None = None,
) -> list[Neighbour]:
    """The `k` candidates whose pre-period is most like a treated unit's: each unit's mean level
    and linear trend over the pre-years, both standardised over all units, and the Euclidean
    distance to the nearest treated unit. Nearest first; ties by name, so the choice is stable."""
    frame = _clean(panel)
    treated = [str(u) for u in treated]
    _check_units(frame, treated)
    frame = frame[frame["year"] < start]
    if first_year is not None:
        frame = frame[frame["year"] >= first_year]
    pool = set(frame["unit"]) - set(treated) if candidates is None else {str(u) for u in candidates} - set(treated)
    features: dict[str, tuple[float, float]] = {}
    for unit, rows in frame[frame["unit"].isin(pool | set(treated))].groupby("unit"):
        ys = rows["year"].to_numpy(dtype=float)
        vs = rows["value"].to_numpy(dtype=float)
        trend = float(np.polyfit(ys, vs, 1)[0]) if len(set(ys)) >= 2 else 0.0
        features[str(unit)] = (float(vs.mean()), trend)
    own = [features[u] for u in treated if u in features]
    if not own:
        return []
    matrix = np.array(list(features.values()))
    sd = matrix.std(axis=0)
    sd[sd == 0] = 1.0
    out = []
    for unit in sorted(pool & set(features)):
        f = np.array(features[unit])
        distance = min(float(np.linalg.norm((f - np.array(t)) / sd)) for t in own)
        out.append(Neighbour(unit, features[unit][0], features[unit][1], distance))
    out.sort(key=lambda n: (n.distance, n.unit))
    return out[:max(k, 0)]
