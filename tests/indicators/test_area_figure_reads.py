"""Reads of an area's figures go by the unit key the figures are stored under
(`area_unit_key`), since the figures have no index by area (issue 21): the district map, a
crosswalk's mapping and `stats show --area` read the same figures as when they asked by area."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from stadsdel.areas.models import Crosswalk, District, StatisticalArea
from stadsdel.areas.services import boundaries_load
from stadsdel.indicators.models import Observation, area_unit_key
from stadsdel.indicators.services.imports import observations_import

pytestmark = pytest.mark.django_db

JORDBRO = ("01360017", "01360018", "01360019")


def _import(tmp_path, name: str, lines: list[str]) -> None:
    path = tmp_path / name
    path.write_text("indicator,area,period,sex,value,numerator,denominator\n" + "\n".join(lines) + "\n")
    observations_import(path=path, fmt="csv")


def test_an_area_figure_is_stored_under_its_area_unit_key(tmp_path):
    _import(tmp_path, "one.csv", ["employment_rate_20_64,01360017,2010,T,50,500,1000"])
    figure = Observation.objects.get(statistical_area__code="01360017")
    area = StatisticalArea.objects.select_related("code_system").get(code="01360017")
    assert figure.unit_key == area_unit_key(area.code_system.code, area.code) == "area:SAMS:01360017"
    # No index of the figures begins with the area (see Observation.Meta.indexes).
    assert not [i for i in Observation._meta.indexes if i.fields[0] in ("statistical_area", "statistical_area_id")]


def test_the_district_map_shows_each_areas_own_latest_figure(tmp_path):
    lines = [f"employment_rate_20_64,{code},{year},T,{10 * i + year - 2000},," for i, code in enumerate(JORDBRO, 1)
             for year in (2010, 2011)]
    lines += ["employment_rate_20_64,01360017,2012,K,99,,",   # a sex other than total: not on the map
              "employment_rate_20_64,01270001,2012,T,98,,",   # another municipality's area
              "employment_rate_20_64,0136,2012,T,97,,"]       # the municipality's own figure
    _import(tmp_path, "jordbro.csv", lines)
    features = [{"type": "Feature", "properties": {"code": code}, "geometry": {
        "type": "Polygon", "coordinates": [[[18.15 + 0.01 * i, 59.17], [18.16 + 0.01 * i, 59.17],
                                            [18.16 + 0.01 * i, 59.18], [18.15 + 0.01 * i, 59.17]]]}}
                for i, code in enumerate(JORDBRO)]
    path = tmp_path / "jordbro.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    boundaries_load(path=path, code_system="SAMS", code_field="code")
    from stadsdel.areas.selectors import district_get
    from stadsdel.indicators.maps import district_map

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    built = district_map(district_get(pk=jordbro.pk), indicator_code="employment_rate_20_64")
    assert {r.code: r.value for r in built["map_rows"]} == {"01360017": 21, "01360018": 31, "01360019": 41}
    earlier = district_map(district_get(pk=jordbro.pk), indicator_code="employment_rate_20_64", until=2010)
    assert {r.code: r.value for r in earlier["map_rows"]} == {"01360017": 20, "01360018": 30, "01360019": 40}


def test_a_crosswalk_maps_its_systems_figures_and_keeps_a_measured_one(tmp_path):
    _import(tmp_path, "deso.csv", ["employment_rate_20_64,0127C1010,2018,T,60,600,1000",
                                   "employment_rate_20_64,0127C1020,2018,T,50,400,800",
                                   # measured in the to-system: beats the mapped figure
                                   "employment_rate_20_64,01270002,2018,T,40,80,200"])
    (tmp_path / "deso_sams.csv").write_text("from_code,to_code,weight\n0127C1010,01270001,0.75\n"
                                            "0127C1010,01270002,0.25\n0127C1020,01270004,0.5\n0127C1020,01270005,0.5\n")
    call_command("crosswalk", "load", str(tmp_path / "deso_sams.csv"), stdout=StringIO())
    crosswalk = Crosswalk.objects.get(from_system__code="DeSO", to_system__code="SAMS")
    figures = {o.unit_key: (o.numerator, o.denominator, o.crosswalk_id)
               for o in Observation.objects.filter(level="area", period=2018)}
    assert figures == {
        "area:DeSO:0127C1010": (600, 1000, None), "area:DeSO:0127C1020": (400, 800, None),
        "area:SAMS:01270001": (450, 750, crosswalk.pk), "area:SAMS:01270002": (80, 200, None),
        "area:SAMS:01270004": (200, 400, crosswalk.pk), "area:SAMS:01270005": (200, 400, crosswalk.pk),
    }


def test_stats_show_area_reads_that_areas_figures(tmp_path):
    _import(tmp_path, "two.csv", ["employment_rate_20_64,01270001,2010,T,50,500,1000",
                                  "employment_rate_20_64,01270002,2010,T,60,600,1000",
                                  "employment_rate_20_64,0127C1010,2010,T,70,700,1000"])
    out = StringIO()
    call_command("stats", "show", "--indicator", "employment_rate_20_64", "--area", "01270002", "--json", stdout=out)
    assert [(r["area"], r["value"]) for r in json.loads(out.getvalue())] == [("01270002", 60.0)]
