"""The indicator explorer's selector, page, downloads and API operation: one query answers all
four, a suppressed cell stays suppressed (no value, never zero), units are named, the row cap
is said, and what a caller sees follows their scope."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from stadsdel.accounts.scoping import scope_for
from stadsdel.areas.models import District, DistrictArea
from stadsdel.indicators.explore import ExploreQuery, explore, explore_query_parse
from stadsdel.indicators.services.imports import observations_import

pytestmark = pytest.mark.django_db

INDICATOR = "employment_rate_20_64"


@pytest.fixture
def jordbro():
    return District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)


@pytest.fixture
def figures(tmp_path, jordbro, analyst_user):
    """Haninge, Stockholm county and the country 2010–2012, Haninge's 2011 suppressed, and two of
    Jordbro's areas in 2012 (one suppressed), imported by the analyst."""
    codes = list(DistrictArea.objects.filter(district=jordbro).order_by("area__code")
                 .values_list("area__code", flat=True)[:2])
    lines = [
        "indicator,area,period,sex,value,numerator,denominator,status",
        f"{INDICATOR},0136,2010,T,60,600,1000,ok",
        f"{INDICATOR},0136,2011,T,,,,suppressed",
        f"{INDICATOR},0136,2012,T,62,620,1000,ok",
        f"{INDICATOR},0136,2012,K,60,300,500,ok",
        f"{INDICATOR},01,2012,T,70,7000,10000,ok",
        f"{INDICATOR},SE,2010,T,70,70000,100000,ok",
        f"{INDICATOR},SE,2012,T,71,71000,100000,ok",
        f"{INDICATOR},{codes[0]},2012,T,50,50,100,ok",
        f"{INDICATOR},{codes[1]},2012,T,,,,suppressed",
    ]
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(lines) + "\n")
    observations_import(path=path, fmt="csv", user=analyst_user)
    return codes


def _query(**params):
    return explore_query_parse({"indicator": [INDICATOR], **params})


def test_a_suppressed_cell_has_no_value_and_is_never_zero(figures):
    result = explore(query=_query(municipality=["0136"]), scope=scope_for(AnonymousUser()))
    by_year = {(r.period, r.sex): r for r in result.rows}
    assert sorted(by_year) == [(2010, "T"), (2011, "T"), (2012, "T")]  # total only, by default
    suppressed = by_year[(2011, "T")]
    assert suppressed.status == "suppressed"
    assert (suppressed.value, suppressed.numerator, suppressed.denominator) == (None, None, None)
    assert by_year[(2012, "T")].value == pytest.approx(62.0)
    assert result.suppressed == 1


def test_units_are_named_in_the_order_chosen_and_areas_by_their_district(figures, jordbro):
    result = explore(query=_query(country=["1"], county=["01"], municipality=["0136"], areas_of=[str(jordbro.pk)],
                                  sex=["T"], **{"from": ["2012"], "to": ["2012"]}),
                     scope=scope_for(AnonymousUser()))
    units = [r.unit for r in result.rows]
    assert units == [f"Jordbro {figures[0]}", f"Jordbro {figures[1]}", "Haninge", "Stockholms län", "Riket"]
    assert [r.status for r in result.rows][:2] == ["ok", "suppressed"]
    # Users see names; the keys stay for the API's callers.
    assert all(":" not in r.unit for r in result.rows)


def test_both_sexes_and_a_year_range(figures):
    result = explore(query=_query(municipality=["0136"], sex=["T", "K"], **{"from": ["2012"]}),
                     scope=scope_for(AnonymousUser()))
    assert [(r.period, r.sex) for r in result.rows] == [(2012, "T"), (2012, "K")]


def test_the_figures_are_one_query_whatever_the_number_of_units(figures, jordbro):
    small = _query(municipality=["0136"])
    large = _query(municipality=["0136", "0180", "1280"], county=["01"], country=["1"], district=[str(jordbro.pk)])
    scope = scope_for(AnonymousUser())
    counts = []
    for query in (small, large):
        with CaptureQueriesContext(connection) as queries:
            explore(query=query, scope=scope)
        counts.append(len(queries))
    observation_queries = [q for q in queries.captured_queries if "indicators_observation" in q["sql"]]
    assert len(observation_queries) == 1
    assert counts[1] <= counts[0] + 3  # one small naming query per further kind of unit


def test_the_row_cap_is_said(figures):
    result = explore(query=_query(municipality=["0136"], country=["1"]), scope=scope_for(AnonymousUser()), cap=2)
    assert result.capped is True
    assert len(result.rows) == 2
    assert explore(query=_query(municipality=["0136"]), scope=scope_for(AnonymousUser()), cap=3).capped is False


def test_an_empty_choice_reads_nothing(figures):
    with CaptureQueriesContext(connection) as queries:
        result = explore(query=ExploreQuery(), scope=scope_for(AnonymousUser()))
    assert result.rows == [] and len(queries) == 0


def test_malformed_parameters_are_dropped_not_errors():
    query = explore_query_parse({"district": ["x", "3"], "from": ["2015"], "to": ["2010"], "sex": ["Q"],
                                 "view": ["pie"], "indicator": ["a,b"]})
    assert query.districts == (3,)
    assert (query.year_from, query.year_to) == (2010, 2015)
    assert query.sexes == ("T",) and query.view == "line"
    assert query.indicators == ("a", "b")


# -- scoping ------------------------------------------------------------------------------------

def test_everyone_reads_the_same_public_figures_and_only_the_signed_in_see_who_imported(
        figures, ministry_user, malmo_user):
    query = _query(municipality=["0136"], country=["1"])
    anonymous = explore(query=query, scope=scope_for(AnonymousUser()))
    ministry = explore(query=query, scope=scope_for(ministry_user))
    outsider = explore(query=query, scope=scope_for(malmo_user))  # another municipality's coordinator

    def figures_of(result):
        return [(r.unit_key, r.period, r.sex, r.value, r.status) for r in result.rows]

    # Figures are aggregates that passed disclosure control: the same for every reader, as on
    # every statistics page and in GET /api/indicators/observations.
    assert figures_of(anonymous) == figures_of(ministry) == figures_of(outsider)
    assert len(anonymous.rows) == 5
    # Who imported is staff information (Scope.sees_import_authors).
    assert {r.imported_by for r in anonymous.rows} == {None}
    assert {r.imported_by for r in ministry.rows} == {"analyst"}


def test_similar_districts_come_from_the_function_handed_in(figures, jordbro):
    seen = {}

    class Group:
        description = "alike"

        def __init__(self, districts):
            self.districts = districts

    def similar(*, district, by):
        seen["call"] = (district.pk, by)
        return Group([district])

    result = explore(query=_query(similar_to=[str(jordbro.pk)], similar_by=["risk_band"]),
                     scope=scope_for(AnonymousUser()), similar=similar)
    assert seen["call"] == (jordbro.pk, "risk_band")
    assert [u.label for u in result.units] == ["Jordbro (Haninge)"]


def test_similar_districts_that_cannot_be_computed_are_said_and_the_rest_shown(figures, jordbro, client):
    # The seeds hold no typology variables: the page says why and still shows the municipality.
    response = client.get("/statistics/explore/", {"indicator": INDICATOR, "municipality": "0136",
                                                   "similar_to": jordbro.pk, "similar_by": "area_type"})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.similar_error
    assert [r.unit for r in result.rows][:1] == ["Haninge"]


# -- the page, its downloads and the API --------------------------------------------------------

PARAMS = {"indicator": INDICATOR, "municipality": "0136", "country": "1", "sex": ["T", "K"]}


def test_the_page_shows_a_suppressed_cell_as_suppressed(figures, client):
    response = client.get("/statistics/explore/", {**PARAMS, "view": "table"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "undertryckt (röjandekontroll)" in html
    row = html.split('class="is-suppressed"')[1].split("</tr>")[0]
    assert "0,0" not in row and ">0<" not in row
    assert "/statistics/imports/" in html  # each figure links to its import


def test_the_api_returns_the_same_rows_as_the_page(figures, client):
    page = client.get("/statistics/explore/", PARAMS).context["result"].rows
    api = client.get("/api/indicators/explore", PARAMS).json()
    assert api["count"] == len(page) == 6
    assert api["rows"] == [r.as_dict() for r in page]
    suppressed = [r for r in api["rows"] if r["status"] == "suppressed"]
    assert suppressed and all(r["value"] is None for r in suppressed)


def test_the_api_reads_comma_separated_lists_too(figures, client):
    api = client.get("/api/indicators/explore", {"indicator": INDICATOR, "municipality": "0136", "sex": "T,K"}).json()
    assert {r["sex"] for r in api["rows"]} == {"T", "K"}


def test_csv_and_xlsx_hold_exactly_what_is_shown(figures, client):
    page = client.get("/statistics/explore/", PARAMS).context["result"].rows
    response = client.get("/statistics/explore/", {**PARAMS, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["unit"], int(r["period"]), r["sex"], r["status"]) for r in rows] == \
        [(r.unit, r.period, r.sex, r.status) for r in page]
    assert all(r["value"] == "" for r in rows if r["status"] == "suppressed")
    xlsx = client.get("/statistics/explore/", {**PARAMS, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("indicator", "indicator_name", "unit")
    assert len(values) == len(page) + 1
    assert [v[2] for v in values[1:]] == [r.unit for r in page]


def test_the_chart_downloads_as_svg_and_png(figures, client):
    svg = client.get("/statistics/explore/", {**PARAMS, "format": "svg", "chart": INDICATOR})
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content and b"Haninge" in svg.content
    png = client.get("/statistics/explore/", {**PARAMS, "view": "bar", "format": "png", "chart": INDICATOR})
    assert png.content.startswith(b"\x89PNG")
    assert client.get("/statistics/explore/", {**PARAMS, "format": "svg", "chart": "nope"}).status_code == 404


def test_every_municipality_is_one_choice(figures):
    # 290 repeated codes make an address a server refuses; "all" stands for them.
    query = _query(municipality=["all"])
    assert query.all_municipalities and query.municipalities == ()
    result = explore(query=query, scope=scope_for(AnonymousUser()))
    assert len(result.units) == 290 and not result.units_capped
    assert {r.unit for r in result.rows} == {"Haninge"}  # the only municipality with figures
