"""A district's series tables are written by one template tag instead of a template loop per cell
(issue 20: at national scale the loop was most of the page's time). Its rows must be exactly what
the loop wrote, in Swedish and in English, for every kind of figure."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from stadsdel.areas.models import Crosswalk
from stadsdel.indicators.models import Indicator, Observation
from stadsdel.indicators.page_selectors import IndicatorSeries, SeriesYear
from stadsdel.indicators.templatetags.indicators import series_table_body

# The rows as the page's template wrote them before the tag.
LOOP = Template(
    "{% load stadsdel indicators %}"
    "{% for year, cells in series.table %}"
    '<tr><th scope="row">{{ year.year }}</th>'
    '{% for o in cells %}<td class="num">{{ o|observation_value:indicator.decimals }}</td>{% endfor %}'
    '<td class="num">{% if year.district.numerator is not None %}{{ year.district.numerator|count }} / '
    "{{ year.district.denominator|count }}{% else %}..{% endif %}</td>"
    "<td>{{ year.district|observation_status }}</td></tr>"
    "{% endfor %}"
)


def figure(value, *, numerator=None, denominator=None, status="ok", crosswalk=None) -> Observation:
    o = Observation(value=value, numerator=numerator, denominator=denominator, status=status)
    if crosswalk is not None:
        o.crosswalk = crosswalk
    return o


def a_series(decimals: int) -> IndicatorSeries:
    crosswalk = Crosswalk(pk=7, name="SAMS → DeSO <2018>")
    indicator = Indicator(code="x", name="X", decimals=decimals)
    years = [
        SeriesYear(2006, figure(52.349999, numerator=1571, denominator=3001), figure(71.5), figure(77.5), None),
        SeriesYear(2007, figure(None, status="suppressed"), figure(0.05), None, figure(-3.25)),
        SeriesYear(2008, figure(12345.675, numerator=1657.5, denominator=3000.25, status="provisional"),
                   figure(None), figure(1e6), figure(0.0)),
        SeriesYear(2009, figure(5.0, crosswalk=crosswalk, status="missing"), figure(2.5), figure(-0.04), None),
        SeriesYear(2010, None, figure(1.45), None, figure(99.995)),
        SeriesYear(2011, figure(None, status="suppressed", crosswalk=crosswalk), None, None, None),
    ]
    return IndicatorSeries(indicator, years)


def cells(html: str) -> list[str]:
    return re.findall(r"<t[hd][^>]*>.*?</t[hd]>", str(html))


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_the_tag_writes_what_the_loop_wrote(language, decimals):
    series = a_series(decimals)
    with translation.override(language):
        expected = LOOP.render(Context({"series": series, "indicator": series.indicator}))
        got = series_table_body(series)
    assert cells(got) == cells(expected)
    assert len(cells(expected)) == 6 * (1 + 4 + 2)
    assert str(got).count("<tr>") == len(series.years) == 6
