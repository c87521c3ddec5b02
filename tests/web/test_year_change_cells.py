"""The exclusion page's tables per municipality (counts year by year, with the change from the year
before) are written by one template tag instead of an include per cell (issue 21: at national
scale, 290 municipalities × 20 years in two tables, the includes were most of the page's time).
Its cells must be exactly what the include wrote, in Swedish and in English, for every kind of
count and change."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from stadsdel.indicators.compute import year_over_year
from stadsdel.indicators.templatetags.indicators import year_change_cells

# The cells as the page's template wrote them before the tag (the include's own trailing newline
# dropped: it was whitespace inside the cell).
INCLUDE = Template(
    '{% for entry in entries %}<td class="num">{% include "indicators/_year_change.html" %}</td>{% endfor %}'
)

COUNTS = {
    2006: 10896.0, 2007: 11073.0, 2008: 10635.0, 2009: None, 2010: 1234567.0, 2011: 1234567.4,
    2012: 1234567.5, 2013: 1234567.5, 2014: 0.0, 2015: 0.4, 2016: 0.0, 2017: 2.5, 2018: 2.0, 2019: 2.45,
    2020: 12345.675, 2021: -3.0, 2022: -3.5,
}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_tag_writes_what_the_include_wrote(language):
    entries = year_over_year(COUNTS)
    with translation.override(language):
        title = "ingen uppgift <&>" if language == "sv" else "no figure"
        expected = INCLUDE.render(Context({"entries": entries, "no_figure_title": title})).replace("\n</td>", "</td>")
        written = year_change_cells(entries, title)
    assert written == expected
    # What the reader sees, spelled out for a few cells.
    if language == "sv":
        assert '<td class="num">11\xa0073 <span class="change">(+177)</span></td>' in written
        assert '<td class="num">10\xa0635 <span class="change">(\u2212438)</span></td>' in written
        assert '<td class="num"><abbr title="ingen uppgift &lt;&amp;&gt;">..</abbr></td>' in written
        # A change that rounds to nothing has no sign; a fraction is shown with one decimal.
        assert '<td class="num">1\xa0234\xa0567,4 <span class="change">(0)</span></td>' in written
    else:
        assert '<td class="num">11,073 <span class="change">(+177)</span></td>' in written


def test_the_exclusion_page_uses_the_tag():
    from django.template.loader import get_template

    source = get_template("indicators/exclusion_overview.html").template.source
    assert source.count("{% year_change_cells row.") == 2
