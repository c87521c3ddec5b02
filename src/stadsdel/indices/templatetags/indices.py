"""Template tags of the index pages. Load with `{% load indices %}`."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import mark_safe

from stadsdel.indicators.templatetags.indicators import number_formatter
from stadsdel.ui.templatetags.stadsdel import NO_FIGURE

register = template.Library()


@register.simple_tag
def typology_table_body(rows, run, type_names) -> str:
    """The typology table's rows as HTML, built here rather than in a template loop: the national
    typology has a row per area, 6 000 of them, and the loop took seconds (bench/national_pages.py).
    The cells are the loop's: the area's name over its code (the code alone when it has no name,
    as DeSO areas have none: the next cell names its municipality), its municipality and districts ("—" when it lies in
    none), V1–V3 and the index with one decimal (the `figure` filter), the distance from the mean
    with its sign and two decimals (`signed`), and the type, whose first row carries the type's
    anchor (the rows run by index, so each type is one run of rows)."""
    number = number_formatter()

    def figure(value) -> str:
        return NO_FIGURE if value is None else number(value, 1)

    def signed(value) -> str:
        if value is None:
            return NO_FIGURE
        text = number(abs(value), 2)
        if text.strip("0,. ") == "":
            return text
        return ("+" if value > 0 else "\u2212") + text

    names, districts = run.area_names, run.area_districts
    titles = run.area_titles
    def area(code) -> str:
        title = titles.get(code)
        shown = f'<span class="code">{escape(str(code))}</span>'
        return f'{escape(title)}<br>{shown}' if title else shown

    anchored = None
    out = []
    for a in rows:
        if a.type:
            anchor = f' id="type-{a.type}"' if a.type != anchored else ""
            anchored = a.type
            kind = f'<span{anchor} class="badge">{a.type}</span> {escape(str(type_names.get(a.type)))}'
        else:
            kind = NO_FIGURE
        out.append(
            f'<tr><th scope="row">{area(a.area)}</th>'
            f"<td>{escape(str(names.get(a.area)))}</td>"
            f'<td>{escape(", ".join(districts.get(a.area) or ())) or "—"}</td>'
            f'<td class="num">{figure(a.v1)}</td><td class="num">{figure(a.v2)}</td><td class="num">{figure(a.v3)}</td>'
            f'<td class="num"><strong>{figure(a.index)}</strong></td><td class="num">{signed(a.sds_from_mean)}</td>'
            f"<td>{kind}</td></tr>")
    return mark_safe("\n".join(out))
