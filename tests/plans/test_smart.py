"""The SMART check as a pure function (stadsdel.plans.compute): every letter's pass and fail
causes, R's unknown case and its percentile rule on a history small enough to compute by hand."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from stadsdel.plans.compute import (
    GoalInput,
    HistoryRow,
    SmartInputError,
    format_number,
    goal_from_json,
    history_from_csv,
    smart_check,
)

# Employment rate (percent, higher is better) in three districts. The observed yearly changes:
#   Jordbro 50 → 51 → 53 → 53,5 → 55 (2010–2014):        1, 2, 0,5, 1,5
#   Rinkeby 40 → 39 → 40 → 42,5 → 45,5 (2010–2014):      −1, 1, 2,5, 3
#   Tensta  60 (2010) → 61 (2012) → 62 → 62 → 62,5 (2015): 0,5 (a two-year gap: 1/2), 1, 0, 0,5
# Sorted, the 12 changes are −1, 0, 0,5, 0,5, 0,5, 1, 1, 1, 1,5, 2, 2,5, 3.
# The 90th percentile (linear): position 0,9 × (12 − 1) = 9,9, between the 10th and 11th values
# (index 9 = 2 and index 10 = 2,5): 2 + 0,9 × (2,5 − 2) = 2,45 per year.
# The median (50th): position 5,5, between index 5 = 1 and index 6 = 1: 1.
SERIES = {
    "Jordbro": {2010: 50, 2011: 51, 2012: 53, 2013: 53.5, 2014: 55},
    "Rinkeby": {2010: 40, 2011: 39, 2012: 40, 2013: 42.5, 2014: 45.5},
    "Tensta": {2010: 60, 2012: 61, 2013: 62, 2014: 62, 2015: 62.5},
}
HISTORY = [HistoryRow(d, y, "sys", float(v)) for d, years in SERIES.items() for y, v in years.items()]
# The same history mirrored for a lower-is-better indicator (share on social assistance,
# 100 − the value): every change flips sign, so the directed changes, and their 90th
# percentile of 2,45, are the same.
HISTORY_LOW = [HistoryRow(r.district, r.year, "bidrag", 100 - r.value) for r in HISTORY]

GOAL = GoalInput(
    text="Fler i Jordbro ska ha ett arbete.",
    goal_area="Arbete och sysselsättning",
    scope=("Jordbro",),
    indicator="sys",
    baseline_value=53.0,
    baseline_year=2012,
    target_value=62.6,  # (62,6 − 53)/4 = 2,4 per year, just under 2,45
    target_year=2016,
    responsible=("Haninge kommun",),
    accepted_by="Lokala styrgruppen",
    accepted_on=date(2012, 3, 1),
    plan_period_end=2018,
    unit="percent",
    higher_is_better=True,
)


def check(history=HISTORY, **changes):
    return smart_check(dataclasses.replace(GOAL, **changes), history)


def test_a_complete_goal_passes_every_letter():
    results = smart_check(GOAL, HISTORY)
    assert list(results) == ["S", "M", "A", "R", "T"]
    assert {k: r.result for k, r in results.items()} == dict.fromkeys("SMART", "pass")
    assert results["S"].reason == "Målet gäller Jordbro inom målområdet Arbete och sysselsättning."
    assert results["A"].reason == "Ansvarig: Haninge kommun. Målet accepterades av Lokala styrgruppen den 2012-03-01."
    assert results["T"].reason == "Målåret 2016 ligger efter utgångsåret 2012 och inom planperioden, som slutar 2018."


# --- S ---------------------------------------------------------------------------------------

def test_s_passes_with_a_population_group_alone():
    r = check(scope=(), population_group="unga vuxna 18–24 år")["S"]
    assert r.result == "pass"
    assert r.reason == "Målet gäller befolkningsgruppen unga vuxna 18–24 år inom målområdet Arbete och sysselsättning."


def test_s_names_a_group_within_districts():
    r = check(scope=("Jordbro", "Rinkeby"), population_group="unga vuxna")["S"]
    assert r.reason == "Målet gäller befolkningsgruppen unga vuxna i Jordbro och Rinkeby inom målområdet Arbete och sysselsättning."


@pytest.mark.parametrize(("changes", "reason"), [
    ({"scope": ()}, "Målet saknar avgränsning (minst en stadsdel eller en namngiven befolkningsgrupp)."),
    # A blank group or district name names nothing.
    ({"scope": ("  ",), "population_group": "   "},
     "Målet saknar avgränsning (minst en stadsdel eller en namngiven befolkningsgrupp)."),
    ({"goal_area": None}, "Målet saknar målområde."),
    ({"goal_area": " "}, "Målet saknar målområde."),
    ({"scope": (), "goal_area": ""},
     "Målet saknar avgränsning (minst en stadsdel eller en namngiven befolkningsgrupp) och målområde."),
])
def test_s_fails_naming_what_is_missing(changes, reason):
    r = check(**changes)["S"]
    assert (r.result, r.reason) == ("fail", reason)


# --- M ---------------------------------------------------------------------------------------

def test_m_passes_when_every_district_has_the_baseline_year():
    r = check(scope=("Jordbro", "Rinkeby", "Tensta"))["M"]
    assert r.result == "pass"
    assert r.reason == ("Indikatorn sys har utgångsvärdet 53 procent år 2012, och det finns data det året "
                        "för Jordbro, Rinkeby och Tensta.")


@pytest.mark.parametrize(("changes", "reason"), [
    ({"indicator": None}, "Målet saknar indikator."),
    ({"baseline_value": None}, "Målet saknar utgångsvärde."),
    ({"indicator": "", "baseline_value": None, "baseline_year": None},
     "Målet saknar indikator, utgångsvärde och utgångsår."),
    # Tensta was not measured in 2011.
    ({"scope": ("Jordbro", "Tensta"), "baseline_year": 2011},
     "Det saknas data för indikatorn sys år 2011 för 1 av målets 2 stadsdelar: Tensta."),
    ({"scope": ("Hjulsta",)}, "Det saknas data för indikatorn sys år 2012 för Hjulsta."),
    ({"scope": ("Hjulsta", "Jordbro", "Husby")},
     "Det saknas data för indikatorn sys år 2012 för 2 av målets 3 stadsdelar: Hjulsta och Husby."),
    ({"indicator": "ohälsotal"}, "Det saknas data för indikatorn ohälsotal år 2012 för Jordbro."),
])
def test_m_fails_naming_the_missing_piece(changes, reason):
    r = check(**changes)["M"]
    assert (r.result, r.reason) == ("fail", reason)


def test_m_fails_without_any_data():
    r = check(history=[])["M"]
    assert r.result == "fail"
    assert r.reason == "Inga statistikdata har angetts, så det går inte att visa att indikatorn sys mäts år 2012."


def test_m_for_a_population_group_needs_the_indicator_somewhere_in_the_baseline_year():
    group = {"scope": (), "population_group": "unga vuxna"}
    assert check(**group)["M"].result == "pass"
    r = check(**group, baseline_year=2009)["M"]
    assert (r.result, r.reason) == ("fail", "Det saknas data för indikatorn sys år 2009.")


def test_m_treats_a_suppressed_value_as_no_data():
    history = [*HISTORY, HistoryRow("Husby", 2012, "sys", None), HistoryRow("Kista", 2012, "sys", float("nan"))]
    r = check(history=history, scope=("Husby", "Kista"))["M"]
    assert r.result == "fail" and r.reason.endswith("för 2 av målets 2 stadsdelar: Husby och Kista.")


# --- A ---------------------------------------------------------------------------------------

def test_a_lists_every_responsible_organisation():
    r = check(responsible=("Haninge kommun", "Försäkringskassan", "Arbetsförmedlingen"))["A"]
    assert r.result == "pass"
    assert r.reason == ("Ansvariga: Haninge kommun, Försäkringskassan och Arbetsförmedlingen. "
                        "Målet accepterades av Lokala styrgruppen den 2012-03-01.")


@pytest.mark.parametrize(("changes", "reason"), [
    ({"responsible": ()}, "Målet saknar ansvarig organisation."),
    ({"responsible": ("",)}, "Målet saknar ansvarig organisation."),
    ({"accepted_by": None, "accepted_on": None},
     "Målet saknar uppgift om vem som har accepterat målet och datum för när målet accepterades."),
    ({"accepted_on": None}, "Målet saknar datum för när målet accepterades."),
    ({"responsible": (), "accepted_by": " "},
     "Målet saknar ansvarig organisation och uppgift om vem som har accepterat målet."),
])
def test_a_fails_naming_what_is_missing(changes, reason):
    r = check(**changes)["A"]
    assert (r.result, r.reason) == ("fail", reason)


# --- R ---------------------------------------------------------------------------------------

def test_r_passes_just_under_the_90th_percentile():
    r = check()["R"]
    assert r.result == "pass"
    assert r.reason == (
        "Målet kräver en förbättring (ökning) med 2,4 procentenheter per år; 90:e percentilen av de årliga "
        "förändringar som observerats i alla stadsdelar (12 st., räknade i förbättringsriktningen) är "
        "2,45 procentenheter per år. Målet bedöms som realistiskt."
    )


def test_r_passes_exactly_at_the_90th_percentile():
    # (62,8 − 53)/4 = 2,45 in decimal arithmetic; in floats a hair under or over.
    assert check(target_value=62.8)["R"].result == "pass"


def test_r_fails_just_over_the_90th_percentile():
    r = check(target_value=63.0)["R"]  # (63 − 53)/4 = 2,5 > 2,45
    assert r.result == "fail"
    assert "förbättring (ökning) med 2,5 procentenheter per år" in r.reason
    assert "är 2,45 procentenheter per år" in r.reason
    assert r.reason.endswith("Målet bedöms inte som realistiskt.")


def test_r_uses_the_given_percentile():
    r = smart_check(GOAL, HISTORY, percentile=50)["R"]  # the median is 1; 2,4 is above it
    assert r.result == "fail"
    assert "50:e percentilen" in r.reason and "är 1 procentenhet per år" in r.reason
    assert smart_check(GOAL, HISTORY, percentile=100)["R"].result == "pass"  # the largest, 3


def test_r_for_a_lower_is_better_indicator():
    low = {"indicator": "bidrag", "baseline_value": 47.0, "higher_is_better": False}
    # (37,4 − 47)/4 = −2,4 per year: an improvement of 2,4, under 2,45.
    r = check(history=HISTORY_LOW, target_value=37.4, **low)["R"]
    assert r.result == "pass"
    assert "förbättring (minskning) med 2,4 procentenheter per år" in r.reason
    assert "är 2,45 procentenheter per år" in r.reason
    # (37 − 47)/4 = −2,5: an improvement of 2,5, over 2,45. Undirected, −2,5 would look tiny
    # next to the observed changes and pass.
    assert check(history=HISTORY_LOW, target_value=37.0, **low)["R"].result == "fail"


def test_r_a_goal_that_allows_worsening_is_realistic_and_says_so():
    r = check(history=[], target_value=49.0)["R"]  # (49 − 53)/4 = −1 for a higher-is-better rate
    assert r.result == "pass"
    assert r.reason == (
        "Målet tillåter en försämring med 1 procentenhet per år (53 procent år 2012, 49 procent år 2016); "
        "ett sådant mål är realistiskt oavsett historiken, men det innebär ingen förbättring."
    )
    low = check(history=[], indicator="bidrag", baseline_value=47.0, target_value=50.0, higher_is_better=False)["R"]
    assert low.result == "pass" and "försämring med 0,75 procentenheter per år" in low.reason


def test_r_a_goal_that_requires_no_change_is_realistic_without_history():
    r = check(history=[], target_value=53.0)["R"]
    assert r.result == "pass"
    assert r.reason == ("Målet kräver ingen förändring (målvärdet är lika med utgångsvärdet, 53 procent), "
                        "så det är realistiskt oavsett historiken.")


@pytest.mark.parametrize(("changes", "reason"), [
    ({"target_value": 100.5}, "Målvärdet 100,5 procent ligger utanför indikatorns möjliga intervall, 0–100 procent."),
    ({"target_value": -1.0, "higher_is_better": False},
     "Målvärdet −1 procent ligger utanför indikatorns möjliga intervall, 0–100 procent."),
])
def test_r_fails_on_a_target_out_of_range(changes, reason):
    r = check(**changes)["R"]
    assert (r.result, r.reason) == ("fail", reason)


def test_r_range_bounds_are_inclusive_and_numbers_unbounded():
    # 99 → 100 and 1 → 0 over four years: 0,25 per year, well under 2,45, and on the bounds.
    assert check(baseline_value=99.0, target_value=100.0)["R"].result == "pass"
    low = {"indicator": "bidrag", "higher_is_better": False, "history": HISTORY_LOW}
    assert check(baseline_value=1.0, target_value=0.0, **low)["R"].result == "pass"
    many = check(unit="number", target_value=1_000_000.0)["R"]
    assert many.result == "fail" and "utanför" not in many.reason  # unrealistic, but a number has no bound
    assert "förbättring (ökning) med 249 986,75 per år" in many.reason  # no unit, grouped thousands


@pytest.mark.parametrize(("changes", "reason"), [
    ({"indicator": None}, "Målet saknar indikator, så det går inte att bedöma om det är realistiskt."),
    ({"target_value": None},
     "Målet saknar målvärde, så den årliga förändring som målet kräver kan inte beräknas."),
    ({"baseline_value": None, "baseline_year": None, "target_year": None},
     "Målet saknar utgångsvärde, utgångsår och målår, så den årliga förändring som målet kräver kan inte beräknas."),
    ({"target_year": 2012},
     "Målåret 2012 ligger inte efter utgångsåret 2012, så den årliga förändring som målet kräver kan inte beräknas."),
    ({"target_year": 2010},
     "Målåret 2010 ligger inte efter utgångsåret 2012, så den årliga förändring som målet kräver kan inte beräknas."),
])
def test_r_fails_when_the_required_change_cannot_be_computed(changes, reason):
    r = check(**changes)["R"]
    assert (r.result, r.reason) == ("fail", reason)


def test_r_is_unknown_with_too_few_observed_changes():
    few = [r for r in HISTORY if r.district == "Jordbro"]  # 4 changes
    r = check(history=few)["R"]
    assert r.result == "unknown"
    assert r.reason == ("Data innehåller 4 observerade årliga förändringar av indikatorn sys, och det behövs "
                        "minst 10 observerade årliga förändringar; därför går det inte att bedöma om målet är realistiskt.")
    # Other indicators' changes do not count.
    other = check(history=[*few, *HISTORY_LOW])["R"]
    assert other.result == "unknown" and "Data innehåller 4 observerade" in other.reason
    # With the threshold lowered to 4, Jordbro's own changes (1, 2, 0,5, 1,5) decide: 90th = 1,85.
    decided = smart_check(GOAL, few, min_changes=4)["R"]
    assert decided.result == "fail" and "är 1,85 procentenheter per år" in decided.reason


def test_r_is_unknown_without_data_or_without_the_indicator():
    r = check(history=[])["R"]
    assert r.result == "unknown"
    assert r.reason == ("Inga statistikdata har angetts, så det går inte att bedöma om målet är realistiskt "
                        "(det behövs minst 10 observerade årliga förändringar av indikatorn sys).")
    r = check(history=HISTORY_LOW)["R"]
    assert r.result == "unknown" and r.reason.startswith("Data innehåller ingen observerad årlig förändring av indikatorn sys")


# --- T ---------------------------------------------------------------------------------------

def test_t_passes_with_the_target_in_the_last_year_of_the_plan():
    assert check(target_year=2018)["T"].result == "pass"


@pytest.mark.parametrize(("changes", "reason"), [
    ({"target_year": None}, "Målet saknar målår."),
    ({"baseline_year": None}, "Målet saknar utgångsår, så det går inte att visa att målåret ligger efter det."),
    ({"target_year": 2012}, "Målåret 2012 ligger inte efter utgångsåret 2012."),
    ({"target_year": 2011}, "Målåret 2011 ligger inte efter utgångsåret 2012."),
    ({"plan_period_end": None}, "Planen saknar slutår för planperioden."),
    ({"target_year": 2019}, "Målåret 2019 ligger efter planperiodens slut (2018)."),
    ({"target_year": None, "plan_period_end": None}, "Målet saknar målår. Planen saknar slutår för planperioden."),
])
def test_t_fails_with_the_reason(changes, reason):
    r = check(**changes)["T"]
    assert (r.result, r.reason) == ("fail", reason)


# --- English ---------------------------------------------------------------------------------

def test_english_reasons():
    results = smart_check(GOAL, HISTORY, lang="en")
    assert results["S"].reason == "The goal concerns Jordbro in the goal area Arbete och sysselsättning."
    assert results["M"].reason == ("Indicator sys has the baseline value 53% in 2012, and there are data "
                                   "that year for Jordbro.")
    assert results["A"].reason == "Responsible: Haninge kommun. Accepted by Lokala styrgruppen on 2012-03-01."
    assert results["R"].reason == (
        "The goal requires an improvement (a rise) of 2.4 percentage points per year; the 90th percentile of "
        "the yearly changes observed across all districts (12 in all, counted in the direction of improvement) "
        "is 2.45 percentage points per year. The goal is judged realistic."
    )
    assert results["T"].reason == ("The target year 2016 is after the baseline year 2012 and within the plan "
                                   "period, which ends in 2018.")


def test_english_fail_and_unknown_reasons():
    bare = dataclasses.replace(GOAL, scope=(), goal_area=None, baseline_value=None, baseline_year=None,
                               responsible=(), accepted_by=None, accepted_on=None, plan_period_end=None)
    results = smart_check(bare, [], lang="en")
    assert {k: r.result for k, r in results.items()} == dict.fromkeys("SMART", "fail")
    assert results["S"].reason == ("The goal lacks a scope (at least one district or a named population group) "
                                   "and a goal area.")
    assert results["M"].reason == "The goal lacks a baseline value and a baseline year."
    assert results["A"].reason == ("The goal lacks a responsible organisation, a record of who accepted it "
                                   "and the date it was accepted.")
    assert results["R"].reason == ("The goal lacks a baseline value and a baseline year, so the yearly change "
                                   "it requires cannot be computed.")
    assert results["T"].reason == ("The goal lacks a baseline year, so it cannot be shown that the target year "
                                   "comes after it. The plan has no period end.")
    r = smart_check(dataclasses.replace(GOAL, target_value=63.0, higher_is_better=True), HISTORY[:5], lang="en")["R"]
    assert r.result == "unknown"
    assert r.reason == ("The data hold 4 observed yearly changes of indicator sys, and at least 10 observed "
                        "yearly changes are needed; so whether the goal is realistic cannot be judged.")
    r = smart_check(dataclasses.replace(GOAL, target_value=101.0), HISTORY, lang="en")["R"]
    assert r.reason == "The target value 101% lies outside the indicator's possible range, 0–100%."


@pytest.mark.parametrize(("x", "sv", "en"), [
    (2.45, "2,45", "2.45"),
    (2.4499999999999993, "2,45", "2.45"),
    (-0.5, "−0,5", "-0.5"),
    (12345.678, "12 345,68", "12,345.68"),
    (0.004, "0,004", "0.004"),
    (3.0, "3", "3"),
    (0.0, "0", "0"),
])
def test_numbers_are_written_the_readers_way(x, sv, en):
    assert format_number(x, "sv") == sv
    assert format_number(x, "en") == en


def test_ordinal_percentiles():
    for p, sv, en in ((1, "1:a percentilen", "1st percentile"), (22, "22:a percentilen", "22nd percentile"),
                      (12, "12:e percentilen", "12th percentile"), (75, "75:e percentilen", "75th percentile"),
                      (87.5, "percentilen 87,5", "87.5th percentile")):
        assert sv in smart_check(GOAL, HISTORY, percentile=p)["R"].reason
        assert en in smart_check(GOAL, HISTORY, percentile=p, lang="en")["R"].reason


# --- parameters and inputs -------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"percentile": 0}, {"percentile": -5}, {"percentile": 100.5}, {"percentile": float("nan")},
    {"min_changes": 0}, {"min_changes": 2.5}, {"lang": "de"},
])
def test_bad_parameters_are_refused(params):
    with pytest.raises(ValueError):
        smart_check(GOAL, HISTORY, **params)


def test_two_different_values_for_one_cell_are_refused():
    with pytest.raises(ValueError, match="two values for sys in Jordbro in 2012"):
        smart_check(GOAL, [*HISTORY, HistoryRow("Jordbro", 2012, "sys", 54.0)])
    # The same value twice is harmless.
    assert smart_check(GOAL, [*HISTORY, HistoryRow("Jordbro", 2012, "sys", 53.0)])["R"].result == "pass"


def test_goal_from_json_keeps_allowed_nulls_as_missing_facts():
    goal = goal_from_json({
        "text": "Tryggare", "goal_area": None, "scope": [], "population_group": "äldre", "indicator": None,
        "baseline": None, "target": {"value": 80, "year": 2020}, "responsible": [], "accepted": None,
        "plan_period_end": None, "unit": "percent", "higher_is_better": True,
    }, source="goal.json")
    assert goal.population_group == "äldre" and goal.baseline_year is None and goal.target_value == 80.0
    assert goal.accepted_on is None and goal.plan_period_end is None


@pytest.mark.parametrize(("change", "message"), [
    ({"unit": "kronor"}, 'goal.json: unit: must be one of percent, number, not "kronor"'),
    ({"baseline": {"value": 53, "year": 2012.5}}, "goal.json: baseline.year: must be a year"),
    ({"target": {"value": "62", "year": 2016}}, 'goal.json: target.value: must be a number or null, not "62"'),
    ({"target": {"year": 2016}}, "goal.json: target: missing key(s) value"),
    ({"scope": "Jordbro"}, "goal.json: scope: must be a list of names"),
    ({"responsible": [1]}, "goal.json: responsible[0]: must be a name"),
    ({"accepted": {"by": "KS", "date": "1 mars 2012"}}, "goal.json: accepted.date: must be a date like 2010-03-01"),
    ({"higher_is_better": "yes"}, "goal.json: higher_is_better: must be true or false"),
    ({"plan_period_end": True}, "goal.json: plan_period_end: must be a year"),
])
def test_goal_from_json_names_the_field(change, message):
    document = {
        "text": "t", "goal_area": "Arbete", "scope": ["Jordbro"], "indicator": "sys",
        "baseline": {"value": 53, "year": 2012}, "target": {"value": 62, "year": 2016},
        "responsible": ["Haninge kommun"], "accepted": {"by": "KS", "date": "2012-03-01"},
        "plan_period_end": 2018, "unit": "percent", "higher_is_better": True,
    }
    with pytest.raises(SmartInputError) as caught:
        goal_from_json({**document, **change}, source="goal.json")
    assert message in str(caught.value)
    document.pop("unit")
    with pytest.raises(SmartInputError, match=r"goal\.json: missing key"):
        goal_from_json(document, source="goal.json")


def test_history_from_csv_reads_text_columns_as_text():
    rows = history_from_csv("\ufeffDistrict,Year,Indicator,Value\n0180C1010,2012,007,53.5\n\n Jordbro ,2013,sys,-1e1\n",
                            source="data.csv")
    assert rows == [HistoryRow("0180C1010", 2012, "007", 53.5), HistoryRow("Jordbro", 2013, "sys", -10.0)]
    # Semicolon files from Swedish spreadsheets carry a decimal comma.
    assert history_from_csv("district;year;indicator;value\nJordbro;2012;sys;53,5\n", source="d.csv") == [
        HistoryRow("Jordbro", 2012, "sys", 53.5)
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("", "data.csv: the file is empty"),
    ("district,year,value\n", "data.csv: missing column(s) indicator"),
    ("district,year,indicator,value\nJordbro,2012,sys,53\nJordbro,2013,sys,nan\n", 'data.csv: row 3: value "nan" is not a number'),
    ("district,year,indicator,value\nJordbro,2012,sys,\n", 'data.csv: row 2: value "" is not a number'),
    ("district,year,indicator,value\nJordbro,2012.0,sys,1\n", 'data.csv: row 2: year "2012.0" is not a whole number'),
    ("district,year,indicator,value\n,2012,sys,1\n", "data.csv: row 2: district is empty"),
    ("district,year,indicator,value\nJordbro,2012,sys,1\nJordbro,2012,sys,2\n",
     "data.csv: row 3: a second value for Jordbro, 2012, sys (the first is on row 2)"),
])
def test_history_from_csv_names_the_row(text, message):
    with pytest.raises(SmartInputError) as caught:
        history_from_csv(text, source="data.csv")
    assert message in str(caught.value)


def test_decimals_from_the_database_are_accepted():
    from decimal import Decimal

    history = [HistoryRow(r.district, r.year, r.indicator, Decimal(str(r.value))) for r in HISTORY]
    history.append(HistoryRow("Jordbro", 2012, "sys", Decimal("53.0")))  # the same figure twice
    goal = dataclasses.replace(GOAL, baseline_value=Decimal("53"), target_value=Decimal("62.6"))
    assert smart_check(goal, history) == smart_check(GOAL, HISTORY)
