"""The district statistics page's line charts are copied from a template built once with Altair
(issue 20: building each with Altair took 10–15 ms, 30 charts a page). The copies must be the
very spec Altair writes for the same figures, and each chart its own object."""

from __future__ import annotations

import json

import altair as alt
import pytest

from stadsdel.ui import charts


def altair_series_chart(rows, *, title="", y_title="", decimals=1, labels=None, description=""):
    """The chart as built before the template: Altair with the data, for every chart."""
    labels = labels or {}
    order = [lv for lv in charts.LEVEL_COLOURS if lv in labels] or sorted({r["level"] for r in rows})
    domain = [labels.get(lv, lv) for lv in order]
    number = f",.{max(int(decimals), 0)}f"
    chart = (
        alt.Chart(alt.Data(values=[dict(r) for r in rows]))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=y_title or None, axis=alt.Axis(format=f",.{max(int(decimals), 0)}~f")),
            color=alt.Color(
                "series:N", title=None, sort=domain,
                scale=alt.Scale(domain=domain, range=[charts.LEVEL_COLOURS.get(lv, "#444444") for lv in order]),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", sort=domain, legend=None,
                scale=alt.Scale(domain=domain, range=[charts.LEVEL_DASHES.get(lv, [1, 0]) for lv in order]),
            ),
            tooltip=[
                alt.Tooltip("series:N", title=" "),
                alt.Tooltip("year:O", title=" "),
                alt.Tooltip("value:Q", title=y_title or " ", format=number),
            ],
        )
        .properties(width=charts.CHART_WIDTH, height=charts.CHART_HEIGHT)
    )
    if title:
        chart = chart.properties(title=title)
    spec = chart.to_dict(validate=False)
    config = spec.setdefault("config", {})
    for part, sizes in charts.TEXT_CONFIG.items():
        config[part] = {**sizes, **config.get(part, {})}
    if description:
        spec["description"] = description
    return spec


def rows_for(levels: dict[str, str], *, gap: int | None = None, years=range(2006, 2026)):
    return [{"year": y, "series": name, "level": lv, "value": None if y == gap else 10.0 + k + y / 7}
            for lv, name in levels.items() for k, y in enumerate(years)]


CASES = [
    ({"district": "Jordbro", "municipality": "Haninge", "county": "Stockholms län", "country": "Sverige"},
     {"y_title": "procent", "decimals": 1, "description": "Förvärvsfrekvens i Jordbro"}),
    ({"district": "Rinkeby", "country": "Sweden"}, {"y_title": "days", "decimals": 0, "title": "Sickness days"}),
    ({"district": "Hjällbo"}, {"decimals": 2, "title": ["Two", "lines"]}),
    ({"district": "Öxnehaga", "municipality": "Jönköping"}, {"decimals": -1}),
]


@pytest.mark.parametrize(("levels", "options"), CASES)
def test_the_template_gives_altairs_spec(levels, options):
    rows = rows_for(levels, gap=2010)
    expected = altair_series_chart(rows, labels=levels, **options)
    got = charts.series_chart(rows, labels=levels, **options)
    # The same JSON, key order included: the page writes it as it is.
    assert json.dumps(got) == json.dumps(expected)


def test_without_labels_the_levels_come_from_the_rows():
    rows = rows_for({"municipality": "Haninge", "district": "Jordbro"})
    assert json.dumps(charts.series_chart(rows)) == json.dumps(altair_series_chart(rows))


def test_each_chart_is_its_own_object():
    levels = {"district": "Jordbro", "country": "Sverige"}
    first = charts.series_chart(rows_for(levels), labels=levels, y_title="procent")
    first["encoding"]["y"]["title"] = "changed"
    first["data"]["values"].clear()
    second = charts.series_chart(rows_for(levels, gap=2007), labels=levels, y_title="procent")
    assert second["encoding"]["y"]["title"] == "procent"
    assert [r["value"] for r in second["data"]["values"] if r["year"] == 2007] == [None, None]
    assert len(second["data"]["values"]) == 40
