"""`stadsdel stats show --area CODE` reads back every kind of unit a file can name: an area, and
also the country (SE, 00) and a county (2 digits), which an import of crimes.csv stores beside
the areas and municipalities."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from stadsdel.indicators.services.imports import observations_import

pytestmark = pytest.mark.django_db

CRIMES = (
    "indicator,area,period,sex,value,numerator,denominator\n"
    "reported_crimes_per_1000,01270001,2010,T,80,160,2000\n"
    "reported_crimes_per_1000,0127,2010,T,70,7000,100000\n"
    "reported_crimes_per_1000,01,2010,T,90,180000,2000000\n"
    "reported_crimes_per_1000,SE,2010,T,75,750000,10000000\n"
)


def show(*args):
    out = StringIO()
    call_command("stats", "show", "--indicator", "reported_crimes_per_1000", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def crimes(tmp_path):
    path = tmp_path / "crimes.csv"
    path.write_text(CRIMES)
    assert observations_import(path=path, fmt="csv").created == 4


def row(area, value, numerator, denominator):
    return {"indicator": "reported_crimes_per_1000", "area": area, "period": 2010, "sex": "T", "value": value,
            "numerator": numerator, "denominator": denominator, "status": "ok"}


@pytest.mark.parametrize("code", ["SE", "00", "Riket"])
def test_the_country_reads_back_by_its_codes(crimes, code):
    assert show("--area", code) == [row("SE", 75.0, 750000.0, 10000000.0)]


def test_a_county_reads_back_by_its_two_digit_code(crimes):
    assert show("--area", "01") == [row("01", 90.0, 180000.0, 2000000.0)]
    assert show("--area", "01", "--year", "2011") == []


def test_areas_and_municipalities_still_read_back(crimes):
    assert show("--area", "01270001") == [row("01270001", 80.0, 160.0, 2000.0)]
    # A municipality code given as an area means the municipality, like in the imported file.
    assert show("--area", "0127") == [row("0127", 70.0, 7000.0, 100000.0)]
    assert show("--municipality", "0127") == show("--area", "0127")


def test_an_unknown_county_is_an_empty_answer_not_another_unit(crimes):
    assert show("--area", "99") == []
