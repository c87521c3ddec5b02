"""Synthetic area boundaries for the demo, Django-free: invented shapes, not SCB's maps.

The demo's statistics cover the seed districts' SAMS areas and a few synthetic areas standing
for the rest of each municipality (`demo.synth.plan_areas`). To draw them on a map, each
municipality gets a cluster of hexagons — one per district area, a district's areas side by
side, the districts together in the middle — and around the cluster a ring cut into one sector
per surrounding area. The cluster sits near where the municipality's 2011 districts
approximately lie, so the map is in the right part of Sweden, but no shape is a real boundary
and the file says so in every feature (`"synthetic": true`).

Deterministic: the same areas give the same file, byte for byte (see `boundaries_dumps`), so
loading it again writes nothing.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

# Approximate (longitude, latitude) of where each municipality's 2011 districts lie, read off a
# general map to about a kilometre: a place to put the synthetic cluster, not a boundary or an
# official centroid. Nearby municipalities (Stockholm's neighbours) are far enough apart that
# their clusters do not overlap (tests/demo/test_synth_boundaries.py checks the demo's).
CENTRES: dict[str, tuple[float, float]] = {
    "0126": (18.00, 59.235),  # Huddinge: Flemingsberg, Vårby, Västra Skogås
    "0127": (17.84, 59.245),  # Botkyrka: Alby, Fittja, Hallunda-Norsborg
    "0136": (18.13, 59.14),   # Haninge: Jordbro
    "0180": (17.95, 59.34),   # Stockholm: Järva, Skärholmen, Rågsved
    "0181": (17.60, 59.19),   # Södertälje: Ronna, Geneta, Hovsjö, Fornhöjden
    "0182": (18.26, 59.29),   # Nacka: Fisksätra
    "0380": (17.61, 59.81),   # Uppsala: Gottsunda
    "0580": (15.58, 58.43),   # Linköping: Skäggetorp
    "0581": (16.22, 58.60),   # Norrköping: Klockartorpet
    "0680": (14.27, 57.76),   # Jönköping: Öxnehaga
    "0780": (14.83, 56.89),   # Växjö: Araby
    "1280": (13.01, 55.58),   # Malmö: Rosengård, Fosie, Hyllie, Södra Innerstaden
    "1282": (12.83, 55.87),   # Landskrona: Centrum och Öster
    "1290": (14.18, 56.03),   # Kristianstad: Gamlegården
    "1380": (12.89, 56.68),   # Halmstad: Andersberg
    "1480": (12.00, 57.76),   # Göteborg: Bergsjön, Gårdsten, Hjällbo, Norra Biskopsgården
    "1488": (12.31, 58.27),   # Trollhättan: Kronogården
    "1490": (12.96, 57.73),   # Borås: Hässleholmen
    "2180": (17.16, 60.67),   # Gävle: Brynäs
    "2281": (17.31, 62.40),   # Sundsvall: Skönsberg
    "2580": (22.21, 65.57),   # Luleå: Hertsön
}

HEX_RADIUS_KM = 0.3  # centre to corner of one district area's hexagon
RING_GAP_KM = 0.1  # between the district cluster and the surrounding ring
RING_WIDTH_KM = 0.8  # at least; as wide as the cluster when that is wider
ARC_STEP_DEGREES = 5.0
KM_PER_DEGREE_LAT = 111.32
DECIMALS = 6  # about 0.1 m: plenty, and a stable text

# The six neighbours of a hexagon in cube coordinates, in the order a ring is walked.
_DIRECTIONS = [(1, -1, 0), (1, 0, -1), (0, 1, -1), (-1, 1, 0), (-1, 0, 1), (0, -1, 1)]


class AreaLike(Protocol):
    code: str
    municipality_code: str
    district: str | None


def _spiral(count: int) -> list[tuple[int, int]]:
    """The first `count` hexagons (axial q, r) of a spiral out from the centre, each ring
    walked around, so consecutive cells are (nearly always) neighbours."""
    cells = [(0, 0)]
    radius = 0
    while len(cells) < count:
        radius += 1
        x, y, z = (c * radius for c in _DIRECTIONS[4])
        for side in range(6):
            for _step in range(radius):
                cells.append((x, z))
                dx, dy, dz = _DIRECTIONS[side]
                x, y, z = x + dx, y + dy, z + dz
    return cells[:count]


class _Frame:
    """Kilometres east and north of a centre, to longitude/latitude (flat: a few km across)."""

    def __init__(self, lon: float, lat: float) -> None:
        self.lon, self.lat = lon, lat
        self.km_per_degree_lon = KM_PER_DEGREE_LAT * math.cos(math.radians(lat))

    def position(self, x: float, y: float) -> list[float]:
        return [round(self.lon + x / self.km_per_degree_lon, DECIMALS), round(self.lat + y / KM_PER_DEGREE_LAT, DECIMALS)]

    def ring(self, points: Iterable[tuple[float, float]]) -> list[list[float]]:
        ring = [self.position(x, y) for x, y in points]
        return [*ring, ring[0]]


def _hexagon(cx: float, cy: float) -> list[tuple[float, float]]:
    # Pointy-top, corners anticlockwise (RFC 7946's exterior winding).
    return [(cx + HEX_RADIUS_KM * math.cos(math.radians(30 + 60 * k)),
             cy + HEX_RADIUS_KM * math.sin(math.radians(30 + 60 * k))) for k in range(6)]


def _arc(radius: float, start: float, end: float) -> list[tuple[float, float]]:
    steps = max(2, math.ceil(abs(end - start) / ARC_STEP_DEGREES))
    return [(radius * math.cos(math.radians(start + (end - start) * i / steps)),
             radius * math.sin(math.radians(start + (end - start) * i / steps))) for i in range(steps + 1)]


def synthetic_boundaries(areas: Iterable[AreaLike]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection with one Polygon per area, `properties` {"code", "district"
    (None for a surrounding area), "synthetic": true}. Raises ValueError for a municipality
    without an approximate centre in CENTRES."""
    by_municipality: dict[str, list[AreaLike]] = defaultdict(list)
    for area in areas:
        by_municipality[area.municipality_code].append(area)
    missing = sorted(set(by_municipality) - set(CENTRES))
    if missing:
        raise ValueError(f"no approximate centre for municipality {', '.join(missing)}; add one to CENTRES")
    features = []
    for municipality in sorted(by_municipality):
        frame = _Frame(*CENTRES[municipality])
        mine = by_municipality[municipality]
        inner = sorted((a for a in mine if a.district), key=lambda a: (a.district, a.code))
        outer = sorted((a for a in mine if not a.district), key=lambda a: a.code)
        reach = 0.0
        for area, (q, r) in zip(inner, _spiral(len(inner)), strict=True):
            cx = HEX_RADIUS_KM * math.sqrt(3) * (q + r / 2)
            cy = HEX_RADIUS_KM * 1.5 * r
            reach = max(reach, math.hypot(cx, cy) + HEX_RADIUS_KM)
            features.append(_feature(area, [frame.ring(_hexagon(cx, cy))]))
        r_in = reach + RING_GAP_KM
        r_out = r_in + max(RING_WIDTH_KM, reach)
        if len(outer) == 1:  # the whole ring, with the cluster as its hole
            features.append(_feature(outer[0], [frame.ring(_arc(r_out, 90, 450)[:-1]),
                                                frame.ring(_arc(r_in, 450, 90)[:-1])]))
            continue
        for k, area in enumerate(outer):
            start = 90 + 360 * k / len(outer)
            end = 90 + 360 * (k + 1) / len(outer)
            features.append(_feature(area, [frame.ring([*_arc(r_out, start, end), *_arc(r_in, end, start)])]))
    return {
        "type": "FeatureCollection",
        "name": "Synthetic demo boundaries (invented shapes, not SCB's maps)",
        "features": features,
    }


def _feature(area: AreaLike, rings: list) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": area.code, "district": area.district, "synthetic": True},
        "geometry": {"type": "Polygon", "coordinates": rings},
    }


def boundaries_dumps(collection: dict[str, Any]) -> str:
    """The file's text: stable for the same collection, so its checksum is too."""
    return json.dumps(collection, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
