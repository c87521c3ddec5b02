"""The demo's synthetic boundaries: one valid polygon per area, deterministic, marked synthetic,
and the municipalities' clusters apart from each other."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest

from stadsdel.demo.boundaries import boundaries_dumps, synthetic_boundaries
from stadsdel.demo.synth import SynthArea, plan_areas
from stadsdel.lib.geojson import boundaries_parse
from stadsdel.lib.sams import SamsNotationError, expand_sams

SEED_DISTRICTS = Path(__file__).parents[2] / "src/stadsdel/seeds/data/districts_2011.json"


def demo_like_areas() -> list[SynthArea]:
    """The areas the demo's register covers: the seed districts' SAMS areas plus four
    surrounding areas per municipality (as demo.selectors.synth_areas plans them)."""
    rows = []
    for district in json.loads(SEED_DISTRICTS.read_text(encoding="utf-8")):
        if district["code_system"] != "SAMS":
            continue
        try:
            codes = expand_sams(district["notation"])
        except SamsNotationError:
            continue  # a recorded source fault (Hässleholmen); the seed loader skips it too
        rows += [(code, district["municipality_code"], district["name"]) for code in codes]
    return plan_areas(rows, surrounding=4, seed=1)


def _bbox(features):
    positions = [p for f in features for ring in f["geometry"]["coordinates"] for p in ring]
    return (min(p[0] for p in positions), min(p[1] for p in positions),
            max(p[0] for p in positions), max(p[1] for p in positions))


def test_one_valid_synthetic_polygon_per_area_deterministically():
    areas = demo_like_areas()
    collection = synthetic_boundaries(areas)
    assert boundaries_dumps(collection) == boundaries_dumps(synthetic_boundaries(list(reversed(areas))))
    features = boundaries_parse(json.loads(boundaries_dumps(collection)), code_field="code", name="demo.geojson")
    assert sorted(f.code for f in features) == sorted(a.code for a in areas)
    assert all(f["properties"]["synthetic"] is True for f in collection["features"])
    district = {a.code: a.district for a in areas}
    assert all(f["properties"]["district"] == district[f["properties"]["code"]] for f in collection["features"])


def test_municipalities_do_not_overlap_and_lie_near_their_place():
    collection = synthetic_boundaries(demo_like_areas())
    by_municipality: dict[str, list] = {}
    for feature in collection["features"]:
        by_municipality.setdefault(feature["properties"]["code"][:4], []).append(feature)
    boxes = {m: _bbox(fs) for m, fs in by_municipality.items()}
    for (a, box_a), (b, box_b) in combinations(boxes.items(), 2):
        apart = box_a[2] < box_b[0] or box_b[2] < box_a[0] or box_a[3] < box_b[1] or box_b[3] < box_a[1]
        assert apart, f"{a} and {b} overlap"
    west, south, east, north = boxes["0180"]
    assert 17.8 < west < east < 18.1 and 59.25 < south < north < 59.45  # Stockholm's districts
    assert 12.9 < boxes["1280"][0] < boxes["1280"][2] < 13.1  # Malmö


def test_district_areas_are_distinct_hexagons_and_surroundings_ring_them():
    areas = [SynthArea(f"0180{i:04d}", "0180", 1.0, "B" if i % 2 else "A") for i in range(1, 8)]
    areas += [SynthArea("01800101", "0180", 0.2), SynthArea("01800102", "0180", 0.2)]
    features = synthetic_boundaries(areas)["features"]
    hexagons = [f for f in features if f["properties"]["district"]]
    assert all(len(f["geometry"]["coordinates"][0]) == 7 for f in hexagons)
    centres = {tuple(round(sum(c) / 6, 6) for c in zip(*f["geometry"]["coordinates"][0][:6], strict=True))
               for f in hexagons}
    assert len(centres) == 7
    # District A's areas come first in the spiral, side by side.
    assert [f["properties"]["district"] for f in hexagons] == ["A", "A", "A", "B", "B", "B", "B"]
    ring = _bbox([f for f in features if not f["properties"]["district"]])
    inner = _bbox(hexagons)
    assert ring[0] < inner[0] and ring[2] > inner[2] and ring[1] < inner[1] and ring[3] > inner[3]
    # A single surrounding area is the whole ring, with the cluster as its hole.
    single = synthetic_boundaries([*areas[:7], SynthArea("01800101", "0180", 0.2)])["features"][-1]
    assert len(single["geometry"]["coordinates"]) == 2


def test_a_municipality_without_a_centre_is_refused():
    with pytest.raises(ValueError, match="no approximate centre for municipality 9999"):
        synthetic_boundaries([SynthArea("99990001", "9999", 1.0, "X")])
