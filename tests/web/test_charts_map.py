"""The choropleth map: a Vega-Lite geoshape spec that renders to SVG offline, areas without a
figure grey and named in the legend, geometry rewound for d3-geo."""

from __future__ import annotations

import re

import pytest

from stadsdel.lib.geojson import _signed_area
from stadsdel.ui.charts import (
    CHART_WIDTH,
    MAP_PROJECTION,
    NO_VALUE_COLOUR,
    chart_svg,
    choropleth_chart,
)


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    # Anticlockwise, as RFC 7946 and most files write it.
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def features(values) -> list[dict]:
    return [{"type": "Feature", "geometry": square(17.9 + 0.01 * i, 59.38),
             "properties": {"label": f"Område {i}", "value": value}} for i, value in enumerate(values)]


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_map_renders_to_svg_with_tooltips_and_a_fitted_projection():
    spec = choropleth_chart(features([180.5, 95.25, 120.0]), value_title="Index", decimals=1,
                            title="Index 2012", description="Totalindex per område 2012.")
    assert spec["width"] == CHART_WIDTH and spec["description"] == "Totalindex per område 2012."
    (layer,) = layers(spec)
    assert layer["mark"]["type"] == "geoshape" and layer["projection"] == MAP_PROJECTION
    assert {t["field"] for t in layer["encoding"]["tooltip"]} == {"properties.label", "properties.value"}
    assert layer["encoding"]["color"]["scale"]["scheme"]["name"] == "blues"
    svg = chart_svg(spec)
    assert svg.lstrip().startswith("<svg") and "Index 2012" in svg
    # The three areas are drawn as paths inside the plot, not as the whole globe: d3-geo needs
    # clockwise exterior rings, and the chart rewinds the file's anticlockwise ones.
    drawn = layer["data"]["values"]
    assert all(_signed_area(f["geometry"]["coordinates"][0]) < 0 for f in drawn)
    paths = re.findall(r'<path[^>]*aria-roledescription="geoshape"[^>]*>', svg)
    assert len(paths) == 3
    spans = []
    for path in paths:
        xs = [float(x) for x in re.findall(r"(-?[\d.]+),-?[\d.]+", re.search(r' d="([^"]*)"', path).group(1))]
        spans.append((min(xs), max(xs)))
    # Side by side across the fitted plot, each about a third of it (a globe would span them
    # all; the transverse Mercator on 15° E turns squares at 18° E a little, so a little more).
    assert sorted(spans) == spans and spans[0][0] == pytest.approx(0, abs=1) and spans[-1][1] == pytest.approx(CHART_WIDTH)
    assert all(high - low == pytest.approx(CHART_WIDTH / 3, rel=0.1) for low, high in spans)


def test_areas_without_a_figure_are_grey_with_their_own_legend_entry():
    spec = choropleth_chart(features([150.0, None, 90.0, None]), value_title="Index", no_value_label="uppgift saknas",
                            scheme="viridis")
    grey, coloured = layers(spec)
    assert spec["resolve"]["scale"]["color"] == "independent"
    assert len(grey["data"]["values"]) == 2 and len(coloured["data"]["values"]) == 2
    assert grey["encoding"]["color"]["scale"] == {"domain": ["uppgift saknas"], "range": [NO_VALUE_COLOUR]}
    assert coloured["encoding"]["color"]["scale"]["scheme"]["name"] == "viridis"
    svg = chart_svg(spec, locale="sv-SE")
    assert "uppgift saknas" in svg and NO_VALUE_COLOUR in svg


def test_a_map_with_only_missing_figures_still_renders():
    spec = choropleth_chart(features([None, None]), value_title="Index")
    assert "No figure" in chart_svg(spec)


def test_a_map_needs_features():
    with pytest.raises(ValueError, match="at least one feature"):
        choropleth_chart([], value_title="Index")


def test_the_input_features_are_not_changed():
    given = features([1.0, None])
    before = repr(given)
    choropleth_chart(given, value_title="Index")
    assert repr(given) == before


def test_the_colour_scale_spans_the_reference():
    # All three above 100: with the reference the lightest shade is 100, not the lowest unit.
    spec = choropleth_chart(features([180.0, 120.0, 150.0]), value_title="Index", reference=100.0)
    assert layers(spec)[0]["encoding"]["color"]["scale"]["domain"] == [100.0, 180.0]
    spec = choropleth_chart(features([80.0, None, 90.0]), value_title="Index", reference=100.0)
    assert layers(spec)[1]["encoding"]["color"]["scale"]["domain"] == [80.0, 100.0]
    assert "domain" not in layers(choropleth_chart(features([80.0]), value_title="Index"))[0]["encoding"]["color"]["scale"]


def test_no_text_in_a_chart_is_smaller_than_12_px():
    from stadsdel.ui.charts import goal_trend_chart, series_chart

    specs = [
        choropleth_chart(features([1.0, 2.0]), value_title="Index", decimals=1, title="Index"),
        series_chart([{"year": 2020, "series": "Jordbro", "level": "district", "value": 50.0}],
                     title="Sysselsättning", labels={"district": "Jordbro"}),
        goal_trend_chart([{"year": 2020, "value": 50.0}, {"year": 2021, "value": 52.0}], target=60.0),
    ]
    for spec in specs:
        sizes = [value for part in spec["config"].values() for key, value in part.items() if key.endswith("ontSize")]
        sizes += [value for layer in layers(spec) for channel in layer.get("encoding", {}).values()
                  if isinstance(channel, dict) for key, value in (channel.get("axis") or {}).items()
                  if key.endswith("FontSize")]
        assert sizes and min(sizes) >= 12, spec["config"]
        # The SVG (the PDF's chart) is written with the same sizes: no font-size below 12.
        svg_sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)px"', chart_svg(spec))]
        assert svg_sizes and min(svg_sizes) >= 12
