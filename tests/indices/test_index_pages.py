"""The index pages: the table with the model beside it, CSV, the model page and its file."""

from __future__ import annotations

import csv
import io
import json

import pytest
from index_data import MODEL, expected_index

TENSTA = "01800151"


def test_overview_shows_the_districts_with_the_model(client, stockholm_statistics, test_model):
    response = client.get("/index/", {"model": test_model.pk, "level": "district", "year": 2012})
    assert response.status_code == 200
    page = response.context["page"]
    tensta = next(r for r in page.rows if r.unit == "Tensta")
    assert tensta.total == pytest.approx(expected_index({TENSTA}, 2012))
    assert tensta.rank == 1 and tensta.selected
    assert page.start_year == 2010  # the base year
    assert tensta.change.percent == pytest.approx(
        100 * (expected_index({TENSTA}, 2012) / expected_index({TENSTA}, 2010) - 1))
    # The sensitivity analysis ran with the page's fixed seed: an interval around every rank.
    assert all(r.rank_p05 <= r.median_rank <= r.rank_p95 for r in page.rows if r.rank)
    html = response.content.decode()
    assert "Testindex" in html and "version 1" in html  # the model beside the figures
    assert 'data-chart="chart-index-bar"' in html and 'id="chart-rank-interval"' in html
    assert "Skärholmen" in html  # listed as without figures
    assert 'id="map-note"' in html


def _load_boundaries(tmp_path, codes):
    from stadsdel.areas.services import boundaries_load

    features = [
        {"type": "Feature", "properties": {"sams": code},
         "geometry": {"type": "Polygon", "coordinates": [[[17.9 + 0.01 * i, 59.38], [17.91 + 0.01 * i, 59.38],
                                                          [17.91 + 0.01 * i, 59.39], [17.9 + 0.01 * i, 59.39],
                                                          [17.9 + 0.01 * i, 59.38]]]}}
        for i, code in enumerate(codes)
    ]
    path = tmp_path / "stockholm_sams.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    boundaries_load(path=path, code_system="SAMS", code_field="sams")


def _map_features(response):
    """The coloured and grey shapes of the units (not the municipality outline or the labels)."""
    spec = response.context["map_spec"]
    return [f for layer in spec.get("layer", [spec]) if layer["mark"]["type"] == "geoshape"
            for f in layer["data"]["values"] if "value" in f["properties"]]


def test_overview_draws_a_map_when_the_areas_have_boundaries(client, stockholm_statistics, test_model, tmp_path,
                                                             map_filled):
    _load_boundaries(tmp_path, ["01800148", "01800154", "01800151", "01800201", "01800202"])
    response = client.get("/index/", {"model": test_model.pk, "level": "district", "year": 2012})
    html = response.content.decode()
    assert 'data-chart="chart-index-map"' in html and 'id="chart-index-map"' in html
    assert 'id="map-note"' not in html
    assert "stockholm_sams.geojson" in html  # where the shapes came from
    page = response.context["page"]
    totals = {r.unit: r.total for r in page.rows}
    # Each district's areas, coloured by the district's index and named by the district.
    drawn = {f["properties"]["code"]: (f["properties"]["label"], f["properties"]["value"]) for f in _map_features(response)}
    assert drawn == {"01800148": ("Rinkeby", totals["Rinkeby"]), "01800154": ("Husby", totals["Husby"]),
                     "01800151": ("Tensta", totals["Tensta"])}
    # Inside Stockholm's real outline, the units named on the map, and never blank.
    spec = response.context["map_spec"]
    assert spec["layer"][0]["data"]["values"][0]["properties"]["label"] == "Stockholm"
    texts = {v["text"] for layer in spec["layer"] if layer["mark"]["type"] == "text" for v in layer["data"]["values"]}
    assert {"Rinkeby", "Husby", "Tensta"} <= texts
    map_filled(spec, ["Rinkeby", "Husby", "Tensta"])
    # Areas: every area with figures, by its own index.
    response = client.get("/index/", {"model": test_model.pk, "level": "area", "year": 2012})
    assert len(_map_features(response)) == 5 and 'id="map-note"' not in response.content.decode()


def test_overview_names_the_units_the_map_cannot_draw(client, stockholm_statistics, test_model, tmp_path):
    _load_boundaries(tmp_path, ["01800151"])
    response = client.get("/index/", {"model": test_model.pk, "level": "district", "year": 2012})
    html = response.content.decode()
    assert [f["properties"]["label"] for f in _map_features(response)] == ["Tensta"]
    assert set(response.context["map_undrawn"]) == {"Rinkeby", "Husby"}
    assert 'id="map-sources"' in html and 'id="map-note"' not in html


def test_overview_keeps_the_map_note_without_boundaries(client, stockholm_statistics, test_model, tmp_path):
    _load_boundaries(tmp_path, ["01800201"])  # an area outside every district
    response = client.get("/index/", {"model": test_model.pk, "level": "district", "year": 2012})
    html = response.content.decode()
    assert 'id="map-note"' in html and 'data-chart="chart-index-map"' not in html and "map_spec" not in response.context


def test_overview_csv_has_the_unrounded_figures(client, stockholm_statistics, test_model):
    response = client.get("/index/", {"model": test_model.pk, "level": "committee_area", "year": 2010,
                                      "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    rk = next(r for r in rows if r["unit"] == "Rinkeby-Kista")
    assert float(rk["index"]) == pytest.approx(expected_index({"01800148", "01800154"}, 2010), rel=1e-12)
    assert rk["model"] == "Testindex" and rk["model_version"] == "1"


def test_overview_explains_when_there_are_no_figures(client, db):
    response = client.get("/index/")
    assert response.status_code == 200
    assert "Det finns ännu inga områdesvärden" in response.content.decode()


def test_bad_parameters_fall_back_to_defaults(client, stockholm_statistics, test_model):
    response = client.get("/index/", {"model": test_model.pk, "year": "x", "threshold": "abc", "level": "nope"})
    assert response.status_code == 200
    assert response.context["page"].year == 2012 and response.context["page"].threshold == 100.0
    assert client.get("/index/", {"model": 999999}).status_code == 404


def test_model_page_and_file(client, test_model):
    response = client.get(test_model.get_absolute_url())
    assert response.status_code == 200
    assert "Försörjning" in response.content.decode()
    download = client.get(test_model.get_absolute_url(), {"format": "json"})
    data = json.loads(download.content)
    assert data["domains"] == MODEL["domains"] and data["base_year"] == 2010 and data["reference_municipality"] == "0180"


def test_english(client, stockholm_statistics, test_model):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/index/", {"model": test_model.pk}).content.decode()
    assert "Social risk index" in html and "The model behind these figures" in html


def test_typology_page_and_command(client, typology_statistics):
    import statistics

    response = client.get("/index/typology/")
    assert response.status_code == 200
    run = response.context["run"]
    values = list(typology_statistics.values())
    mean, sd = statistics.mean(values), statistics.stdev(values)
    assert run.year == 2012 and run.result.mean == pytest.approx(mean) and run.result.sd == pytest.approx(sd)
    types = {a.area: a.type for a in run.result.rows()}
    expected = {}
    for area, value in typology_statistics.items():
        z = (value - mean) / sd
        expected[area] = 1 if z >= 2 else 2 if z >= 1 else 3 if z >= 0 else 4 if z >= -1 else 5
    assert types == expected
    assert "Tensta" in response.content.decode()  # the district an area belongs to
    out = io.StringIO()
    from django.core.management import call_command

    call_command("index", "typology", "--municipality", "0180", "--cutoffs", "1.5,0.5,0,-0.5", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["cutoffs"] == [1.5, 0.5, 0.0, -0.5] and len(data["areas"]) == 6
    tensta = next(a for a in data["areas"] if a["area"] == "01800151")
    assert tensta["index"] == pytest.approx(typology_statistics["01800151"]) and tensta["districts"] == ["Tensta"]
    csv_response = client.get("/index/typology/", {"format": "csv"})
    assert len(list(csv.DictReader(io.StringIO(csv_response.content.decode())))) == 6
    bad = client.get("/index/typology/", {"cutoffs": "1 2 3 4"})
    assert bad.status_code == 200 and "strictly decreasing" in bad.content.decode()


def test_typology_page_without_figures(client, db):
    response = client.get("/index/typology/")
    assert response.status_code == 200 and 'id="typology-error"' in response.content.decode()


def test_typology_table_is_paged_with_a_search(client, typology_statistics, monkeypatch):
    from stadsdel.indices import page_selectors

    monkeypatch.setattr(page_selectors, "TABLE_ROWS", 4)  # six areas stand in for the country's 6 000
    response = client.get("/index/typology/")
    table = response.context["table"]
    ordered = sorted(typology_statistics, key=lambda a: -typology_statistics[a])
    assert [a.area for a in table.rows] == ordered[:4] and table.pages == 2 and table.total == 6
    html = response.content.decode()
    assert html.split("<tbody>")[1].split("</tbody>")[0].count("<tr") == 4
    assert 'rel="next"' in html and 'id="typology-table-search"' in html and "Rad 1–4 av 6" in html
    second = client.get("/index/typology/", {"page": 2}).context["table"]
    assert [a.area for a in second.rows] == ordered[4:]
    # Each type's count leads to the page where its areas begin.
    types = {a.area: a.type for a in response.context["run"].result.rows()}
    last_type = types[ordered[-1]]
    first_of_last = min(i for i, area in enumerate(ordered) if types[area] == last_type)
    assert any(number == last_type and at == first_of_last // 4 + 1 for number, _n, at in response.context["counts"])
    # A search by district finds Tensta's area, on one page.
    found = client.get("/index/typology/", {"q": "tensta"}).context["table"]
    assert [a.area for a in found.rows] == ["01800151"] and found.pages == 1
    # The CSV still holds every area.
    rows = list(csv.DictReader(io.StringIO(client.get("/index/typology/", {"format": "csv", "page": 2}).content.decode())))
    assert len(rows) == 6
