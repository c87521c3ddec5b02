"""The SMART check of a goal in a strategic district plan: per letter, pass or fail and why.

Pure functions on plain data (no Django), so the check runs the same from the web, the API and
`stadsdel smart-check GOAL.json [--data DATA.csv]`, and is tested without a database.

The rules, one per letter of SMART (Specifika, Mätbara, Accepterade, Realistiska, Tidsatta):

- S, specific: the goal has a scope (at least one district, or a non-empty named population
  group) and a goal area.
- M, measurable: the goal has an indicator, a baseline value and a baseline year, and the history
  holds a value of that indicator in the baseline year for every district in the scope (a goal
  scoped only by a population group, or not scoped at all, needs one such value anywhere).
- A, accepted: at least one responsible organisation, and a record of who accepted the goal and
  when.
- R, realistic: the yearly change the goal requires, (target − baseline) / (target year −
  baseline year), is compared with the yearly changes observed in the history: in every district
  with the indicator, between consecutive observed years, (v2 − v1) / (y2 − y1), across all
  districts, not only the goal's. Both are turned to the direction in which the indicator
  improves. The goal is realistic when the required change is no larger than the given
  percentile (default the 90th, numpy's linear method) of the observed changes and the target
  lies in the indicator's possible range (a percentage in 0–100). A goal that asks for no
  improvement is realistic whatever the history (the reason says so). With fewer observed
  changes than `min_changes` (default 10) the result is "unknown", never a guess. A missing
  indicator, missing baseline or target, a target year not after the baseline year, or a target
  out of range fail.
- T, time-bound: the goal has a target year after its baseline year and no later than the end of
  the plan period.

Each result carries a reason that names what is missing or the numbers compared, in Swedish (the
default, with a decimal comma) or English. Both texts live here rather than in gettext catalogues
because the reasons are built from parts (lists, plurals, ordinals) that translators would
otherwise have to reassemble, and because the command line must not need Django's translation
machinery to print them.

`goal_from_json` and `history_from_csv` read the command line's GOAL.json and DATA.csv into these
plain types, with errors (`SmartInputError`) that name the file and the field or row.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

LETTERS = ("S", "M", "A", "R", "T")
UNITS = ("percent", "number")
LANGS = ("sv", "en")
# The bounds a target can possibly take, per unit; None is unbounded.
UNIT_RANGES: dict[str, tuple[float | None, float | None]] = {"percent": (0.0, 100.0), "number": (None, None)}

Result = Literal["pass", "fail", "unknown"]


class SmartInputError(ValueError):
    """Input that cannot be checked: a malformed goal or history file, or bad parameters."""


@dataclass(frozen=True, kw_only=True)
class GoalInput:
    """One goal as the check sees it. Missing facts are None (or empty) and make letters fail."""

    text: str
    goal_area: str | None
    scope: tuple[str, ...]  # district names
    unit: Literal["percent", "number"]
    higher_is_better: bool
    population_group: str = ""
    indicator: str | None = None
    # What a reader is shown for the indicator and the goal area (their names in the page's
    # language); the codes above are what the history is matched on. Empty: the code is shown.
    indicator_name: str = ""
    goal_area_name: str = ""
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    target_year: int | None = None
    responsible: tuple[str, ...] = ()
    accepted_by: str | None = None
    accepted_on: date | None = None
    plan_period_end: int | None = None
    # The measure is the project's own count (e.g. "number of participants"), recorded by the
    # project itself rather than by the statistics: measurable with a baseline, without a series.
    own_count: bool = False


@dataclass(frozen=True)
class HistoryRow:
    """One observed value: an indicator in a district in a year."""

    district: str
    year: int
    indicator: str
    value: float | None  # None (or NaN): suppressed or not published, i.e. no data


@dataclass(frozen=True)
class LetterResult:
    result: Result
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"result": self.result, "reason": self.reason}


# --- texts -----------------------------------------------------------------------------------

_TEXTS: dict[str, dict[str, str]] = {
    # S
    "s_pass": {
        "sv": "Målet gäller {who} inom målområdet {area}.",
        "en": "The goal concerns {who} in the goal area {area}.",
    },
    "s_who_group": {"sv": "befolkningsgruppen {group}", "en": "the population group {group}"},
    "s_who_group_in": {"sv": "befolkningsgruppen {group} i {districts}", "en": "the population group {group} in {districts}"},
    "s_scope": {
        "sv": "avgränsning (minst en stadsdel eller en namngiven befolkningsgrupp)",
        "en": "a scope (at least one district or a named population group)",
    },
    "s_area": {"sv": "målområde", "en": "a goal area"},
    "lacks": {"sv": "Målet saknar {missing}.", "en": "The goal lacks {missing}."},
    # M
    "indicator": {"sv": "indikator", "en": "an indicator"},
    "baseline_value": {"sv": "utgångsvärde", "en": "a baseline value"},
    "baseline_year": {"sv": "utgångsår", "en": "a baseline year"},
    "target_value": {"sv": "målvärde", "en": "a target value"},
    "target_year": {"sv": "målår", "en": "a target year"},
    "m_no_data": {
        "sv": "Inga statistikdata har angetts, så det går inte att visa att indikatorn {ind} mäts år {year}.",
        "en": "No data were given, so it cannot be shown that indicator {ind} is measured in {year}.",
    },
    "m_none_in_year": {
        "sv": "Det saknas data för indikatorn {ind} år {year}.",
        "en": "There are no data for indicator {ind} in {year}.",
    },
    "m_districts_lacking_one": {
        "sv": "Det saknas data för indikatorn {ind} år {year} för {names}.",
        "en": "There are no data for indicator {ind} in {year} for {names}.",
    },
    "m_districts_lacking_some": {
        "sv": "Det saknas data för indikatorn {ind} år {year} för {k} av målets {n} stadsdelar: {names}.",
        "en": "There are no data for indicator {ind} in {year} for {k} of the goal's {n} districts: {names}.",
    },
    "m_pass_districts": {
        "sv": "Indikatorn {ind} har utgångsvärdet {value} år {year}, och det finns data det året för {names}.",
        "en": "Indicator {ind} has the baseline value {value} in {year}, and there are data that year for {names}.",
    },
    "m_pass_own_count": {
        "sv": "Måttet {ind} räknas av projektet självt, med utgångsvärdet {value} år {year}; det behöver "
              "ingen statistikserie för att vara mätbart.",
        "en": "The measure {ind} is counted by the project itself, with the baseline value {value} in {year}; "
              "it needs no statistics series to be measurable.",
    },
    "m_pass_any": {
        "sv": "Indikatorn {ind} har utgångsvärdet {value} år {year}, och det finns data för indikatorn det året.",
        "en": "Indicator {ind} has the baseline value {value} in {year}, and there are data for it that year.",
    },
    # A
    "a_responsible": {"sv": "ansvarig organisation", "en": "a responsible organisation"},
    "a_by": {"sv": "uppgift om vem som har accepterat målet", "en": "a record of who accepted it"},
    "a_on": {"sv": "datum för när målet accepterades", "en": "the date it was accepted"},
    "a_pass_one": {
        "sv": "Ansvarig: {names}. Målet accepterades av {by} den {on}.",
        "en": "Responsible: {names}. Accepted by {by} on {on}.",
    },
    "a_pass_many": {
        "sv": "Ansvariga: {names}. Målet accepterades av {by} den {on}.",
        "en": "Responsible: {names}. Accepted by {by} on {on}.",
    },
    # R
    "r_no_indicator": {
        "sv": "Målet saknar indikator, så det går inte att bedöma om det är realistiskt.",
        "en": "The goal lacks an indicator, so whether it is realistic cannot be judged.",
    },
    "r_missing": {
        "sv": "Målet saknar {missing}, så den årliga förändring som målet kräver kan inte beräknas.",
        "en": "The goal lacks {missing}, so the yearly change it requires cannot be computed.",
    },
    "r_years": {
        "sv": "Målåret {ty} ligger inte efter utgångsåret {by}, så den årliga förändring som målet kräver kan inte beräknas.",
        "en": "The target year {ty} is not after the baseline year {by}, so the yearly change the goal requires cannot be computed.",
    },
    "r_range": {
        "sv": "Målvärdet {value} ligger utanför indikatorns möjliga intervall, {low}–{high}.",
        "en": "The target value {value} lies outside the indicator's possible range, {low}–{high}.",
    },
    "r_no_change": {
        "sv": "Målet kräver ingen förändring (målvärdet är lika med utgångsvärdet, {value}), så det är realistiskt oavsett historiken.",
        "en": "The goal requires no change (the target equals the baseline value, {value}), so it is realistic whatever the history.",
    },
    "r_worsening": {
        "sv": "Målet tillåter en försämring med {rate} per år ({bv} år {by}, {tv} år {ty}); ett sådant mål är realistiskt oavsett historiken, men det innebär ingen förbättring.",
        "en": "The goal allows a worsening of {rate} per year ({bv} in {by}, {tv} in {ty}); such a goal is realistic whatever the history, but it is no improvement.",
    },
    "r_no_history": {
        "sv": "Inga statistikdata har angetts, så det går inte att bedöma om målet är realistiskt (det behövs minst {needed} av indikatorn {ind}).",
        "en": "No data were given, so whether the goal is realistic cannot be judged (at least {needed} of indicator {ind} are needed).",
    },
    "r_too_few": {
        "sv": "Data innehåller {found} av indikatorn {ind}, och det behövs minst {needed}; därför går det inte att bedöma om målet är realistiskt.",
        "en": "The data hold {found} of indicator {ind}, and at least {needed} are needed; so whether the goal is realistic cannot be judged.",
    },
    "r_compare": {
        "sv": "Målet kräver en förbättring ({direction}) med {required} per år; {pct} av de årliga förändringar som observerats i alla stadsdelar ({n} st., räknade i förbättringsriktningen) är {observed} per år.",
        "en": "The goal requires an improvement ({direction}) of {required} per year; the {pct} of the yearly changes observed across all districts ({n} in all, counted in the direction of improvement) is {observed} per year.",
    },
    "r_rise": {"sv": "ökning", "en": "a rise"},
    "r_fall": {"sv": "minskning", "en": "a fall"},
    "r_pass": {"sv": "Målet bedöms som realistiskt.", "en": "The goal is judged realistic."},
    "r_fail": {"sv": "Målet bedöms inte som realistiskt.", "en": "The goal is judged unrealistic."},
    # T
    "t_no_baseline": {
        "sv": "Målet saknar utgångsår, så det går inte att visa att målåret ligger efter det.",
        "en": "The goal lacks a baseline year, so it cannot be shown that the target year comes after it.",
    },
    "t_not_after": {
        "sv": "Målåret {ty} ligger inte efter utgångsåret {by}.",
        "en": "The target year {ty} is not after the baseline year {by}.",
    },
    "t_no_period_end": {
        "sv": "Planen saknar slutår för planperioden.",
        "en": "The plan has no period end.",
    },
    "t_after_end": {
        "sv": "Målåret {ty} ligger efter planperiodens slut ({end}).",
        "en": "The target year {ty} is after the end of the plan period ({end}).",
    },
    "t_pass": {
        "sv": "Målåret {ty} ligger efter utgångsåret {by} och inom planperioden, som slutar {end}.",
        "en": "The target year {ty} is after the baseline year {by} and within the plan period, which ends in {end}.",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return _TEXTS[key][lang].format(**values)


def _join(items: Sequence[str], lang: str) -> str:
    """'A, B och C' / 'A, B and C'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    word = "och" if lang == "sv" else "and"
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def format_number(x: float, lang: str) -> str:
    """A number as a reader expects it: Swedish '1 234,5' and '−0,3', English '1,234.5' and '-0.3'.

    Two decimals, trailing zeros dropped; small non-zero numbers keep enough decimals to show
    (a required 0.004 per year must not read as 0)."""
    if x == 0:
        return "0"
    magnitude = abs(x)
    decimals = 2 if magnitude >= 0.01 else min(6, 1 - math.floor(math.log10(magnitude)))
    text = f"{magnitude:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "0":
        return "0"
    if lang == "sv":
        text = text.replace(",", " ").replace(".", ",")
    sign = ("−" if lang == "sv" else "-") if x < 0 else ""
    return sign + text


def _value(x: float, unit: str, lang: str) -> str:
    number = format_number(x, lang)
    if unit != "percent":
        return number
    return f"{number} procent" if lang == "sv" else f"{number}%"


def _rate(x: float, unit: str, lang: str) -> str:
    """A change per year: percentages change by percentage points, not by percent."""
    number = format_number(x, lang)
    if unit != "percent":
        return number
    one = abs(x) == 1
    if lang == "sv":
        return f"{number} procentenhet" if one else f"{number} procentenheter"
    return f"{number} percentage point" if one else f"{number} percentage points"


def _percentile_name(p: float, lang: str) -> str:
    """'90:e percentilen' / '90th percentile'; a fractional one reads 'percentilen 87,5'."""
    if lang == "sv":
        if not float(p).is_integer():
            return f"percentilen {format_number(p, lang)}"
        n = int(p)
        # Swedish ordinals: 1:a, 2:a, 21:a, 22:a … but 11:e, 12:e and everything else :e.
        suffix = ":a" if n % 10 in (1, 2) and n % 100 not in (11, 12) else ":e"
        return f"{n}{suffix} percentilen"
    if not float(p).is_integer():
        return f"{format_number(p, lang)}th percentile"
    n = int(p)
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} percentile"


def _changes_count(n: int, lang: str) -> str:
    if lang == "sv":
        if n == 0:
            return "ingen observerad årlig förändring"
        return f"{n} observerad årlig förändring" if n == 1 else f"{n} observerade årliga förändringar"
    if n == 0:
        return "no observed yearly change"
    return f"{n} observed yearly change" if n == 1 else f"{n} observed yearly changes"


def _names(items: Sequence[str]) -> tuple[str, ...]:
    """Names with surrounding blanks removed; a blank name names nothing."""
    return tuple(s.strip() for s in items if s and s.strip())


# --- the check ------------------------------------------------------------------------------

Series = dict[str, dict[str, dict[int, float]]]  # indicator → district → year → value


def _series(history: Sequence[HistoryRow]) -> Series:
    series: Series = {}
    for row in history:
        # float(): values from the database may be Decimals, which do not mix with floats.
        value = None if row.value is None else float(row.value)
        if value is None or not math.isfinite(value):
            continue  # a suppressed cell is absent data, not a zero
        years = series.setdefault(row.indicator, {}).setdefault(row.district, {})
        known = years.get(row.year)
        if known is not None and known != value:
            # Two values for one cell (e.g. sexes not filtered to the total) would make the
            # observed changes meaningless; refuse rather than pick one.
            raise ValueError(
                f"two values for {row.indicator} in {row.district} in {row.year}: {known} and {value}"
            )
        years[row.year] = value
    return series


def yearly_changes(series_for_indicator: dict[str, dict[int, float]]) -> list[float]:
    """Every district's change per year between consecutive observed years, (v2 − v1)/(y2 − y1)."""
    changes: list[float] = []
    for years in series_for_indicator.values():
        ordered = sorted(years.items())
        for (y1, v1), (y2, v2) in itertools.pairwise(ordered):
            changes.append((v2 - v1) / (y2 - y1))
    return changes


def _validate(lang: str, percentile: float, min_changes: int) -> None:
    if lang not in LANGS:
        raise SmartInputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if isinstance(percentile, bool) or not isinstance(percentile, int | float) or not (0 < percentile <= 100):
        raise SmartInputError(f"percentile must be above 0 and at most 100, not {percentile!r}")
    if isinstance(min_changes, bool) or not isinstance(min_changes, int) or min_changes < 1:
        raise SmartInputError(f"min_changes must be a whole number of at least 1, not {min_changes!r}")


def smart_check(
    goal: GoalInput,
    history: Sequence[HistoryRow],
    *,
    lang: str = "sv",
    percentile: float = 90.0,
    min_changes: int = 10,
) -> dict[str, LetterResult]:
    """Check one goal against the rules in the module docstring: {"S": …, "M": …, "A": …, "R": …, "T": …}."""
    _validate(lang, percentile, min_changes)
    if goal.unit not in UNITS:
        raise SmartInputError(f"unit must be one of {', '.join(UNITS)}, not {goal.unit!r}")
    # Goals stored in the database carry Decimals; the arithmetic below is in floats.
    goal = dataclasses.replace(goal, **{
        name: float(value) for name in ("baseline_value", "target_value")
        if (value := getattr(goal, name)) is not None
    })
    series = _series(history)
    return {
        "S": _check_specific(goal, lang),
        "M": _check_measurable(goal, series, has_history=bool(history), lang=lang),
        "A": _check_accepted(goal, lang),
        "R": _check_realistic(goal, series, has_history=bool(history), lang=lang,
                              percentile=float(percentile), min_changes=min_changes),
        "T": _check_time_bound(goal, lang),
    }


def _indicator_shown(goal: GoalInput, lang: str) -> str:
    """The indicator as a reader meets it in a reason: its name in quotation marks (Swedish ”…”,
    English “…”), or its code when no name was given (the command line's goal files)."""
    if not goal.indicator_name:
        return (goal.indicator or "").strip()
    return f"”{goal.indicator_name}”" if lang == "sv" else f"“{goal.indicator_name}”"


def _check_specific(goal: GoalInput, lang: str) -> LetterResult:
    districts = _names(goal.scope)
    group = (goal.population_group or "").strip()
    area = (goal.goal_area or "").strip()
    missing = []
    if not districts and not group:
        missing.append(_t("s_scope", lang))
    if not area:
        missing.append(_t("s_area", lang))
    if missing:
        return LetterResult("fail", _t("lacks", lang, missing=_join(missing, lang)))
    if group and districts:
        who = _t("s_who_group_in", lang, group=group, districts=_join(districts, lang))
    elif group:
        who = _t("s_who_group", lang, group=group)
    else:
        who = _join(districts, lang)
    return LetterResult("pass", _t("s_pass", lang, who=who, area=goal.goal_area_name or area))


def _check_measurable(goal: GoalInput, series: Series, *, has_history: bool, lang: str) -> LetterResult:
    indicator = (goal.indicator or "").strip()
    missing = [
        _t(key, lang) for key, absent in (
            ("indicator", not indicator),
            ("baseline_value", goal.baseline_value is None),
            ("baseline_year", goal.baseline_year is None),
        ) if absent
    ]
    if missing:
        return LetterResult("fail", _t("lacks", lang, missing=_join(missing, lang)))
    assert goal.baseline_value is not None and goal.baseline_year is not None  # for the type checker
    year = goal.baseline_year
    shown = _indicator_shown(goal, lang)
    if goal.own_count:
        return LetterResult("pass", _t("m_pass_own_count", lang, ind=shown,
                                       value=_value(goal.baseline_value, goal.unit, lang), year=year))
    if not has_history:
        return LetterResult("fail", _t("m_no_data", lang, ind=shown, year=year))
    by_district = series.get(indicator, {})
    districts = _names(goal.scope)
    value = _value(goal.baseline_value, goal.unit, lang)
    if not districts:
        # A population group (or no scope at all) cannot be matched to district rows; it is
        # measurable when the indicator is measured at all in that year.
        if any(year in years for years in by_district.values()):
            return LetterResult("pass", _t("m_pass_any", lang, ind=shown, value=value, year=year))
        return LetterResult("fail", _t("m_none_in_year", lang, ind=shown, year=year))
    lacking = [d for d in districts if year not in by_district.get(d, {})]
    if lacking:
        if len(districts) == 1:
            reason = _t("m_districts_lacking_one", lang, ind=shown, year=year, names=_join(lacking, lang))
        else:
            reason = _t("m_districts_lacking_some", lang, ind=shown, year=year, k=len(lacking),
                        n=len(districts), names=_join(lacking, lang))
        return LetterResult("fail", reason)
    return LetterResult("pass", _t("m_pass_districts", lang, ind=shown, value=value, year=year,
                                   names=_join(districts, lang)))


def _check_accepted(goal: GoalInput, lang: str) -> LetterResult:
    responsible = _names(goal.responsible)
    by = (goal.accepted_by or "").strip()
    missing = [
        _t(key, lang) for key, absent in (
            ("a_responsible", not responsible), ("a_by", not by), ("a_on", goal.accepted_on is None),
        ) if absent
    ]
    if missing:
        return LetterResult("fail", _t("lacks", lang, missing=_join(missing, lang)))
    assert goal.accepted_on is not None
    key = "a_pass_one" if len(responsible) == 1 else "a_pass_many"
    return LetterResult("pass", _t(key, lang, names=_join(responsible, lang), by=by, on=goal.accepted_on.isoformat()))


def _check_realistic(
    goal: GoalInput, series: Series, *, has_history: bool, lang: str, percentile: float, min_changes: int
) -> LetterResult:
    indicator = (goal.indicator or "").strip()
    if not indicator:
        return LetterResult("fail", _t("r_no_indicator", lang))
    missing = [
        _t(key, lang) for key, absent in (
            ("baseline_value", goal.baseline_value is None),
            ("baseline_year", goal.baseline_year is None),
            ("target_value", goal.target_value is None),
            ("target_year", goal.target_year is None),
        ) if absent
    ]
    if missing:
        return LetterResult("fail", _t("r_missing", lang, missing=_join(missing, lang)))
    bv, by, tv, ty = goal.baseline_value, goal.baseline_year, goal.target_value, goal.target_year
    assert bv is not None and by is not None and tv is not None and ty is not None
    if ty <= by:
        return LetterResult("fail", _t("r_years", lang, ty=ty, by=by))
    low, high = UNIT_RANGES[goal.unit]
    if (low is not None and tv < low) or (high is not None and tv > high):
        return LetterResult("fail", _t(
            "r_range", lang, value=_value(tv, goal.unit, lang),
            low=format_number(low, lang) if low is not None else "−∞",
            high=_value(high, goal.unit, lang) if high is not None else "∞",
        ))
    sign = 1.0 if goal.higher_is_better else -1.0
    required = sign * (tv - bv) / (ty - by)
    if required == 0:
        return LetterResult("pass", _t("r_no_change", lang, value=_value(bv, goal.unit, lang)))
    if required < 0:
        return LetterResult("pass", _t(
            "r_worsening", lang, rate=_rate(-required, goal.unit, lang),
            bv=_value(bv, goal.unit, lang), by=by, tv=_value(tv, goal.unit, lang), ty=ty,
        ))
    observed = [sign * c for c in yearly_changes(series.get(indicator, {}))]
    if len(observed) < min_changes:
        needed = _changes_count(min_changes, lang)
        if not has_history:
            return LetterResult("unknown", _t("r_no_history", lang, needed=needed, ind=_indicator_shown(goal, lang)))
        return LetterResult("unknown", _t("r_too_few", lang, found=_changes_count(len(observed), lang),
                                          needed=needed, ind=_indicator_shown(goal, lang)))
    limit = float(np.percentile(observed, percentile, method="linear"))
    # The required change is a quotient of decimal inputs; a target set exactly at the limit
    # must not fail on the last bit of a float.
    realistic = required <= limit + 1e-9 * max(1.0, abs(limit))
    compare = _t(
        "r_compare", lang,
        direction=_t("r_rise" if goal.higher_is_better else "r_fall", lang),
        required=_rate(required, goal.unit, lang), pct=_percentile_name(percentile, lang),
        n=len(observed), observed=_rate(limit, goal.unit, lang),
    )
    verdict = _t("r_pass" if realistic else "r_fail", lang)
    return LetterResult("pass" if realistic else "fail", f"{compare} {verdict}")


def _check_time_bound(goal: GoalInput, lang: str) -> LetterResult:
    ty, by, end = goal.target_year, goal.baseline_year, goal.plan_period_end
    problems = []
    if ty is None:
        problems.append(_t("lacks", lang, missing=_t("target_year", lang)))
    if by is None:
        problems.append(_t("t_no_baseline", lang))
    elif ty is not None and ty <= by:
        problems.append(_t("t_not_after", lang, ty=ty, by=by))
    if end is None:
        problems.append(_t("t_no_period_end", lang))
    elif ty is not None and ty > end:
        problems.append(_t("t_after_end", lang, ty=ty, end=end))
    if problems:
        return LetterResult("fail", " ".join(problems))
    return LetterResult("pass", _t("t_pass", lang, ty=ty, by=by, end=end))


# --- reading the command line's files -------------------------------------------------------

_GOAL_KEYS = (
    "text", "goal_area", "scope", "indicator", "baseline", "target", "responsible", "accepted",
    "plan_period_end", "unit", "higher_is_better",
)
_CSV_COLUMNS = ("district", "year", "indicator", "value")
# Plain decimal notation only: Python's float() would also take "nan", "inf" and "1_000".
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _text_or_null(data: dict, key: str, source: str) -> str | None:
    value = data[key]
    if value is not None and not isinstance(value, str):
        raise SmartInputError(f"{source}: {key}: must be a string or null, not {_shown(value)}")
    return value


def _names_list(data: dict, key: str, source: str) -> tuple[str, ...]:
    value = data[key]
    if not isinstance(value, list):
        raise SmartInputError(f"{source}: {key}: must be a list of names, not {_shown(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise SmartInputError(f"{source}: {key}[{i}]: must be a name (a string), not {_shown(item)}")
    return tuple(value)


def _year(value: object, field: str, source: str) -> int | None:
    # A bool is an int in Python but never a year in JSON.
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SmartInputError(f"{source}: {field}: must be a year (a whole number) or null, not {_shown(value)}")
    return value


def _finite(value: int | float) -> bool:
    # math.isfinite turns an int into a float first, and a JSON integer of 309 digits or more
    # does not fit one.
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _number(value: object, field: str, source: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise SmartInputError(f"{source}: {field}: must be a number or null, not {_shown(value)}")
    return float(value)


def _pair(data: dict, key: str, fields: tuple[str, str], source: str) -> dict | None:
    value = data[key]
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SmartInputError(f"{source}: {key}: must be an object with {' and '.join(fields)}, or null, not {_shown(value)}")
    missing = [f for f in fields if f not in value]
    if missing:
        raise SmartInputError(f"{source}: {key}: missing key(s) {', '.join(missing)}")
    return value


def goal_from_json(data: object, *, source: str) -> GoalInput:
    """A GOAL.json document as a GoalInput. Nulls the schema allows are kept as missing facts
    (they make letters fail); wrong types, unknown units and missing keys are SmartInputErrors."""
    if not isinstance(data, dict):
        raise SmartInputError(f"{source}: must be a JSON object, not {type(data).__name__}")
    missing = [k for k in _GOAL_KEYS if k not in data]
    if missing:
        raise SmartInputError(f"{source}: missing key(s) {', '.join(missing)}")
    unit = data["unit"]
    if unit not in UNITS:
        raise SmartInputError(f"{source}: unit: must be one of {', '.join(UNITS)}, not {_shown(unit)}")
    if not isinstance(data["higher_is_better"], bool):
        raise SmartInputError(f"{source}: higher_is_better: must be true or false, not {_shown(data['higher_is_better'])}")
    population_group = _text_or_null(data, "population_group", source) if "population_group" in data else None
    baseline = _pair(data, "baseline", ("value", "year"), source) or {}
    target = _pair(data, "target", ("value", "year"), source) or {}
    accepted = _pair(data, "accepted", ("by", "date"), source) or {}
    accepted_by = accepted.get("by")
    if accepted_by is not None and not isinstance(accepted_by, str):
        raise SmartInputError(f"{source}: accepted.by: must be a string or null, not {_shown(accepted_by)}")
    accepted_on = accepted.get("date")
    if accepted_on is not None:
        try:
            if not isinstance(accepted_on, str):
                raise ValueError
            accepted_on = date.fromisoformat(accepted_on)
        except ValueError:
            raise SmartInputError(
                f"{source}: accepted.date: must be a date like 2010-03-01, or null, not {_shown(accepted_on)}"
            ) from None
    return GoalInput(
        text=_text_or_null(data, "text", source) or "",
        goal_area=_text_or_null(data, "goal_area", source),
        scope=_names_list(data, "scope", source),
        population_group=population_group or "",
        indicator=_text_or_null(data, "indicator", source),
        baseline_value=_number(baseline.get("value"), "baseline.value", source),
        baseline_year=_year(baseline.get("year"), "baseline.year", source),
        target_value=_number(target.get("value"), "target.value", source),
        target_year=_year(target.get("year"), "target.year", source),
        responsible=_names_list(data, "responsible", source),
        accepted_by=accepted_by,
        accepted_on=accepted_on,
        plan_period_end=_year(data["plan_period_end"], "plan_period_end", source),
        unit=unit,
        higher_is_better=data["higher_is_better"],
    )


def history_from_csv(text: str, *, source: str) -> list[HistoryRow]:
    """DATA.csv (district,year,indicator,value) as history rows. Every cell is read as text, so
    district names and indicator codes stay as written; rows are counted with the header as row 1.
    A comma or semicolon file (Swedish spreadsheets save with semicolons, and then a decimal
    comma is accepted in the value)."""
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    sep = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise SmartInputError(f"{source}: cannot be read as CSV ({exc})") from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise SmartInputError(f"{source}: the file is empty (the header district,year,indicator,value is row 1)")
    header = [cell.strip().lower() for cell in records[0]]
    absent = [c for c in _CSV_COLUMNS if c not in header]
    if absent:
        raise SmartInputError(f"{source}: missing column(s) {', '.join(absent)}")
    at = {c: header.index(c) for c in _CSV_COLUMNS}
    rows: list[HistoryRow] = []
    first_seen: dict[tuple[str, int, str], tuple[int, float]] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {c: (record[i].strip() if i < len(record) else "") for c, i in at.items()}
        for column in ("district", "indicator"):
            if not cells[column]:
                raise SmartInputError(f"{source}: row {number}: {column} is empty")
        if not _INTEGER.fullmatch(cells["year"]):
            raise SmartInputError(f"{source}: row {number}: year {_shown(cells['year'])} is not a whole number")
        raw_value = cells["value"].replace(",", ".") if sep == ";" else cells["value"]
        if not _NUMBER.fullmatch(raw_value):
            raise SmartInputError(f"{source}: row {number}: value {_shown(cells['value'])} is not a number")
        value = float(raw_value)
        if not math.isfinite(value):
            raise SmartInputError(f"{source}: row {number}: value {_shown(cells['value'])} is out of range")
        # A year has at most four digits; int() refuses more than 4300, leading zeros included.
        sign, digits = "-" if cells["year"].startswith("-") else "", cells["year"].lstrip("+-").lstrip("0") or "0"
        if len(digits) > 4:
            raise SmartInputError(f"{source}: row {number}: year {_shown(cells['year'])} is not a year")
        key = (cells["district"], int(sign + digits), cells["indicator"])
        if key in first_seen:
            first_row, first_value = first_seen[key]
            if first_value != value:
                raise SmartInputError(
                    f"{source}: row {number}: a second value for {key[0]}, {key[1]}, {key[2]} (the first is on row {first_row})"
                )
            continue
        first_seen[key] = (number, value)
        rows.append(HistoryRow(district=key[0], year=key[1], indicator=key[2], value=value))
    return rows


# -- whether a goal is on track (the follow-up report's rule, and the plan page's) -----------------

ACHIEVED, ON_TRACK, OFF_TRACK, NO_DATA = "achieved", "on_track", "off_track", "no_data"


@dataclass(frozen=True)
class GoalStatus:
    status: str
    latest_year: int | None = None
    latest_value: float | None = None
    projected_value: float | None = None  # at the target year, continuing the change since the baseline
    yearly_change: float | None = None


def goal_status(
    *, baseline_year: int | None, baseline_value: float | None, target_year: int | None,
    target_value: float | None, observations: Sequence[tuple[int, float | None]], higher_is_better: bool,
) -> GoalStatus:
    """Where a goal stands: the latest figure after the baseline year, and the straight line from
    the baseline through it continued to the target year.

    * `achieved` — the latest figure already meets the target (in the better direction);
    * `on_track` — the projection meets the target by the target year;
    * `off_track` — it does not;
    * `no_data` — no baseline or target, or no figure after the baseline year (a suppressed
      figure is no figure): never a guess.

    The line runs through two points, the baseline and the latest figure: goals state a baseline
    and a target, and the question a follow-up answers is whether the change since the baseline
    is fast enough, not how a regression through noisy years would read.
    """
    if None in (baseline_year, baseline_value, target_year, target_value):
        return GoalStatus(NO_DATA)
    later = sorted((y, v) for y, v in observations if v is not None and y > baseline_year)
    if not later:
        return GoalStatus(NO_DATA)
    latest_year, latest_value = later[-1]
    sign = 1.0 if higher_is_better else -1.0
    rate = (latest_value - baseline_value) / (latest_year - baseline_year)
    projected = latest_value + rate * (target_year - latest_year) if target_year > latest_year else latest_value
    if sign * (latest_value - target_value) >= 0:
        return GoalStatus(ACHIEVED, latest_year, latest_value, projected, rate)
    status = ON_TRACK if target_year > latest_year and sign * (projected - target_value) >= 0 else OFF_TRACK
    return GoalStatus(status, latest_year, latest_value, projected, rate)
