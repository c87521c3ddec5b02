"""Every chart kind's spec is valid Vega-Lite. The pages no longer check each spec they draw
(issue 20: the check took 0.3 s a chart); these tests check every template, and the page code
checks each distinct shape once per process outside production."""

from __future__ import annotations

import jsonschema
import pytest

from stadsdel.ui import charts

YEARS = range(2006, 2013)


def square(lon: float, lat: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01],
                                                [lon, lat + 0.01], [lon, lat]]]}


def features(values: list[float | None]) -> list[dict]:
    return [{"type": "Feature", "geometry": square(18.0 + k * 0.02, 59.3),
             "properties": {"label": f"Område {k}", "value": v}} for k, v in enumerate(values)]


SPECS = {
    "series": lambda: charts.series_chart(
        [{"year": y, "series": s, "level": lv, "value": None if y == 2009 else 60.0 + k}
         for y in YEARS for k, (s, lv) in enumerate([("Jordbro", "district"), ("Haninge", "municipality"),
                                                     ("Riket", "country")])],
        title="Förvärvsfrekvens", y_title="procent", labels={"district": "Jordbro", "municipality": "Haninge",
                                                              "country": "Riket"}, description="d"),
    "index_bar": lambda: charts.index_bar_chart(
        [{"unit": "A", "value": 120.0, "selected": True}, {"unit": "B", "value": 80.0, "selected": False}],
        threshold=100.0, selected_label="Prioriterad", other_label="Övriga", x_title="Index", title="t"),
    "rank_interval": lambda: charts.rank_interval_chart(
        [{"unit": "A", "rank": 1, "median": 1, "low": 1, "high": 3}, {"unit": "B", "rank": 2, "median": 2, "low": 1,
                                                                       "high": 2}], x_title="Rang"),
    "index_trend": lambda: charts.index_trend_chart(
        [{"year": y, "series": s, "value": 100.0} for y in YEARS for s in ("A", "Referens")],
        reference="Referens", y_title="Index"),
    "choropleth": lambda: charts.choropleth_chart(features([150.0, None, 90.0]), value_title="Index",
                                                  no_value_label="Ingen uppgift"),
    "choropleth_all_values": lambda: charts.choropleth_chart(features([150.0, 90.0]), value_title="Index"),
    "event_study": lambda: charts.event_study_chart(
        [{"year": y, "effect": 0.5, "ci_low": None if y == 2008 else 0.1, "ci_high": None if y == 2008 else 0.9}
         for y in YEARS], start=2009, y_title="procentenheter"),
    "synth": lambda: charts.synth_chart(
        [{"year": y, "series": s, "value": 50.0} for y in YEARS for s in ("Jordbro", "Syntetisk")],
        start=2009, treated_label="Jordbro", synthetic_label="Syntetisk", y_title="procent"),
    "placebo": lambda: charts.placebo_chart(
        [{"year": y, "unit": u, "gap": 0.2, "treated": u == "A"} for y in YEARS for u in ("A", "B", "C")],
        start=2009, treated_label="Jordbro", placebo_label="Placebo", y_title="procentenheter"),
    "index_bar_reference": lambda: charts.index_bar_chart(
        [{"unit": "A", "value": 60.0, "selected": False}, {"unit": "B", "value": 70.0, "selected": False}],
        threshold=65.0, selected_label="", other_label="Stadsdel", x_title="procent", threshold_label="Riket"),
    "choropleth_labelled": lambda: charts.choropleth_chart(
        features([150.0, None, 90.0]), value_title="Index", no_value_label="Ingen uppgift",
        labels=[{"lon": 18.02, "lat": 59.32, "text": "Jordbro"}], caption="Syntetiska områdesgränser (demo)",
        outlines=[{"type": "Feature", "geometry": square(17.99, 59.29), "properties": {"label": "Haninge"}}],
        outline_label="Haninge"),
    "goal_trend": lambda: charts.goal_trend_chart([{"year": y, "value": 40.0 + y % 3} for y in YEARS], target=45.0),
    "goal_trend_no_target": lambda: charts.goal_trend_chart([{"year": 2010, "value": 40.0}]),
}


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_chart_kind_is_valid_vega_lite(kind):
    spec = SPECS[kind]()
    charts.validate_spec(spec)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")


def test_the_check_finds_a_broken_spec():
    spec = SPECS["series"]()
    spec["mark"] = {"type": "no-such-mark"}
    with pytest.raises(jsonschema.ValidationError):
        charts.validate_spec(spec)


def test_a_shape_is_checked_once(monkeypatch):
    """Outside production each distinct shape is checked once per process: the same template
    with other figures and labels is not checked again, a new shape is."""
    checked = []
    monkeypatch.setattr(charts, "validate_spec", checked.append)
    monkeypatch.setattr(charts, "_checked_shapes", set())
    monkeypatch.setattr(charts, "VALIDATE_SPECS", True)
    SPECS["index_bar"]()
    charts.index_bar_chart([{"unit": f"U{k}", "value": 10.0 * k, "selected": k % 2 == 0} for k in range(9)],
                           threshold=50.0, selected_label="x", other_label="y", x_title="Index 2012", title="other")
    assert len(checked) == 1
    SPECS["goal_trend"]()
    assert len(checked) == 2


def test_production_checks_nothing(monkeypatch):
    checked = []
    monkeypatch.setattr(charts, "validate_spec", checked.append)
    monkeypatch.setattr(charts, "_checked_shapes", set())
    monkeypatch.setattr(charts, "VALIDATE_SPECS", False)
    SPECS["series"]()
    assert checked == []


# -- the charts' text: measured here, where axe-core cannot ------------------------------------------
# axe leaves the contrast of text inside an <svg> "to review" (its reason `imgNode`: the svg
# element counts as an image behind the text, whose colours it does not read), so the crawl's axe
# check never measures a chart's words. This test does: every text of every chart kind, as drawn,
# against the solid white the chart is drawn on and, for maps, the palest fill a label may lie on.


def _luminance(colour: str) -> float:
    named = {"white": "#ffffff", "black": "#000000"}
    colour = named.get(colour, colour).lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = ((c / 12.92) if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the palest grey that passes AA


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_chart_text_has_aa_contrast_on_a_solid_background_and_is_12px_or_more(kind):
    import re

    svg = charts.chart_svg(SPECS[kind]())
    # The chart is drawn on a solid white rectangle (no transparency, no image behind it).
    background = re.search(r'<rect[^>]*class="background"[^>]*>', svg) or re.search(r"<rect[^>]*>", svg)
    assert background and 'fill="white"' in background.group(0) and "opacity" not in background.group(0)
    texts = re.findall(r"<text\b[^>]*>", svg)
    assert texts, "a chart without a word: its kind is not what this test thinks"
    grounds = ["#ffffff", charts.OUTLINE_FILL] if kind.startswith("choropleth") else ["#ffffff"]
    for tag in texts:
        fill = re.search(r'fill="([^"]+)"', tag)
        size = re.search(r'font-size="([\d.]+)px"', tag)
        opacity = re.search(r'(?<!-)opacity="([\d.]+)"', tag)
        assert fill and fill.group(1) not in ("none", "transparent"), tag
        assert opacity is None or float(opacity.group(1)) == 1.0, tag  # no see-through text
        assert size and float(size.group(1)) >= 12, tag
        for ground in grounds:
            assert contrast(fill.group(1), ground) >= 4.5, (tag, ground)


def test_a_reference_line_is_named_and_a_legend_has_no_empty_entry():
    spec = SPECS["index_bar_reference"]()
    svg = charts.chart_svg(spec)
    assert ">Riket</text>" in svg  # the country's line says what it is
    domain = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert domain == ["Stadsdel"]  # no nameless group beside it


def test_a_screen_reader_hears_the_charts_description_not_vegas_english_axes():
    """Vega describes axes and legends in English ("X-axis for a discrete scale …") on any page;
    they are hidden from screen readers, and the chart's own description is what they announce."""
    from stadsdel.ui.charts import chart_svg, series_chart

    spec = series_chart([{"year": 2010, "series": "Jordbro", "level": "district", "value": 1.5},
                         {"year": 2011, "series": "Jordbro", "level": "district", "value": 2.5}],
                        title="Sysselsättning", y_title="procent", labels={"district": "Jordbro"},
                        description="Sysselsättning i Jordbro 2010–2011, procent.")
    assert spec["description"] == "Sysselsättning i Jordbro 2010–2011, procent."  # the chart's aria-label
    svg = chart_svg(spec)
    assert "aria-hidden" in svg and "axis for" not in svg and "legend for" not in svg.lower()
