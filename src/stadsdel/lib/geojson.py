"""Area boundaries as GeoJSON, Django-free: read and check a FeatureCollection, and turn a
geometry into the winding the map renderer expects.

A boundary file is a FeatureCollection (RFC 7946) with one feature per statistical area: the
geometry a Polygon or MultiPolygon in WGS84 longitude/latitude, the area's code in a named field
of `properties` (SCB's DeSO file calls it `deso`). The parser checks everything a map or a later
computation relies on and reports every fault at once, each naming the file and the feature
(and the code when it is known), e.g. ``deso.geojson: features[12] (0180C1090): ring 0 is not
closed`` — so a user fixes the file in one go and nothing half-checked is ever written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
MAX_REPORTED = 50  # faults listed in the message; the rest are counted


@dataclass(frozen=True)
class BoundaryFeature:
    """One area's boundary as the file states it: where it was (`index` in `features`), the
    area code, and the geometry reduced to its type and [lon, lat] positions (a third
    coordinate, an altitude, is dropped; foreign members and `bbox` are not kept)."""

    index: int
    code: str
    geometry: dict[str, Any]


@dataclass
class GeoJSONError(Exception):
    """The boundary file cannot be used. `faults` are complete messages, each starting with the
    file name."""

    file: str
    faults: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = self.faults[:MAX_REPORTED]
        if len(self.faults) > MAX_REPORTED:
            lines = [*lines, f"{self.file}: … and {len(self.faults) - MAX_REPORTED} more faults"]
        return "\n".join(lines)


def _is_number(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float (309 digits or more)
        return False


class _Faults:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def add(self, message: str, index: int | None = None, code: str | None = None) -> None:
        where = "" if index is None else f"features[{index}]" + (f" ({code})" if code else "") + ": "
        self.items.append(f"{self.name}: {where}{message}")


def _ring(ring: Any, where: str) -> tuple[list[list[float]] | None, str | None]:
    """The ring's [lon, lat] positions, or the first fault found in it."""
    if not isinstance(ring, list):
        return None, f"{where} is not a list of positions"
    if len(ring) < 4:
        return None, f"{where} has {len(ring)} positions; a linear ring needs at least 4"
    positions = []
    for p, position in enumerate(ring):
        if not isinstance(position, list) or len(position) not in (2, 3) or not all(map(_is_number, position)):
            return None, f"{where}, position {p} is not [longitude, latitude] in numbers"
        lon, lat = float(position[0]), float(position[1])
        if not -180 <= lon <= 180:
            return None, f"{where}, position {p}: longitude {lon:g} is outside -180..180"
        if not -90 <= lat <= 90:
            return None, f"{where}, position {p}: latitude {lat:g} is outside -90..90 (are longitude and latitude swapped?)"
        positions.append([lon, lat])
    if positions[0] != positions[-1]:
        return None, f"{where} is not closed (its first and last positions differ)"
    return positions, None


def _polygon(rings: Any, polygon: int | None) -> tuple[list | None, list[str]]:
    if not isinstance(rings, list) or not rings:
        return None, ["the Polygon has no rings" if polygon is None else f"polygon {polygon} has no rings"]
    prefix = "" if polygon is None else f"polygon {polygon}, "
    out, faults = [], []
    for r, ring in enumerate(rings):
        positions, fault = _ring(ring, f"{prefix}ring {r}")
        if fault:
            faults.append(fault)
        else:
            out.append(positions)
    return (None if faults else out), faults


def geometry_check(geometry: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """A Polygon or MultiPolygon reduced to {"type", "coordinates"} with [lon, lat] floats, or
    the faults that stop it (without the file and feature prefix)."""
    if not isinstance(geometry, dict):
        return None, ["has no geometry"]
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return None, [f"geometry type {kind!r} is not Polygon or MultiPolygon"]
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        rings, faults = _polygon(coordinates, None)
        return ({"type": kind, "coordinates": rings} if rings is not None else None), faults
    if not isinstance(coordinates, list) or not coordinates:
        return None, ["MultiPolygon has no polygons"]
    polygons, faults = [], []
    for p, polygon in enumerate(coordinates):
        rings, own = _polygon(polygon, p)
        faults += own
        polygons.append(rings)
    return (None if faults else {"type": kind, "coordinates": polygons}), faults


def boundaries_parse(data: Any, *, code_field: str, name: str) -> list[BoundaryFeature]:
    """Check a decoded GeoJSON document and return its features; raise GeoJSONError listing every
    fault. `name` is the file name the messages start with."""
    faults = _Faults(name)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        faults.add(f"the top level must be a FeatureCollection, not {found!r}")
        raise GeoJSONError(name, faults.items)
    features = data.get("features")
    if not isinstance(features, list):
        faults.add("the FeatureCollection has no list of features")
        raise GeoJSONError(name, faults.items)
    if not features:
        faults.add("the FeatureCollection has no features")
        raise GeoJSONError(name, faults.items)
    out: list[BoundaryFeature] = []
    first_seen: dict[str, int] = {}
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            faults.add("is not a Feature", i)
            continue
        properties = feature.get("properties")
        code = None
        if not isinstance(properties, dict):
            faults.add(f"has no properties, so no {code_field!r}", i)
        elif code_field not in properties:
            faults.add(f"has no {code_field!r} in its properties", i)
        else:
            raw = properties[code_field]
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                faults.add(f"the {code_field!r} {raw!r} is a number; write codes as strings (a number loses leading zeros)", i)
            elif not isinstance(raw, str) or not raw.strip():
                faults.add(f"the {code_field!r} is empty", i)
            else:
                code = raw.strip()
        geometry, geometry_faults = geometry_check(feature.get("geometry"))
        for fault in geometry_faults:
            faults.add(fault, i, code)
        if code is not None:
            if code in first_seen:
                faults.add(f"the code is also on features[{first_seen[code]}]", i, code)
            else:
                first_seen[code] = i
        if code is not None and geometry is not None:
            out.append(BoundaryFeature(i, code, geometry))
    if faults.items:
        raise GeoJSONError(name, faults.items)
    return out


def boundaries_read(path: Path, *, code_field: str) -> list[BoundaryFeature]:
    """Read and check a boundary file (UTF-8 JSON)."""
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise GeoJSONError(path.name, [f"{path.name}: cannot be read: {exc.strerror or exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise GeoJSONError(path.name, [f"{path.name}: is not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
    except json.JSONDecodeError as exc:
        raise GeoJSONError(path.name, [f"{path.name}: is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]) from exc
    except (ValueError, RecursionError) as exc:
        # json's answer to an integer of more than 4300 digits, or to nesting deeper than
        # Python's recursion limit.
        raise GeoJSONError(path.name, [f"{path.name}: cannot be read: a number is too long or the nesting too deep"]) from exc
    return boundaries_parse(data, code_field=code_field, name=path.name)


# -- drawing ----------------------------------------------------------------------------------

def _signed_area(ring: list[list[float]]) -> float:
    """Twice the planar signed area in lon/lat: positive when counter-clockwise on a map with
    north up. Planar is good enough for the winding of a city-sized ring."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))


def _deduplicated(ring: list[list[float]]) -> list[list[float]]:
    """The ring without positions that repeat the one before (rounding makes them)."""
    out = [ring[0]]
    for position in ring[1:]:
        if position != out[-1]:
            out.append(position)
    return out


def _simplified(ring: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas–Peucker: the ring's positions that lie more than `tolerance` (degrees) off the
    line through their kept neighbours, first and last always kept. Iterative, so a ring of
    any length is safe."""
    if tolerance <= 0 or len(ring) < 5:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    # A closed ring's first and last positions coincide: split it at its farthest position.
    x0, y0 = ring[0]
    far = max(range(1, len(ring) - 1), key=lambda i: (ring[i][0] - x0) ** 2 + (ring[i][1] - y0) ** 2)
    keep[far] = True
    stack = [(0, far), (far, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = ring[first], ring[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        best, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = ring[i]
            distance = (abs(dy * px - dx * py + bx * ay - by * ax) / length if length
                        else math.hypot(px - ax, py - ay))
            if distance > best:
                best, index = distance, i
        if index > 0 and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(ring, keep, strict=True) if kept]


def _wound(rings: list, decimals: int | None) -> list:
    """The polygon's rings wound for d3-geo and rounded; a ring that rounding shrinks below a
    triangle is left out (a hole), or leaves the polygon out (its exterior: an islet smaller
    than the rounding, which no map at that scale could show)."""
    out = []
    for r, ring in enumerate(rings):
        if decimals is not None:
            ring = _deduplicated([[round(x, decimals), round(y, decimals)] for x, y in ring])
            # Below four decimals (about ten metres) a position closer than twice the rounding says
            # nothing the map can show: keep only those that bend the line by more than it.
            if decimals < 4:
                ring = _simplified(ring, 2 * 10.0 ** -decimals)
            if len(ring) < 4:
                if r == 0:
                    return []
                continue
        outer = r == 0
        # d3-geo (which draws Vega's maps) reads rings on the sphere: an exterior ring must run
        # clockwise, holes anticlockwise — the reverse of RFC 7946. The wrong way round, an area
        # becomes the whole globe except the area, and the map fits the globe.
        clockwise = _signed_area(ring) < 0
        out.append(ring if clockwise == outer else ring[::-1])
    return out


def geometry_for_d3(geometry: dict[str, Any], *, decimals: int | None = 5) -> dict[str, Any]:
    """The geometry with d3-geo's winding (exterior rings clockwise) and positions rounded to
    `decimals` (5 ≈ one metre, 2 ≈ one kilometre: enough for a map of Sweden, and a fifth of
    the size), whichever way the file wound them. Islets smaller than the rounding are dropped;
    a shape that would vanish whole is kept unrounded."""
    if geometry["type"] == "Polygon":
        rings = _wound(geometry["coordinates"], decimals)
        return {"type": "Polygon", "coordinates": rings or _wound(geometry["coordinates"], None)}
    polygons = [p for p in (_wound(p, decimals) for p in geometry["coordinates"]) if p]
    if not polygons:
        polygons = [_wound(p, None) for p in geometry["coordinates"]]
    return {"type": "MultiPolygon", "coordinates": polygons}


def label_point(geometries: Iterable[dict[str, Any]]) -> tuple[float, float] | None:
    """(lon, lat) to write a name at: the centre of the largest exterior ring among the
    geometries (the mean of its positions), so a unit made of a ring of sectors around others is
    named on one of its sectors, not in the middle of the others."""
    best, point = -1.0, None
    for geometry in geometries:
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            if not polygon:
                continue
            ring = polygon[0][:-1] or polygon[0]
            size = abs(_signed_area(polygon[0]))
            if size > best:
                best = size
                point = (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    return point


def geometry_bounds(geometries: Iterable[dict[str, Any]]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around the geometries' exterior rings, or None for none."""
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            if polygon:
                xs += [p[0] for p in polygon[0]]
                ys += [p[1] for p in polygon[0]]
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def feature_collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}
