"""Template filters of the statistics: an observation's value and status as a table cell shows them,
dimension and level names. Load with `{% load indicators %}`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from stadsdel.indicators.models import Dimension, Level, Observation
from stadsdel.ui.templatetags.stadsdel import NO_FIGURE, SUPPRESSED, count, figure

register = template.Library()


@register.filter
def observation_value(observation, decimals=1) -> str:
    """An observation's value as a table cell shows it: "–" for a suppressed cell and ".." for
    no figure, each explained in its title."""
    if observation is None or (observation.value is None and observation.status != "suppressed"):
        return format_html('<abbr title="{}">{}</abbr>', _("no figure"), NO_FIGURE)
    if observation.status == "suppressed":
        return format_html('<abbr title="{}">{}</abbr>', _("suppressed (disclosure control)"), SUPPRESSED)
    return figure(observation.value, decimals)


@register.filter
def observation_status(observation) -> str:
    """What a reader needs to know about a figure beyond its value (nothing for a plain one)."""
    if observation is None:
        return ""
    notes = []
    if observation.status == "suppressed":
        notes.append(_("suppressed (disclosure control)"))
    elif observation.status != "ok":
        notes.append(observation.get_status_display())
    if observation.crosswalk_id:
        notes.append(_("mapped via %(crosswalk)s") % {"crosswalk": observation.crosswalk.name})
    return "; ".join(notes)


@register.simple_tag
def series_table_body(series) -> str:
    """A district's series table's rows as HTML (a district statistics page has some thirty of
    them, 600 rows in all at national scale, and a template loop spends most of the page's time
    on that many cells): per year the figures at the levels shown, the district's numerator and
    denominator, and its figure's status. The cells are what the filters above write."""
    decimals = series.indicator.decimals
    out = []
    for year, cells in series.table:
        own = year.district
        figures = "".join(f'<td class="num">{observation_value(o, decimals)}</td>' for o in cells)
        if own is not None and own.numerator is not None:
            counts = f"{count(own.numerator)} / {count(own.denominator)}"
        else:
            counts = NO_FIGURE
        out.append(f'<tr><th scope="row">{int(year.year)}</th>{figures}<td class="num">{counts}</td>'
                   f"<td>{escape(observation_status(own))}</td></tr>")
    return mark_safe("\n".join(out))


@register.filter
def dimension_names(keys) -> str:
    """Dimension keys ("employment", …) as their names in the page language, joined."""
    labels = dict(Dimension.choices)
    return ", ".join(str(labels.get(key, key)) for key in keys or ())


@register.filter
def level_name(level) -> str:
    """An observation level ("district") as its name in the page language."""
    return str(dict(Level.choices).get(level, level))


@register.filter
def explore_rows(result, indicator) -> list:
    """The explorer's rows of one indicator (`ExploreResult.rows_for`)."""
    return result.rows_for(indicator)


@register.filter
def explore_status(status) -> str:
    """A figure's status as the explorer's table shows it: nothing for a plain figure, and a
    suppressed cell said as such (it has no value; it is not zero)."""
    if status == "suppressed":
        return _("suppressed (disclosure control)")
    if status == "ok":
        return ""
    return str(dict(Observation.Status.choices).get(status, status))


def number_formatter():
    """`number(value, places)`: the `figure` and `count` filters' output (rounded half up as
    floatformat rounds, grouped, the page language's separators), with the separators looked up
    once rather than per cell: for tables of thousands of figures."""
    decimal_sep, group_sep = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    swap = str.maketrans({",": group_sep, ".": decimal_sep})

    def number(value, places: int) -> str:
        # Half up, as floatformat rounds (Python's own formatting rounds half to even).
        rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{rounded:,f}".translate(swap)

    return number


@register.simple_tag
def year_change_cells(entries, no_figure_title) -> str:
    """One table row's cells of counts year by year with the change from the year before
    (`compute.year_over_year`), as `indicators/_year_change.html` writes each: the exclusion
    page has a row per municipality, 290 × 20 years in two tables at national scale, and an
    include per cell was most of its time (bench/national_pages.py)."""
    number = number_formatter()
    missing = f'<abbr title="{escape(str(no_figure_title))}">{NO_FIGURE}</abbr>'
    out = []
    for entry in entries:
        value, change = entry["value"], entry["change"]
        if value is None:
            out.append(f'<td class="num">{missing}</td>')
            continue
        text = number(value, 0 if float(value).is_integer() else 1)
        if change is not None:
            # The `signed` filter with no decimals: a sign unless it rounds to zero.
            size = number(abs(change), 0)
            sign = "" if size.strip("0,. ") == "" else ("+" if change > 0 else "\u2212")
            text += f' <span class="change">({sign}{size})</span>'
        out.append(f'<td class="num">{text}</td>')
    return mark_safe("".join(out))


@register.simple_tag
def explore_table_body(rows, indicator, several_sexes, show_authors) -> str:
    """The explorer table's rows as HTML, built here rather than in a template loop: a view may
    show 2 000 figures, and a template spends most of a second on that many rows (bench/explore.py).
    The cells are the template's: the unit, year, sex (when several are shown), the value ("–"
    for a suppressed cell, never 0), numerator, denominator, status and the import."""
    sexes = {key: str(label) for key, label in Observation.Sex.choices}
    number = number_formatter()
    decimals = max(int(indicator.decimals), 0)

    def whole(value) -> str:
        if value is None:
            return NO_FIGURE
        return number(value, 0 if float(value).is_integer() else 1)

    suppressed_value = format_html('<abbr title="{}">{}</abbr>', _("suppressed (disclosure control)"), SUPPRESSED)
    no_value = format_html('<abbr title="{}">{}</abbr>', _("no figure"), NO_FIGURE)
    # Plain f-strings with the standard library's escape (the same as Django's, without its lazy
    # wrapper): format_html per cell was most of a large table's time.
    statuses = {status: escape(explore_status(status)) for status in Observation.Status.values}
    links: dict[int, str] = {}
    out = []
    for r in rows:
        if r.import_id not in links:
            links[r.import_id] = (
                f'<a href="{escape(reverse("indicators:import_detail", args=[r.import_id]))}" '
                f'title="{escape(r.import_label)}">{escape(_("Import %(id)s") % {"id": r.import_id})}</a>')
        if r.status == "suppressed":
            value = suppressed_value
        elif r.value is None:
            value = no_value
        else:
            value = number(r.value, decimals)
        author = f' <span class="muted">({escape(r.imported_by)})</span>' if show_authors and r.imported_by else ""
        sex = f"<td>{escape(sexes.get(r.sex, r.sex))}</td>" if several_sexes else ""
        css = ' class="is-suppressed"' if r.status == "suppressed" else ""
        out.append(
            f'<tr{css}><th scope="row">{escape(r.unit)}</th><td class="num">{int(r.period)}</td>{sex}'
            f'<td class="num">{value}</td><td class="num">{whole(r.numerator)}</td>'
            f'<td class="num">{whole(r.denominator)}</td><td>{statuses.get(r.status, escape(r.status))}</td>'
            f'<td>{links[r.import_id]}{author}</td></tr>')
    return mark_safe("\n".join(out))
