"""The typology table is written by one template tag instead of a template loop per cell (issue
21: the national typology has 6 000 areas, and the loop took seconds). Its rows must be what the
loop wrote, in Swedish and in English, except that an area in no district now shows "—" where
the loop wrote "None"."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from stadsdel.indices.templatetags.indices import typology_table_body
from stadsdel.lib.typology import TYPE_NAMES, TYPE_NAMES_EN, AreaType

# The rows as the page's template wrote them before the tag.
LOOP = Template(
    "{% load stadsdel %}{% for a in rows %}<tr>"
    '<th scope="row"><span class="code">{{ a.area }}</span></th>'
    "<td>{{ run.area_names|get_item:a.area }}</td>"
    '<td>{{ run.area_districts|get_item:a.area|join:", " }}</td>'
    '<td class="num">{{ a.v1|figure:1 }}</td><td class="num">{{ a.v2|figure:1 }}</td><td class="num">{{ a.v3|figure:1 }}</td>'
    '<td class="num"><strong>{{ a.index|figure:1 }}</strong></td><td class="num">{{ a.sds_from_mean|signed:2 }}</td>'
    '<td>{% if a.type %}<span{% ifchanged a.type %} id="type-{{ a.type }}"{% endifchanged %} class="badge">'
    "{{ a.type }}</span> {{ type_names|get_item:a.type }}{% else %}..{% endif %}</td>"
    "</tr>{% endfor %}"
)

ROWS = [
    AreaType("0180C1010", 31.25, 40.05, 12.5, 27.933333, 2.004999, 1),
    AreaType("0180C1020", 1234.5, 0.05, 0.0, 20.0, 1.5, 1),
    AreaType("1480<B>", 10.0, 10.0, 10.0, 10.0, 0.0, 3),
    AreaType("0127A0001", 5.0, 4.0, 3.0, 4.0, -0.004, 4),
    AreaType("0127A0002", 5.0, 4.0, 3.0, 4.0, -1.255, 5),
    AreaType("0127A0003", None, 4.0, None, None, None, None),
]
RUN = SimpleNamespace(
    area_names={"0180C1010": "Stockholm", "0180C1020": "Stockholm", "1480<B>": "Göteborg & co",
                "0127A0001": "Botkyrka", "0127A0002": "Botkyrka", "0127A0003": "Botkyrka"},
    area_districts={"0180C1010": ["Rinkeby", "Tensta"], "1480<B>": ["Hammarkullen"], "0127A0001": ["Alby"]},
    area_titles={},
)


def cells(html: str) -> list[str]:
    return re.findall(r"<t[hd][^>]*>.*?</t[hd]>", str(html))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_tag_writes_what_the_loop_wrote(language):
    names = TYPE_NAMES_EN if language == "en" else TYPE_NAMES
    with translation.override(language):
        loop = LOOP.render(Context({"rows": ROWS, "run": RUN, "type_names": names}))
        tag = typology_table_body(ROWS, RUN, names)
    # The loop wrote "None" for the areas in no district.
    expected = [cell.replace("<td>None</td>", "<td>—</td>") for cell in cells(loop)]
    assert cells(tag) == expected
    assert "None" not in tag
    assert tag.count('id="type-1"') == 1  # the anchor on the first row of each type only
    if language == "sv":
        assert '<td class="num">1\xa0234,5</td>' in tag and '<td class="num">+2,00</td>' in tag
        assert '<td class="num">\u22121,26</td>' in tag and '<td class="num">0,00</td>' in tag
    assert "1480&lt;B&gt;" in tag and "Göteborg &amp; co" in tag


def test_the_typology_page_uses_the_tag():
    from django.template.loader import get_template

    source = get_template("indices/typology.html").template.source
    assert "{% typology_table_body table.rows run type_names %}" in source  # one page of rows (page_selectors.rows_page)


def test_a_named_area_shows_its_name_over_its_code():
    """An area with a name (a SAMS area) is called by it, its code beneath; one without (DeSO)
    by its code, the next cell naming its municipality."""
    run = SimpleNamespace(**{**vars(RUN), "area_titles": {"0127A0001": "Alby <centrum>"}})
    tag = typology_table_body(ROWS, run, TYPE_NAMES)
    headers = re.findall(r'<th scope="row">(.*?)</th>', str(tag))
    assert headers[3] == 'Alby &lt;centrum&gt;<br><span class="code">0127A0001</span>'
    assert headers[4] == '<span class="code">0127A0002</span>'
