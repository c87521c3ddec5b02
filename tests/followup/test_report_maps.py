"""The maps of the reports: the national report's map of Sweden (every municipality in outline,
those with districts coloured by their districts' figures together or their own, the districts
named), a district's map inside its municipality, and both never blank when rendered as the PDF
renders them."""

from __future__ import annotations

import json

import pytest

from stadsdel.areas.models import District
from stadsdel.areas.services import boundaries_load
from stadsdel.followup import render
from stadsdel.followup.content import national_content
from stadsdel.followup.maps import MUNICIPALITY, national_map, rolled_up
from stadsdel.indicators.maps import district_map

JORDBRO_AREAS = {"01360017": (900, 1500), "01360018": (800, 1400), "01360019": (700, 1300)}


@pytest.fixture
def figures(db, tmp_path):
    """Employment 2011 in Jordbro's three areas (so Jordbro's district figure, with its counts),
    Alby suppressed, and Haninge's own municipal figure."""
    from stadsdel.indicators.services.imports import observations_import

    lines = ["indicator,area,period,value,numerator,denominator,status"]
    for code, (num, den) in JORDBRO_AREAS.items():
        lines.append(f"employment_rate_20_64,{code},2011,{100 * num / den!r},{num},{den},ok")
    lines.append("employment_rate_20_64,01270001,2011,,,,suppressed")
    lines.append("employment_rate_20_64,0136,2011,71.5,,,ok")
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")


def test_rolled_up_is_the_sum_of_numerators_over_the_sum_of_denominators():
    assert rolled_up([(900, 1500), (800, 1400)], 100.0) == pytest.approx(100 * 1700 / 2900)
    assert rolled_up([(900, 1500), (None, None)], 100.0) is None  # a suppressed district: no sum
    assert rolled_up([(0, 0)], 100.0) is None
    assert rolled_up([], 100.0) is None


@pytest.mark.django_db
def test_national_map_is_sweden_with_the_agreement_municipalities_coloured(figures, map_filled):
    content = national_content(year=2011, public=True)
    built = national_map(content)
    rows = {r.name: r for r in built["map_rows"]}
    assert len(rows) == len({r.district.municipality_id for r in content.districts}) == 21
    assert rows["Haninge"].value == pytest.approx(100 * 2400 / 4200) and rows["Haninge"].districts == ["Jordbro"]
    assert rows["Botkyrka"].value is None  # Alby suppressed: no sum is made without it
    assert rows["Malmö"].districts == ["Fosie", "Hyllie", "Rosengård", "Södra Innerstan"]
    spec = built["map_spec"]
    layers = spec["layer"]
    outline, grey, coloured = layers
    assert len(grey["data"]["values"]) == 20  # the other municipalities with districts: no figure
    assert len(outline["data"]["values"]) == 290 - 21  # every other municipality in outline
    assert {f["properties"]["label"] for f in coloured["data"]["values"]} == {"Haninge"}
    assert all(layer["projection"]["type"] == "transverseMercator" for layer in layers)
    assert "Jordbro" in json.dumps(coloured["data"]["values"][0]["properties"])  # districts on hover
    assert "Haninge (Jordbro)" in spec["description"] and spec["title"]
    # Light enough for a page: the 818 kB file is rounded and simplified to a fraction.
    assert len(json.dumps(spec)) < 250_000
    shapes = map_filled(spec, ["Haninge", "Botkyrka", "Kiruna", "Malmö"])
    assert "Göteborg" in shapes
    # The municipality's own figure instead, said in the legend.
    own = national_map(content, basis=MUNICIPALITY)
    assert {r.name: r.value for r in own["map_rows"]}["Haninge"] == pytest.approx(71.5)
    assert "kommunens eget värde" in own["map_spec"]["layer"][2]["encoding"]["color"]["title"]  # Swedish, the default


@pytest.mark.django_db
def test_the_national_report_documents_carry_the_map(figures, tmp_path):
    html = render.national_html(national_content(year=2011, public=True))
    assert 'id="karta"' in html and "Karta: kommunerna med stadsdelar 2011" in html
    section = html[html.index('id="karta"'):html.index('id="fordelning"')]
    assert "<svg" in section and "Haninge" in section and "Jordbro" in section
    assert "summa täljare" in section  # the basis, in Swedish


@pytest.mark.django_db
def test_district_map_draws_its_areas_inside_its_municipality(figures, tmp_path, map_filled, client):
    features = [{"type": "Feature", "properties": {"code": code, "synthetic": True}, "geometry": {
        "type": "Polygon", "coordinates": [[[18.15 + 0.01 * i, 59.17], [18.16 + 0.01 * i, 59.17],
                                            [18.16 + 0.01 * i, 59.18], [18.15 + 0.01 * i, 59.18],
                                            [18.15 + 0.01 * i, 59.17]]]}} for i, code in enumerate(JORDBRO_AREAS)]
    path = tmp_path / "demo_synthetic_boundaries_sams.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    boundaries_load(path=path, code_system="SAMS", code_field="code")
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    from stadsdel.areas.selectors import district_get

    built = district_map(district_get(pk=jordbro.pk))
    spec = built["map_spec"]
    outline = spec["layer"][0]
    assert outline["data"]["values"][0]["properties"]["label"] == "Haninge"
    assert [r.value is not None for r in built["map_rows"]] == [True, True, True]
    assert any(layer["mark"]["type"] == "text" and layer["data"]["values"][0].get("text") == "Jordbro"
               for layer in spec["layer"])
    # Synthetic boundaries say so on the map itself, never by the file's name.
    caption = [layer for layer in spec["layer"] if "caption" in json.dumps(layer.get("encoding", {}))]
    assert caption and "Syntetiska områdesgränser" in caption[0]["data"]["values"][0]["caption"]
    assert "demo_synthetic" not in json.dumps(spec)
    labels = [r.name for r in built["map_rows"]]
    map_filled(spec, labels)
    page = client.get(f"/districts/{jordbro.pk}/statistics/")
    html = page.content.decode()
    assert 'data-chart="chart-district-map"' in html and 'id="map-table"' in html
    assert "demo_synthetic_boundaries_sams" not in html
