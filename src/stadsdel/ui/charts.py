"""Charts as Vega-Lite specs, built with Altair in pure functions on plain rows.

One spec serves twice: in the page, vega-embed renders it interactively from the JavaScript
bundle that vl-convert ships (served by `ui:vega_bundle`, so no page loads anything from a
CDN); for PDFs, `chart_svg` renders the same spec to SVG with vl-convert, offline. The data keep
the stored values unrounded; axes and tooltips round them for display.
"""

from __future__ import annotations

import functools
import json
import textwrap
from collections.abc import Sequence

import altair as alt
import vl_convert
from django.conf import settings
from django.utils.functional import Promise

from stadsdel.lib.geojson import geometry_for_d3

# The Vega-Lite version Altair writes specs for ("6.4"); the bundle and the SVG renderer use the
# same, so a spec renders the same in the page and in a PDF.
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

# The district in the brand's dark blue, its references in colours that stay apart for the
# common colour-vision deficiencies (Okabe–Ito orange, bluish green, grey).
LEVEL_COLOURS = {
    "district": "#13294b",
    "municipality": "#d55e00",
    "county": "#009e73",
    "country": "#6b6b6b",
}
LEVEL_DASHES = {"district": [1, 0], "municipality": [6, 3], "county": [2, 2], "country": [8, 3, 2, 3]}

CHART_WIDTH = 560
CHART_HEIGHT = 240

# Checking a spec against the Vega-Lite schema takes some 0.3 s, so checking every spec of a page
# with 30 charts made development pages take seconds. The specs come from this module's fixed
# templates, so their shape (keys and types; the data aside) is all a check can find wrong: the
# tests build every kind and check each (tests/web/test_chart_specs.py), and outside production
# each distinct shape is checked once per process, never each view. Altair's own check of every
# property as a chart is built (its debug mode) is off everywhere.
VALIDATE_SPECS = not settings.PRODUCTION
alt.utils.schemapi.disable_debug_mode()
_checked_shapes: set[str] = set()


def spec_shape(spec: dict) -> str:
    """The spec's structure: its keys and the types of its values, the data left out and lists
    by their distinct members' shapes. Two charts of one template with other figures, titles or
    numbers of series share a shape."""

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in sorted(value.items()) if k not in ("values", "datasets")}
        if isinstance(value, list):
            return sorted({json.dumps(shape(v), sort_keys=True) for v in value})
        return type(value).__name__

    return json.dumps(shape(spec), sort_keys=True)


@functools.cache
def _vega_lite_schema() -> dict:
    return alt.vegalite.v6.schema.load_schema()


def validate_spec(spec: dict) -> None:
    """Check the spec against the Vega-Lite schema (raises jsonschema's ValidationError)."""
    schema = _vega_lite_schema()
    alt.utils.schemapi.validate_jsonschema(spec, schema, rootschema=schema)


def _check_once(spec: dict) -> None:
    key = spec_shape(spec)
    if key not in _checked_shapes:
        validate_spec(spec)
        _checked_shapes.add(key)


# No text in a chart smaller than 12 px (Vega-Lite's defaults are 10 and 11 px), the size the
# pages' smallest text has; the title a step larger.
# Axes and legends are left out of what a screen reader hears ("aria": False): Vega describes
# them in English whatever the page's language ("X-axis for a discrete scale with 7 values …"),
# and the chart's own description (its aria-label) and the table beside it say the same in the
# reader's language.
TEXT_CONFIG = {
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "aria": False},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "aria": False},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
    "title": {"fontSize": 14},
    "text": {"fontSize": 12},
}


def _described(chart: alt.TopLevelMixin, title: str, description: str) -> dict:
    if title:
        chart = chart.properties(title=title)
    spec = chart.to_dict(validate=False)
    config = spec.setdefault("config", {})
    for part, sizes in TEXT_CONFIG.items():
        config[part] = {**sizes, **config.get(part, {})}
    if description:
        # Vega writes it as the chart's aria-label: what a screen reader announces for the SVG.
        spec["description"] = description
    if VALIDATE_SPECS:
        _check_once(spec)
    return spec


def series_chart(
    rows: Sequence[dict], *, title: str = "", y_title: str = "", decimals: int = 1,
    labels: dict[str, str] | None = None, description: str = "",
) -> dict:
    """A line chart of yearly figures, one line per series.

    `rows` are `{"year": int, "series": str, "level": str, "value": float | None}`; a None value
    breaks its line (a suppressed or missing year is not bridged). `labels` maps each level to
    its series' name, in the order the legend shows them; colours and dashes follow the level,
    so a district always looks the same. Returns the Vega-Lite spec as a dict.
    """
    labels = labels or {}
    order = [lv for lv in LEVEL_COLOURS if lv in labels] or sorted({r["level"] for r in rows})
    # A district's statistics page draws some thirty of these: Altair took 10–15 ms a chart, the
    # template (Altair's own spec for these settings, with no data) is built once and copied.
    template = _series_template(tuple(title) if isinstance(title, list) else str(title), str(y_title),
                                max(int(decimals), 0), tuple((lv, str(labels.get(lv, lv))) for lv in order))
    spec = json.loads(template)
    spec["data"] = {"values": [dict(r) for r in rows]}
    if description:
        # Vega writes it as the chart's aria-label: what a screen reader announces for the SVG.
        spec["description"] = description
    if VALIDATE_SPECS:
        _check_once(spec)
    return spec


@functools.lru_cache(maxsize=512)
def _series_template(title: str | tuple[str, ...], y_title: str, decimals: int,
                     levels: tuple[tuple[str, str], ...]) -> str:
    """`series_chart`'s spec without data or description, as JSON (each use gets its own copy)."""
    order = [lv for lv, _name in levels]
    domain = [name for _lv, name in levels]
    number = f",.{decimals}f"
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=y_title or None, axis=alt.Axis(format=f",.{decimals}~f")),
            color=alt.Color(
                "series:N", title=None, sort=domain,
                scale=alt.Scale(domain=domain, range=[LEVEL_COLOURS.get(lv, "#444444") for lv in order]),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", sort=domain, legend=None,
                scale=alt.Scale(domain=domain, range=[LEVEL_DASHES.get(lv, [1, 0]) for lv in order]),
            ),
            tooltip=[
                alt.Tooltip("series:N", title=" "),
                alt.Tooltip("year:O", title=" "),
                alt.Tooltip("value:Q", title=y_title or " ", format=number),
            ],
        )
        .properties(width=CHART_WIDTH, height=CHART_HEIGHT)
    )
    if title:
        chart = chart.properties(title=list(title) if isinstance(title, tuple) else title)
    spec = chart.to_dict(validate=False)
    config = spec.setdefault("config", {})
    for part, sizes in TEXT_CONFIG.items():
        config[part] = {**sizes, **config.get(part, {})}
    return json.dumps(spec)


def chart_svg(spec: dict, *, locale: str = "sv-SE") -> str:
    """The spec rendered to SVG (for PDFs and the report pages), numbers written in `locale`."""
    return _svg(json.dumps(spec, sort_keys=True), locale)


# Rendering is most of a report page's time (some 30 ms a chart). The key is the whole spec, its
# data included, so the same figures give the same SVG and a changed figure is a new entry; a
# report drawn again, by anyone, until its figures change reuses its charts. 512 charts of
# 20–60 kB each is at most some 30 MB per server process.
@functools.lru_cache(maxsize=512)
def _svg(spec_json: str, locale: str) -> str:
    return vl_convert.vegalite_to_svg(json.loads(spec_json), vl_version=VEGA_LITE_VERSION, format_locale=locale)


def format_locale(language: str) -> dict:
    """d3's number format for the page language (Swedish: decimal comma, space as thousands
    separator), handed to vega-embed so tooltips and axes read like the tables."""
    return vl_convert.get_format_locale("en-GB" if language.startswith("en") else "sv-SE")


def bundle_version() -> str:
    """Changes whenever the bundle can change; part of its URL so it may be cached for a year."""
    return f"{vl_convert.__version__}-{VEGA_LITE_VERSION}"


@functools.cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script exposing `vegaEmbed` on window. Building it
    takes seconds, so it is built once per process, on first use."""
    return vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)


# -- social risk index -----------------------------------------------------------------------
SELECTED_COLOUR = "#d55e00"
OTHER_COLOUR = "#13294b"


def index_bar_chart(
    rows: Sequence[dict], *, threshold: float, selected_label: str, other_label: str, x_title: str,
    title: str = "", description: str = "", threshold_label: str = "",
) -> dict:
    """Horizontal bars of the total index per unit (`{"unit", "value", "selected": bool}`),
    highest first, with a rule at the threshold (the reference's 100 by default) named by
    `threshold_label` above the bars (e.g. "the country"); units in the priority selection stand
    out in colour and in the legend's words, not colour alone."""
    values = [
        {"unit": r["unit"], "value": r["value"], "group": selected_label if r["selected"] else other_label}
        for r in rows if r["value"] is not None
    ]
    height = max(60, 22 * len(values))
    # A group without a name (no selection, as in the national report) has no legend entry.
    groups = [(label, colour) for label, colour in ((selected_label, SELECTED_COLOUR), (other_label, OTHER_COLOUR))
              if label]
    bars = alt.Chart(alt.Data(values=values)).mark_bar().encode(
        x=alt.X("value:Q", title=x_title, axis=alt.Axis(format=",.0f")),
        y=alt.Y("unit:N", title=None, sort="-x"),
        color=alt.Color("group:N", title=None,
                        scale=alt.Scale(domain=[g for g, _c in groups], range=[c for _g, c in groups]),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        tooltip=[alt.Tooltip("unit:N", title=" "), alt.Tooltip("value:Q", title=x_title, format=",.1f")],
    )
    rule = alt.Chart(alt.Data(values=[{"threshold": threshold, "label": threshold_label}])).mark_rule(
        strokeDash=[4, 3], color="#6b6b6b").encode(x="threshold:Q")
    layers = [bars, rule]
    if threshold_label:
        # The line's name just above the plot, where no bar lies under the text.
        layers.append(alt.Chart(alt.Data(values=[{"threshold": threshold, "label": threshold_label}])).mark_text(
            align="center", baseline="bottom", dy=-4, color="#4d4d4d", fontSize=12,
        ).encode(x="threshold:Q", y=alt.value(0), text="label:N"))
    return _described(alt.layer(*layers).properties(width=CHART_WIDTH, height=height), title, description)


def rank_interval_chart(rows: Sequence[dict], *, x_title: str, title: str = "", description: str = "") -> dict:
    """Each unit's median rank over the sensitivity draws with its 5–95 % interval
    (`{"unit", "rank", "median", "low", "high"}`), rank 1 at the left; the model's own rank is
    a tick, so a unit whose place depends on the weights shows a long bar."""
    values = [dict(r) for r in rows if r["median"] is not None]
    height = max(60, 22 * len(values))
    base = alt.Chart(alt.Data(values=values)).encode(y=alt.Y("unit:N", title=None, sort=alt.EncodingSortField("rank")))
    interval = base.mark_rule(strokeWidth=3, color=OTHER_COLOUR).encode(
        x=alt.X("low:Q", title=x_title, scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(format="d", tickMinStep=1)),
        x2="high:Q",
        tooltip=[alt.Tooltip("unit:N", title=" "), alt.Tooltip("median:Q", format="d"),
                 alt.Tooltip("low:Q", format="d"), alt.Tooltip("high:Q", format="d")],
    )
    median = base.mark_point(filled=True, size=70, color=OTHER_COLOUR).encode(x="median:Q")
    model_rank = base.mark_tick(color=SELECTED_COLOUR, thickness=2).encode(x="rank:Q")
    return _described((interval + median + model_rank).properties(width=CHART_WIDTH, height=height), title, description)


def index_trend_chart(rows: Sequence[dict], *, reference: str, y_title: str, title: str = "",
                      description: str = "") -> dict:
    """The total index per unit and year (`{"year", "series", "value"}`), the reference dashed."""
    values = [dict(r) for r in rows]
    names = sorted({r["series"] for r in values if r["series"] != reference})
    chart = alt.Chart(alt.Data(values=values)).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None, sort=[*names, reference],
                        legend=alt.Legend(orient="bottom", direction="horizontal", columns=4)),
        strokeDash=alt.condition(alt.datum.series == reference, alt.value([6, 3]), alt.value([1, 0])),
        tooltip=[alt.Tooltip("series:N", title=" "), alt.Tooltip("year:O", title=" "),
                 alt.Tooltip("value:Q", title=y_title, format=",.1f")],
    )
    return _described(chart.properties(width=CHART_WIDTH, height=CHART_HEIGHT), title, description)


# -- maps --------------------------------------------------------------------------------------
NO_VALUE_COLOUR = "#bdbdbd"  # mid grey: apart from the scheme's lightest shade, and named in a legend
OUTLINE_FILL = "#f4f4f1"  # the municipalities around: paler than any class, so they stay background
OUTLINE_STROKE = "#8c8c8c"
MAP_HEIGHT = 420
# Transverse Mercator on 15° E, as SWEREF 99 TM (the national grid) and SCB's maps draw Sweden:
# the country keeps its shape, where plain Mercator stretches Norrland. Fitted to the shapes.
MAP_PROJECTION = {"type": "transverseMercator", "rotate": [-15, 0, 0]}


def choropleth_chart(features: Sequence[dict], **options) -> dict:
    """`_choropleth_chart`'s map (see there for the options), remembered by its arguments.

    Building a map with Altair takes 50–100 ms and a district's statistics page draws one on
    every view. The map is a pure function of its arguments (the features, their figures and
    every text, in the language they were written in), so the same arguments give the same
    spec, and any changed figure, shape or word is a new entry: nothing stale can be served.
    Each call gets its own copy."""
    key = json.dumps([list(features), options], sort_keys=True, default=_json_text)
    return json.loads(_choropleth_json(key))


def _json_text(value) -> str:
    # Lazily translated texts, as the current language writes them; nothing else is converted.
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


# Some 10–100 kB each (the shapes): 128 maps are a few MB per server process.
@functools.lru_cache(maxsize=128)
def _choropleth_json(key: str) -> str:
    features, options = json.loads(key)
    return json.dumps(_choropleth_chart(features, **options))


def _choropleth_chart(
    features: Sequence[dict], *, value_title: str, decimals: int = 1, title: str = "", description: str = "",
    scheme: str = "blues", no_value_label: str = "No figure", height: int = MAP_HEIGHT,
    width: int = CHART_WIDTH, reference: float | None = None, outlines: Sequence[dict] = (),
    outline_label: str = "", labels: Sequence[dict] = (), caption: str = "", geometry_decimals: int | None = 5,
    tooltip_fields: Sequence[tuple[str, str]] = (), legend_title: str | list[str] | None = None,
    fit_bounds: tuple[float, float, float, float] | None = None, legend_orient: str = "right",
) -> dict:
    """A map of areas coloured by a figure: GeoJSON Features whose `properties` carry `label`
    (what the tooltip names) and `value` (None = no figure: drawn grey, with its own legend
    entry, never a colour of the scale). A sequential scheme that stays readable with the common
    colour-vision deficiencies (Vega's "blues" by default, or "viridis"), its near-white end
    left out so it cannot be taken for "no figure". With a `reference` (an index's 100) the
    colour scale always spans it, so units that are all above the reference do not look low.

    `outlines` (Features with `properties.label`) are drawn first, pale with a grey edge: the
    municipalities around, or the municipality a district lies in; named in the legend as
    `outline_label`. `labels` (`{"lon", "lat", "text"}`) are written on the map, `caption` in
    its lower left corner (e.g. that the boundaries are synthetic). `legend_title` (lines) heads
    the colour legend in place of `value_title`; `legend_orient` "bottom" puts the legends under a
    tall map (Sweden), so a phone shows it larger. `tooltip_fields` are further
    `(property, title)` pairs the tooltip shows. The projection (`MAP_PROJECTION`) is fitted to
    every shape drawn, or to `fit_bounds` (west, south, east, north) with what lies outside
    clipped: a district's areas in the part of its municipality around them. Geometries are
    rewound for d3-geo and rounded to `geometry_decimals` (None: as given, e.g. prepared once by
    `areas.selectors.municipality_outlines`), so a file in RFC 7946 winding draws right and the
    page stays light."""
    number = f",.{max(int(decimals), 0)}f"
    values, missing = [], []
    for feature in features:
        properties = dict(feature.get("properties") or {})
        shape = {"type": "Feature", "properties": properties,
                 "geometry": geometry_for_d3(feature["geometry"], decimals=geometry_decimals)}
        if properties.get("value") is None:
            properties["figure"] = no_value_label
            missing.append(shape)
        else:
            values.append(shape)
    inline: dict[str, list] = {}
    projection = dict(MAP_PROJECTION)
    clip = fit_bounds is not None
    if clip:
        west, south, east, north = fit_bounds
        box = {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}
        projection["fit"] = {"type": "Feature", "properties": {}, "geometry": geometry_for_d3(box, decimals=None)}
    extra = [alt.Tooltip(f"properties.{name}:N", title=heading) for name, heading in tooltip_fields]
    tooltip = [alt.Tooltip("properties.label:N", title=" "), *extra]
    layers = []
    if outlines:
        frame = [{"type": "Feature", "properties": {**(o.get("properties") or {}), "kind": outline_label or " "},
                  "geometry": geometry_for_d3(o["geometry"], decimals=geometry_decimals)} for o in outlines]
        layers.append(
            alt.Chart(_placeholder(inline, "outlines", frame)).mark_geoshape(stroke=OUTLINE_STROKE, strokeWidth=0.4, clip=clip)
            .encode(
                color=alt.Color("properties.kind:N", title=None,
                                scale=alt.Scale(domain=[outline_label or " "], range=[OUTLINE_FILL]),
                                legend=alt.Legend(orient=legend_orient, symbolType="square", symbolStrokeColor=OUTLINE_STROKE)
                                if outline_label else None),
                tooltip=[alt.Tooltip("properties.label:N", title=" ")],
            )
            .project(**projection)
        )
    if missing:
        layers.append(
            alt.Chart(_placeholder(inline, "missing", missing)).mark_geoshape(stroke="#4d4d4d", strokeWidth=0.6, clip=clip)
            .encode(
                color=alt.Color("properties.figure:N", title=None,
                                scale=alt.Scale(domain=[no_value_label], range=[NO_VALUE_COLOUR]),
                                legend=alt.Legend(orient=legend_orient, symbolType="square")),
                tooltip=[*tooltip, alt.Tooltip("properties.figure:N", title=value_title)],
            )
            .project(**projection)
        )
    if values:
        scale = {"scheme": alt.SchemeParams(name=scheme, extent=[0.15, 1])}
        if reference is not None:
            figures = [f["properties"]["value"] for f in values]
            scale["domain"] = [min(*figures, reference), max(*figures, reference)]
        layers.append(
            alt.Chart(_placeholder(inline, "values", values)).mark_geoshape(stroke="#4d4d4d", strokeWidth=0.6, clip=clip)
            .encode(
                color=alt.Color("properties.value:Q", title=legend_title or value_title,
                                scale=alt.Scale(**scale),
                                legend=alt.Legend(orient=legend_orient, format=f",.{max(int(decimals), 0)}~f",
                                                  titleLimit=320)),
                tooltip=[*tooltip, alt.Tooltip("properties.value:Q", title=value_title, format=number)],
            )
            .project(**projection)
        )
    if not values and not missing:
        raise ValueError("a map needs at least one feature")
    if labels:
        points = [dict(p) for p in labels]
        for stroke, width_ in (("white", 3), (None, 0)):
            mark = {"fontSize": 12, "fontWeight": "bold", "color": "#1b1b1b"}  # no chart text under 12 px
            if stroke:
                mark.update(stroke=stroke, strokeWidth=width_, strokeJoin="round")
            layers.append(
                alt.Chart(alt.Data(values=points)).mark_text(**mark)
                .encode(longitude="lon:Q", latitude="lat:Q", text="text:N")
                .project(**projection)
            )
    if caption:
        layers.append(
            alt.Chart(alt.Data(values=[{"caption": caption}])).mark_text(
                align="left", baseline="bottom", fontSize=12, fontStyle="italic", color="#4d4d4d",
            ).encode(x=alt.value(2), y=alt.value(height - 2), text="caption:N")
        )
    chart = layers[0] if len(layers) == 1 else alt.layer(*layers).resolve_scale(color="independent")
    return _inlined(_described(chart.properties(width=width, height=height), title, description), inline)


def title_lines(*parts: str, width: int = 34) -> list[str]:
    """Text broken into lines of about `width` characters at spaces, each part starting a new
    line: a legend or map title that would otherwise be cut off with an ellipsis."""
    return [line for part in parts if part for line in textwrap.wrap(str(part), width=width) or [""]]


# Altair walks every value of inline data when it writes a spec, which for a map of Sweden (20 000
# positions) takes seconds. The shapes are put in by name afterwards, as the values they are.
def _placeholder(inline: dict[str, list], name: str, values: list) -> alt.Data:
    inline[f"stadsdel_{name}"] = values
    return alt.Data(name=f"stadsdel_{name}")


def _inlined(spec: dict, inline: dict[str, list]) -> dict:
    for layer in spec.get("layer", [spec]):
        name = (layer.get("data") or {}).get("name")
        if name in inline:
            layer["data"] = {"values": inline[name]}
    return spec


# -- evaluations -------------------------------------------------------------------------------
TREATED_COLOUR = "#d55e00"
COMPARISON_COLOUR = "#13294b"
PLACEBO_COLOUR = "#b0b0b0"


def _year_scale(years: Sequence[int]) -> alt.Scale:
    low, high = (min(years), max(years)) if years else (0, 1)
    # Every layer states the same domain: a layer left to Vega-Lite's default would add zero
    # to the shared scale and squeeze the years into one corner.
    return alt.Scale(domain=[low - 0.5, high + 0.5], nice=False, zero=False)


def _start_rule(start: int, years: Sequence[int]) -> alt.Chart:
    # Between the last year before and the first year of the intervention, so no year's point
    # sits on the line.
    return alt.Chart(alt.Data(values=[{"start": start - 0.5}])).mark_rule(strokeDash=[4, 3], color="#6b6b6b").encode(
        x=_year_axis(years, field="start:Q"),
    )


def _zero_rule() -> alt.Chart:
    return alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(color="#6b6b6b").encode(y="zero:Q")


def _year_axis(years: Sequence[int], *, field: str = "year:Q") -> alt.X:
    # The layers share one x axis, so each states the same one (an axis=None would hide it).
    return alt.X(field, title=None, scale=_year_scale(years),
                 axis=alt.Axis(format="d", tickMinStep=1, values=list(years), labelAngle=0))


def event_study_chart(rows: Sequence[dict], *, start: int, y_title: str, title: str = "", description: str = "",
                      reference_label: str = "reference year") -> dict:
    """Difference-in-differences per year relative to the start (`{"year", "effect", "ci_low",
    "ci_high"}`): each year's estimate with its interval, the reference year at zero without
    one, a line at zero and a dashed line where the intervention starts. Intervals crossing zero
    before the start are what parallel pre-trends look like."""
    values = [dict(r) for r in rows]
    years = sorted({r["year"] for r in values})
    base = alt.Chart(alt.Data(values=values)).encode(x=_year_axis(years))
    bars = base.transform_filter("isValid(datum.ci_low)").mark_rule(strokeWidth=2, color=COMPARISON_COLOUR).encode(
        y=alt.Y("ci_low:Q", title=y_title), y2="ci_high:Q",
    )
    points = base.mark_point(filled=True, size=60, color=COMPARISON_COLOUR).encode(
        y=alt.Y("effect:Q", title=y_title),
        tooltip=[alt.Tooltip("year:Q", format="d", title=" "), alt.Tooltip("effect:Q", format=",.2f", title=y_title),
                 alt.Tooltip("ci_low:Q", format=",.2f"), alt.Tooltip("ci_high:Q", format=",.2f")],
    )
    chart = alt.layer(_zero_rule(), _start_rule(start, years), bars, points)
    return _described(chart.properties(width=CHART_WIDTH, height=CHART_HEIGHT), title, description)


def synth_chart(rows: Sequence[dict], *, start: int, treated_label: str, synthetic_label: str, y_title: str,
                title: str = "", description: str = "") -> dict:
    """The treated district and its synthetic control per year (`{"year", "series", "value"}`
    with series = the two labels); the synthetic line dashed, so the lines differ without colour."""
    values = [dict(r) for r in rows]
    years = sorted({r["year"] for r in values})
    domain = [treated_label, synthetic_label]
    lines = alt.Chart(alt.Data(values=values)).mark_line(point=True, strokeWidth=2.5).encode(
        x=_year_axis(years),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, sort=domain,
                        scale=alt.Scale(domain=domain, range=[TREATED_COLOUR, COMPARISON_COLOUR]),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        strokeDash=alt.StrokeDash("series:N", sort=domain, legend=None,
                                  scale=alt.Scale(domain=domain, range=[[1, 0], [6, 3]])),
        tooltip=[alt.Tooltip("series:N", title=" "), alt.Tooltip("year:Q", format="d", title=" "),
                 alt.Tooltip("value:Q", format=",.2f", title=y_title)],
    )
    chart = alt.layer(_start_rule(start, years), lines)
    return _described(chart.properties(width=CHART_WIDTH, height=CHART_HEIGHT), title, description)


def placebo_chart(rows: Sequence[dict], *, start: int, treated_label: str, placebo_label: str, y_title: str,
                  title: str = "", description: str = "") -> dict:
    """The gap between each unit and its synthetic control per year (`{"year", "unit", "gap",
    "treated": bool}`): every placebo a thin grey line, the treated district a thick coloured
    one. An effect stands out when the treated line leaves the grey band after the start."""
    values = [{**r, "group": treated_label if r["treated"] else placebo_label} for r in rows]
    years = sorted({r["year"] for r in values})
    domain = [treated_label, placebo_label]
    lines = alt.Chart(alt.Data(values=values)).mark_line().encode(
        x=_year_axis(years),
        y=alt.Y("gap:Q", title=y_title),
        detail="unit:N",
        color=alt.Color("group:N", title=None, sort=domain,
                        scale=alt.Scale(domain=domain, range=[TREATED_COLOUR, PLACEBO_COLOUR]),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        strokeWidth=alt.condition(alt.datum.treated, alt.value(3), alt.value(1)),
        order=alt.Order("treated:N"),
        tooltip=[alt.Tooltip("unit:N", title=" "), alt.Tooltip("year:Q", format="d", title=" "),
                 alt.Tooltip("gap:Q", format=",.2f", title=y_title)],
    )
    chart = alt.layer(_zero_rule(), _start_rule(start, years), lines)
    return _described(chart.properties(width=CHART_WIDTH, height=CHART_HEIGHT), title, description)


def goal_trend_chart(rows: Sequence[dict], *, target: float | None = None, decimals: int = 1,
                     description: str = "") -> dict:
    """A small line of one goal's yearly figures (`{"year", "value"}`), with the target as a
    dashed rule: the trend beside a goal on its plan page, not a chart to study."""
    number = f",.{max(int(decimals), 0)}~f"
    line = (
        alt.Chart(alt.Data(values=[dict(r) for r in rows]))
        .mark_line(point=True, strokeWidth=2, color=LEVEL_COLOURS.get("district", "#13294b"))
        .encode(x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelFontSize=12)),
                y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False),
                        axis=alt.Axis(format=number, labelFontSize=12, tickCount=3)))
    )
    layers = [line]
    if target is not None:
        layers.append(alt.Chart(alt.Data(values=[{"target": target}]))
                      .mark_rule(strokeDash=[4, 3], color="#7a4d00").encode(y="target:Q"))
    chart = alt.layer(*layers).properties(width=220, height=80)
    return _described(chart, "", description)


# -- the indicator explorer -----------------------------------------------------------------------
# Okabe–Ito's colours (apart for the common colour-vision deficiencies), the brand's dark blue
# first; more series than these repeat them with a different dash.
SERIES_COLOURS = ["#13294b", "#d55e00", "#009e73", "#0072b2", "#cc79a7", "#e69f00", "#56b4e9", "#6b6b6b"]
SERIES_DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]


def _with_values(spec: dict, rows: Sequence[dict]) -> dict:
    # An explorer chart may hold 2 000 figures; Altair walks every value when it writes the spec
    # (most of a large view's time), so the spec is written without them and they go in after.
    spec["data"] = {"values": [dict(r) for r in rows]}
    return spec


def _series_scales(series: Sequence[str]) -> tuple[alt.Scale, alt.Scale]:
    n = len(SERIES_COLOURS)
    colours = [SERIES_COLOURS[i % n] for i in range(len(series))]
    dashes = [SERIES_DASHES[(i // n) % len(SERIES_DASHES)] for i in range(len(series))]
    return alt.Scale(domain=list(series), range=colours), alt.Scale(domain=list(series), range=dashes)


def explore_line_chart(rows: Sequence[dict], *, series: Sequence[str], title: str, y_title: str, decimals: int = 1,
                       description: str = "") -> dict:
    """One indicator over time, one line per series (`{"year", "series", "value"}`, `series` in
    legend order); a None value (suppressed, missing) breaks its line rather than drawing zero."""
    colour, dash = _series_scales(series)
    number = f",.{max(int(decimals), 0)}f"
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=y_title or None, axis=alt.Axis(format=f",.{max(int(decimals), 0)}~f")),
            color=alt.Color("series:N", title=None, sort=list(series), scale=colour,
                            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
            strokeDash=alt.StrokeDash("series:N", sort=list(series), scale=dash, legend=None),
            tooltip=[
                alt.Tooltip("series:N", title=" "),
                alt.Tooltip("year:O", title=" "),
                alt.Tooltip("value:Q", title=y_title or " ", format=number),
            ],
        )
        .properties(width="container", height=CHART_HEIGHT)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=13, symbolSize=120)
        .configure_title(fontSize=14)
    )
    return _with_values(_described(chart, title, description), rows)


def explore_bar_chart(rows: Sequence[dict], *, series: Sequence[str], title: str, x_title: str, decimals: int = 1,
                      description: str = "") -> dict:
    """One indicator in one year, one horizontal bar per unit (`{"unit", "series", "value"}`;
    `series` the sex when several are shown, else the unit). A unit without a value
    (suppressed, missing) gets no bar: the table beside says why."""
    colour, _dash = _series_scales(series)
    number = f",.{max(int(decimals), 0)}f"
    units = list(dict.fromkeys(r["unit"] for r in rows))
    several = len(set(series)) > 1 and set(series) != set(units)
    encoding = {
        "y": alt.Y("unit:N", title=None, sort=units, axis=alt.Axis(labelLimit=260)),
        "x": alt.X("value:Q", title=x_title or None, axis=alt.Axis(format=f",.{max(int(decimals), 0)}~f")),
        "color": alt.Color("series:N", title=None, sort=list(series), scale=colour,
                           legend=alt.Legend(orient="bottom", direction="vertical") if several else None),
        "tooltip": [
            alt.Tooltip("unit:N", title=" "),
            alt.Tooltip("series:N", title=" "),
            alt.Tooltip("value:Q", title=x_title or " ", format=number),
        ],
    }
    if several:
        encoding["yOffset"] = alt.YOffset("series:N", sort=list(series))
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_bar()
        .encode(**encoding)
        .properties(width="container", height={"step": 22})
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=13)
        .configure_title(fontSize=14)
    )
    return _with_values(_described(chart, title, description), rows)


def chart_png(spec: dict, *, locale: str = "sv-SE", scale: float = 2.0) -> bytes:
    """The spec rendered to PNG (a download), offline as `chart_svg`."""
    return vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION, format_locale=locale, scale=scale)
