"""Area boundaries: the GeoJSON parser names every fault, the load is all or nothing and the same
file twice writes nothing, unknown codes are refused unless they belong to a known
municipality, and the command exits 2 on a bad file."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from stadsdel.areas.models import AreaBoundary, StatisticalArea
from stadsdel.areas.services import boundaries_load
from stadsdel.cli import main as stadsdel_main
from stadsdel.lib.geojson import GeoJSONError, _signed_area, boundaries_parse, geometry_for_d3


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def collection(codes, field="code", lon=17.9, lat=59.3) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {field: code}, "geometry": square(lon + 0.01 * i, lat)}
        for i, code in enumerate(codes)
    ]}


def write(path, data) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- the parser ------------------------------------------------------------------------------

def test_a_valid_file_parses_to_its_features():
    data = collection(["0180C1090", "0180C1100"], field="deso")
    data["features"][1]["geometry"] = {"type": "MultiPolygon", "coordinates": [
        [[[18.0, 59.3, 12.5], [18.01, 59.3, 12.5], [18.01, 59.31, 12.5], [18.0, 59.3, 12.5]]],
        square(18.1, 59.3)["coordinates"],
    ]}
    data["features"][0]["bbox"] = [17.9, 59.3, 17.91, 59.31]
    features = boundaries_parse(data, code_field="deso", name="deso.geojson")
    assert [(f.index, f.code) for f in features] == [(0, "0180C1090"), (1, "0180C1100")]
    assert features[0].geometry == square(17.9, 59.3)
    # The altitude is dropped: positions are [lon, lat].
    assert features[1].geometry["coordinates"][0][0][0] == [18.0, 59.3]


def _broken(mutate):
    data = collection([f"0180C{1000 + i}" for i in range(14)], field="deso")
    mutate(data)
    with pytest.raises(GeoJSONError) as caught:
        boundaries_parse(data, code_field="deso", name="deso.geojson")
    return str(caught.value)


def _set_geometry(index, geometry):
    def mutate(data):
        data["features"][index]["geometry"] = geometry
    return mutate


def _set_properties(index, properties):
    def mutate(data):
        data["features"][index]["properties"] = properties
    return mutate


OPEN_RING = {"type": "Polygon", "coordinates": [[[18.0, 59.3], [18.01, 59.3], [18.01, 59.31], [18.0, 59.31]]]}


@pytest.mark.parametrize(("mutate", "message"), [
    (_set_geometry(12, OPEN_RING), "deso.geojson: features[12] (0180C1012): ring 0 is not closed"),
    (_set_geometry(3, {"type": "Polygon", "coordinates": [[[18.0, 59.3], [18.01, 59.3], [18.0, 59.3]]]}),
     "deso.geojson: features[3] (0180C1003): ring 0 has 3 positions; a linear ring needs at least 4"),
    (_set_geometry(2, square(190.0, 59.3)),
     "deso.geojson: features[2] (0180C1002): ring 0, position 0: longitude 190 is outside -180..180"),
    (_set_geometry(2, square(18.0, 59.3) | {"coordinates": [[[59.3, 18.0], [59.3, 95.0], [59.4, 95.0], [59.3, 18.0]]]}),
     "deso.geojson: features[2] (0180C1002): ring 0, position 1: latitude 95 is outside -90..90"),
    (_set_geometry(4, {"type": "Polygon", "coordinates": [[[18.0, "59.3"], [18.01, 59.3], [18.01, 59.31], [18.0, 59.3]]]}),
     "deso.geojson: features[4] (0180C1004): ring 0, position 0 is not [longitude, latitude] in numbers"),
    (_set_geometry(5, {"type": "Point", "coordinates": [18.0, 59.3]}),
     "deso.geojson: features[5] (0180C1005): geometry type 'Point' is not Polygon or MultiPolygon"),
    (_set_geometry(6, None), "deso.geojson: features[6] (0180C1006): has no geometry"),
    (_set_geometry(7, {"type": "MultiPolygon", "coordinates": [square(18, 59)["coordinates"], [OPEN_RING["coordinates"][0]]]}),
     "deso.geojson: features[7] (0180C1007): polygon 1, ring 0 is not closed"),
    (_set_properties(8, {"name": "Tensta"}), "deso.geojson: features[8]: has no 'deso' in its properties"),
    (_set_properties(8, {"deso": "  "}), "deso.geojson: features[8]: the 'deso' is empty"),
    (_set_properties(8, {"deso": 1801090}),
     "deso.geojson: features[8]: the 'deso' 1801090 is a number; write codes as strings"),
    (_set_properties(9, None), "deso.geojson: features[9]: has no properties, so no 'deso'"),
    (_set_properties(11, {"deso": "0180C1001"}), "deso.geojson: features[11] (0180C1001): the code is also on features[1]"),
    (lambda data: data["features"].__setitem__(10, {"type": "Polygon"}), "deso.geojson: features[10]: is not a Feature"),
    (lambda data: data.update(type="GeometryCollection"),
     "deso.geojson: the top level must be a FeatureCollection, not 'GeometryCollection'"),
    (lambda data: data.pop("features"), "deso.geojson: the FeatureCollection has no list of features"),
    (lambda data: data.update(features=[]), "deso.geojson: the FeatureCollection has no features"),
])
def test_every_fault_names_the_file_the_feature_and_the_code(mutate, message):
    assert message in _broken(mutate)


def test_all_faults_are_reported_at_once():
    def mutate(data):
        data["features"][1]["geometry"] = OPEN_RING
        data["features"][5]["properties"] = {}
    text = _broken(mutate)
    assert "features[1] (0180C1001): ring 0 is not closed" in text and "features[5]: has no 'deso'" in text


def test_a_file_that_is_not_json_is_named(tmp_path):
    from stadsdel.lib.geojson import boundaries_read

    (tmp_path / "broken.geojson").write_text('{"type": "FeatureCollection", ', encoding="utf-8")
    with pytest.raises(GeoJSONError, match=r"^broken\.geojson: is not JSON: .* at line 1"):
        boundaries_read(tmp_path / "broken.geojson", code_field="code")


def test_geometry_is_rewound_for_d3_whichever_way_the_file_winds_it():
    outer = square(18.0, 59.3, 0.1)["coordinates"][0]  # anticlockwise, as RFC 7946 writes it
    hole = square(18.02, 59.32, 0.02)["coordinates"][0][::-1]  # clockwise
    for rings in ([outer, hole], [outer[::-1], hole[::-1]]):
        wound = geometry_for_d3({"type": "Polygon", "coordinates": rings})["coordinates"]
        assert _signed_area(wound[0]) < 0 < _signed_area(wound[1])
    multi = geometry_for_d3({"type": "MultiPolygon", "coordinates": [[outer]]})
    assert _signed_area(multi["coordinates"][0][0]) < 0


# -- the load --------------------------------------------------------------------------------


@pytest.fixture
def stockholm_areas(db):
    """Three SAMS areas of Stockholm's districts (in the seed registry)."""
    codes = ["01800148", "01800151", "01800154"]
    assert StatisticalArea.objects.filter(code_system__code="SAMS", code__in=codes).count() == 3
    return codes


@pytest.mark.django_db
def test_load_writes_every_boundary_and_the_same_file_again_writes_nothing(tmp_path, stockholm_areas):
    path = write(tmp_path / "sams.geojson", collection(stockholm_areas))
    lines: list[str] = []
    outcome = boundaries_load(path=path, code_system="SAMS", code_field="code", progress=lines.append)
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.registered) == (3, 0, 0, 0)
    assert lines and "3 features" in lines[0]
    tensta = AreaBoundary.objects.get(area__code="01800151")
    assert tensta.geometry == square(17.91, 59.3) and tensta.source == "sams.geojson" and len(tensta.file_sha256) == 64
    stamps = dict(AreaBoundary.objects.values_list("pk", "loaded_at"))
    again = boundaries_load(path=path, code_system="SAMS", code_field="code")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3) and not again.changed
    assert "nothing to write" in again.summary()
    assert dict(AreaBoundary.objects.values_list("pk", "loaded_at")) == stamps


@pytest.mark.django_db
def test_a_new_file_replaces_an_areas_boundary(tmp_path, stockholm_areas):
    boundaries_load(path=write(tmp_path / "old.geojson", collection(stockholm_areas)), code_system="SAMS",
                    code_field="code")
    moved = collection(stockholm_areas)
    moved["features"][0]["geometry"] = square(18.5, 59.5)
    outcome = boundaries_load(path=write(tmp_path / "new.geojson", moved), code_system="SAMS", code_field="code")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 2)
    assert AreaBoundary.objects.count() == 3
    rinkeby = AreaBoundary.objects.get(area__code="01800148")
    assert rinkeby.geometry == square(18.5, 59.5) and rinkeby.source == "new.geojson"
    # Unchanged shapes keep the file that first gave them.
    assert AreaBoundary.objects.get(area__code="01800151").source == "old.geojson"


@pytest.mark.django_db
def test_a_new_code_of_a_known_municipality_is_registered(tmp_path, stockholm_areas):
    assert not StatisticalArea.objects.filter(code="01809876").exists()
    path = write(tmp_path / "sams.geojson", collection([*stockholm_areas, "01809876"]))
    outcome = boundaries_load(path=path, code_system="SAMS", code_field="code")
    assert outcome.registered == 1 and outcome.created == 4
    area = StatisticalArea.objects.get(code="01809876")
    assert area.code_system.code == "SAMS" and area.municipality.code == "0180"
    assert area.boundary.source == "sams.geojson"


@pytest.mark.django_db
def test_unknown_codes_refuse_the_whole_file(tmp_path, stockholm_areas):
    # 9999 is no municipality; 1234567 is no SAMS code; 01809876 would be registered on its own.
    unknown = [f"9999{i:04d}" for i in range(12)]
    path = write(tmp_path / "sams.geojson", collection([*stockholm_areas, "01809876", "1234567", *unknown]))
    areas_before = StatisticalArea.objects.count()
    with pytest.raises(GeoJSONError) as caught:
        boundaries_load(path=path, code_system="SAMS", code_field="code")
    text = str(caught.value)
    assert text.startswith("sams.geojson: 13 codes are neither SAMS areas in the registry nor SAMS codes of a known municipality")
    assert "1234567, 99990000" in text and "99990008" in text and "99990009" not in text and "… and 3 more" in text
    assert AreaBoundary.objects.count() == 0 and StatisticalArea.objects.count() == areas_before


@pytest.mark.django_db
def test_a_code_of_another_code_system_is_unknown(tmp_path, stockholm_areas):
    path = write(tmp_path / "deso.geojson", collection(["01800148"], field="deso"))
    with pytest.raises(GeoJSONError, match="1 codes are neither DeSO areas"):
        boundaries_load(path=path, code_system="DeSO", code_field="deso")


@pytest.mark.django_db
def test_code_system_must_be_known_and_national(tmp_path, stockholm_areas):
    path = write(tmp_path / "sams.geojson", collection(stockholm_areas))
    with pytest.raises(GeoJSONError, match=r"unknown code system 'XYZ' \(known: DeSO, NYKO, RegSO, SAMS, Kommun, Län\)"):
        boundaries_load(path=path, code_system="XYZ", code_field="code")
    with pytest.raises(GeoJSONError, match="NYKO codes are only unique within a municipality"):
        boundaries_load(path=path, code_system="NYKO", code_field="code")


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path, stockholm_areas):
    path = write(tmp_path / "sams.geojson", collection([*stockholm_areas, "01809876"]))
    outcome = boundaries_load(path=path, code_system="SAMS", code_field="code", dry_run=True)
    assert (outcome.created, outcome.registered, outcome.dry_run) == (4, 1, True)
    assert "would create 4" in outcome.summary()
    assert AreaBoundary.objects.count() == 0 and not StatisticalArea.objects.filter(code="01809876").exists()


# -- the command -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_command_loads_and_reports(tmp_path, stockholm_areas, capsys):
    path = write(tmp_path / "sams.geojson", collection(stockholm_areas, field="sams"))
    call_command("boundaries", "load", str(path), "--code-system", "SAMS", "--code-field", "sams")
    captured = capsys.readouterr()
    assert "sams.geojson: 3 boundaries: create 3" in captured.out
    assert "3 features" in captured.err  # progress
    assert AreaBoundary.objects.count() == 3
    call_command("boundaries", "load", str(path), "--code-system", "SAMS", "--code-field", "sams", "--dry-run")
    assert "nothing to write" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_exits_2_on_a_bad_file_and_writes_nothing(tmp_path, stockholm_areas, capsys, monkeypatch):
    data = collection([*stockholm_areas, "01809876"])
    data["features"][1]["geometry"] = OPEN_RING
    path = write(tmp_path / "sams.geojson", data)
    with pytest.raises(CommandError) as caught:
        call_command("boundaries", "load", str(path), "--code-system", "SAMS", "--code-field", "code")
    assert caught.value.returncode == 2
    assert "sams.geojson: features[1] (01800151): ring 0 is not closed" in str(caught.value)
    # As a user runs it: exit status 2 and the message, no traceback. (run_from_argv closes the
    # database connections when it ends, which would end the test's own on PostgreSQL.)
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        stadsdel_main(["stadsdel", "boundaries", "load", str(path), "--code-system", "SAMS", "--code-field", "code"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "ring 0 is not closed" in err and "Traceback" not in err
    assert AreaBoundary.objects.count() == 0 and not StatisticalArea.objects.filter(code="01809876").exists()


def test_parsing_does_not_change_the_input():
    data = collection(["01800148"])
    before = copy.deepcopy(data)
    boundaries_parse(data, code_field="code", name="x.geojson")
    assert data == before
