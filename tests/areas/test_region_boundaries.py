"""Municipality and county outlines: the product ships all 290 municipalities and the seeds load
them (again: nothing written), `stadsdel boundaries load` takes the Kommun and Län code systems,
and a bad file exits 2 naming the feature, with nothing written."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stadsdel.areas.models import CountyBoundary, MunicipalityBoundary
from stadsdel.areas.selectors import municipality_outlines
from stadsdel.areas.services import MUNICIPALITY_OUTLINES, municipality_outlines_load
from stadsdel.lib.geojson import geometry_bounds


def square(lon: float, lat: float, size: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def write(path, codes, field="id"):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {field: code}, "geometry": square(18.0 + 0.1 * i, 59.1)}
        for i, code in enumerate(codes)]}), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_seeds_load_the_shipped_outlines_of_all_290_municipalities():
    assert MUNICIPALITY_OUTLINES.is_file()
    assert MunicipalityBoundary.objects.count() == 290
    haninge = MunicipalityBoundary.objects.get(municipality__code="0136")
    assert haninge.source == "swedish_municipalities.geojson"
    # Real geography: Haninge lies south-east of Stockholm, Kiruna far north.
    west, south, east, north = geometry_bounds([haninge.geometry])
    assert 17.8 < west < east < 18.8 and 58.7 < south < north < 59.3
    kiruna = municipality_outlines(codes=["2584"])["2584"]
    assert kiruna["properties"]["label"] == "Kiruna" and geometry_bounds([kiruna["geometry"]])[3] > 68.5
    # Loaded again (as every `seeds load` does), nothing is written.
    outcome = municipality_outlines_load()
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 290) and not outcome.changed


@pytest.mark.django_db
def test_command_loads_municipality_and_county_outlines(tmp_path, capsys):
    path = write(tmp_path / "kommuner.geojson", ["0136", "0180"])
    call_command("boundaries", "load", str(path), "--code-system", "kommun", "--code-field", "id")
    assert "kommuner.geojson: 2 boundaries: create 0, update 2, unchanged 0" in capsys.readouterr().out
    haninge = MunicipalityBoundary.objects.get(municipality__code="0136")
    assert haninge.geometry == square(18.0, 59.1) and haninge.source == "kommuner.geojson"
    # A dry run says what it would do and writes nothing.
    other = write(tmp_path / "other.geojson", ["0180", "0136"])  # the two squares swapped
    call_command("boundaries", "load", str(other), "--code-system", "Kommun", "--code-field", "id", "--dry-run")
    assert "would update 2" in capsys.readouterr().out
    assert MunicipalityBoundary.objects.get(municipality__code="0136").source == "kommuner.geojson"
    counties = write(tmp_path / "lan.geojson", ["01", "12"], field="lan")
    call_command("boundaries", "load", str(counties), "--code-system", "Län", "--code-field", "lan")
    assert set(CountyBoundary.objects.values_list("county__code", flat=True)) == {"01", "12"}


@pytest.mark.django_db
def test_a_bad_outline_file_exits_2_naming_the_feature_and_writes_nothing(tmp_path):
    before = MunicipalityBoundary.objects.get(municipality__code="0136").geometry
    path = write(tmp_path / "kommuner.geojson", ["0136", "0999", "0180"])
    with pytest.raises(CommandError) as caught:
        call_command("boundaries", "load", str(path), "--code-system", "Kommun", "--code-field", "id")
    assert caught.value.returncode == 2
    assert "kommuner.geojson: features[1] (0999): no municipality has this code" in str(caught.value)
    assert MunicipalityBoundary.objects.get(municipality__code="0136").geometry == before
    # A geometry fault names the feature and its code too.
    data = json.loads(path.read_text())
    data["features"] = data["features"][:1]
    data["features"][0]["geometry"]["coordinates"][0].pop()
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("boundaries", "load", str(path), "--code-system", "Kommun", "--code-field", "id")
    assert "kommuner.geojson: features[0] (0136): ring 0 is not closed" in str(caught.value)
    assert MunicipalityBoundary.objects.get(municipality__code="0136").geometry == before
    # A county file with a municipality's code is refused whole.
    counties = write(tmp_path / "lan.geojson", ["01", "0136"], field="lan")
    with pytest.raises(CommandError, match=r"features\[1\] \(0136\): no county has this code"):
        call_command("boundaries", "load", str(counties), "--code-system", "Län", "--code-field", "lan")
    assert not CountyBoundary.objects.exists()


@pytest.mark.django_db
def test_an_unknown_code_system_lists_the_region_systems_too(tmp_path):
    path = write(tmp_path / "x.geojson", ["0136"])
    with pytest.raises(CommandError, match="known: DeSO, NYKO, RegSO, SAMS, Kommun, Län"):
        call_command("boundaries", "load", str(path), "--code-system", "Socken", "--code-field", "id")
