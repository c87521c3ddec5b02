"""The reports in their formats: HTML (the same document the PDF is printed from), PDF
(WeasyPrint: page numbers, a table of contents, charts as vector SVG), Excel (openpyxl: one sheet
per section, real numbers) and CSV per table. All read one content object (`content.py`)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from stadsdel.core.pdf import html_to_pdf
from stadsdel.core.tabular_export import csv_writer, xlsx_append
from stadsdel.followup.content import FollowUpContent, NationalContent
from stadsdel.followup.maps import national_map
from stadsdel.indicators.maps import district_map
from stadsdel.ui import charts
from stadsdel.ui.templatetags.stadsdel import in_language

# The statuses in the report's words (the page's language; the documents are rendered in Swedish).
STATUS_LABELS = {
    "achieved": pgettext_lazy("report status", "achieved"), "on_track": pgettext_lazy("report status", "on track"),
    "off_track": pgettext_lazy("report status", "off track"), "no_data": pgettext_lazy("report status", "no data"),
    "done": pgettext_lazy("report status", "on time"), "done_late": pgettext_lazy("report status", "late"),
    "due": pgettext_lazy("report status", "to be submitted"), "overdue": pgettext_lazy("report status", "missing (late)"),
}


def _status_sv(key: str) -> str:
    # The downloads' tables are in Swedish throughout, as their column names are.
    with translation.override("sv"):
        return str(STATUS_LABELS[key])


def _svg(spec: dict) -> str:
    """The chart as SVG, its numbers written as the active language writes them."""
    return charts.chart_svg(spec, locale="en-GB" if (translation.get_language() or "sv").startswith("en") else "sv-SE")


def _distribution_chart(content: NationalContent, k: int) -> str:
    indicator = content.indicators[k]
    rows = [{"unit": r.district.name, "value": r.values[k], "selected": False} for r in content.districts
            if r.values[k] is not None]
    if not rows:
        return ""
    national = content.national[k]
    name = in_language(indicator)
    # In the language active (the page's; Swedish for the documents, national_html).
    spec = charts.index_bar_chart(
        rows, threshold=national if national is not None else 0.0, selected_label="", other_label=_("District"),
        # The unit after the name, unless the name states it ("andel (%)").
        x_title=name if "(%)" in name else f"{name} ({indicator.get_unit_display()})",
        threshold_label=_("The country") if national is not None else "",
        description=_("%(indicator)s per district %(year)s; the line marks the country.") % {
            "indicator": name, "year": content.year},
    )
    return _svg(spec)


def _national_map(content: NationalContent) -> dict:
    """The map of Sweden as SVG (rendered offline, as the charts) with its table, or {} when no
    municipality outlines are loaded."""
    built = national_map(content)
    if not built:
        return {}
    return {"map_svg": _own_ids(_svg(_pdf_font(built["map_spec"])), "national-map-"), "map_rows": built["map_rows"],
            "map_indicator": built["map_indicator"], "map_basis_text": built["map_basis_text"],
            "map_description": built["map_spec"].get("description", "")}


def national_context(content: NationalContent, *, with_charts: bool = True, with_map: bool = False) -> dict:
    """What the report's body shows, its charts in the active language (the page's, as the
    precomputed report is stored per language; Swedish for the documents); `with_map` for the
    documents (HTML, PDF), whose map is an SVG, where the page draws its own interactive map."""
    svgs = [_distribution_chart(content, k) if with_charts else "" for k in range(len(content.indicators))]
    drawn = _national_map(content) if with_map else {}
    return {
        **drawn,
        "c": content, "charts": svgs, "status_labels": STATUS_LABELS,
        "distributions": list(zip(content.distributions, svgs, strict=True)),
        "district_rows": [(r, content.cells(r.values)) for r in content.districts],
        "national_cells": content.cells(content.national),
    }


def national_html(content: NationalContent) -> str:
    with translation.override("sv"):
        return render_to_string("followup/national_document.html", national_context(content, with_map=True))


def national_pdf(content: NationalContent) -> bytes:
    return html_to_pdf(national_html(content))


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    xlsx_append(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_append(ws, row)
    for col in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = max(12, min(50, len(str(header[col - 1])) + 4))
    ws.freeze_panes = "A2"


def national_tables(content: NationalContent) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the national report as (header, rows) with real numbers (None = no figure)."""
    indicators = [f"{i.name} ({i.code})" for i in content.indicators]
    return {
        "sammanfattning": (
            ["år", "individer i utanförskap", "förändring", "stadsdelar präglade av utanförskap", "förändring"],
            [[h["year"], h["individuals"], h["individuals_change"], h["marked"], h["marked_change"]]
             for h in content.headline],
        ),
        "stadsdelar": (
            ["stadsdel", "kommun", *indicators, "präglad av utanförskap"],
            [[r.district.name, r.district.municipality.name, *r.values,
              None if r.marked is None else ("ja" if r.marked else "nej")] for r in content.districts]
            + [["Riket", "", *content.national, None]],
        ),
        "fordelning": (
            ["indikator", "riket", "antal stadsdelar", "lägst", "median", "högst"],
            [[f"{d.indicator.name} ({d.indicator.code})", d.national, d.n, d.minimum, d.median, d.maximum]
             for d in content.distributions],
        ),
        "maluppfyllelse": (
            ["kommun", "stadsdel", "målområde", "mål", "indikator", "utgångsår", "utgångsvärde", "senaste år",
             "senaste värde", "målår", "målvärde", "prognos vid målår", "status"],
            [[g.district.municipality.name, g.district.name, g.goal.goal_area.name, f"{g.goal.number} {g.goal.text}",
              g.indicator.code if g.indicator else None, g.goal.baseline_year, g.goal.baseline_value,
              g.status.latest_year, g.status.latest_value, g.goal.target_year, g.goal.target_value,
              g.status.projected_value, _status_sv(g.status.status)] for g in content.goals],
        ),
        "inlamning": (
            ["kommun", "vad", "senast", "inlämnad", "status"],
            [[d.municipality.name, d.subject, d.due, d.done_on, _status_sv(d.status)] for d in content.due],
        ),
        "myndigheter": (
            ["myndighet", "inlämnad", "publicerad", "text"],
            [[r.organisation.name, r.submitted_at.date() if r.submitted_at else None, r.published, r.text]
             for r in content.agency_reports],
        ),
    }


# The tables' names: the page's download links in its language, the workbook's sheets in Swedish.
SHEET_TITLES = {
    "sammanfattning": gettext_lazy("Summary"), "stadsdelar": gettext_lazy("Districts"),
    "fordelning": gettext_lazy("Distribution"), "maluppfyllelse": gettext_lazy("Goal attainment"),
    "inlamning": gettext_lazy("Submissions"), "myndigheter": gettext_lazy("Agencies"),
}


def _workbook(tables: dict[str, tuple[list[str], list[list]]], titles: dict[str, str], *, front: str,
              heading: str) -> tuple[Workbook, Worksheet]:
    """A report's workbook: one sheet per table (named by `titles`) after a first sheet `front`
    headed `heading`, which the caller goes on to fill."""
    wb = Workbook()
    wb.remove(wb.active)
    for key, (header, rows) in tables.items():
        _sheet(wb, titles[key], header, rows)
    ws = wb.create_sheet(front, 0)
    xlsx_append(ws, [heading])
    ws["A1"].font = Font(bold=True, size=14)
    return wb, ws


def national_xlsx(content: NationalContent) -> bytes:
    # In Swedish whatever the reader's language, like the HTML and PDF.
    with translation.override("sv"):
        wb, ws = _workbook(national_tables(content), {k: str(t) for k, t in SHEET_TITLES.items()}, front="Om rapporten",
                           heading=f"Nationell redovisning {content.year}")
        xlsx_append(ws, ["Version", "publik" if content.public
                         else "Regeringskansliets (med inlämnade, ej publicerade planer)"])
        xlsx_append(ws, ["Skapad (UTC)", content.generated.strftime("%Y-%m-%d %H:%M")])
        xlsx_append(ws, ["Regel för stadsdelar", content.rule or "ingen aktiv regel"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def table_csv(tables: dict[str, tuple[list[str], list[list]]], key: str) -> str:
    header, rows = tables[key]
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# -- the municipality's follow-up -------------------------------------------------------------

def _series_svg(section, series) -> str:
    district = section.district
    labels = {"district": district.name, "municipality": district.municipality.name,
              "county": district.municipality.county.name, "country": _("The country")}
    shown = {level: labels[level] for level in series.levels}
    if not series.years:
        return ""
    spec = charts.series_chart(
        series.long_rows(shown), y_title=str(series.indicator.get_unit_display()), decimals=series.indicator.decimals,
        labels=shown, description=_("%(indicator)s in %(district)s compared with %(references)s.") % {
            "indicator": in_language(series.indicator), "district": district.name,
            "references": ", ".join(list(shown.values())[1:])},
    )
    return _svg(spec)


def _pdf_font(spec: dict) -> dict:
    """The map spec for a PDF. Measured in the font the PDF is set in: vl-convert lays the
    legends out by its font's widths, and with a narrower one their texts run into each other.
    The colour legend as swatches: the PDF renderer leaves some SVG gradients out, and a legend
    without its colours cannot be read."""
    spec = json.loads(json.dumps(spec))
    for layer in spec.get("layer", [spec]):
        color = layer.get("encoding", {}).get("color", {})
        if color.get("type") == "quantitative" and isinstance(color.get("legend"), dict):
            color["legend"]["type"] = "symbol"
            color["legend"]["symbolType"] = "square"
    return {**spec, "config": {**spec.get("config", {}), "font": "DejaVu Sans"}}


def _own_ids(svg: str, prefix: str) -> str:
    """The SVG with its clip and gradient ids made its own: a document holds many charts, each
    numbering its clips from 1, and a PDF renderer resolving `url(#clip1)` in the whole document
    may take another chart's clip and cut the map's legend away."""
    return re.sub(r'(id="|url\(#)(clip|gradient_)', rf"\g<1>{prefix}\g<2>", svg)


def _district_map(district, year: int) -> dict:
    """The district's map as SVG with its table, or {} when its areas have no boundaries."""
    built = district_map(district, until=year)
    if not built:
        return {}
    return {"svg": _own_ids(_svg(_pdf_font(built["map_spec"])), f"map{district.pk}-"),
            "rows": built["map_rows"],
            "indicator": built["map_indicator"], "year": built["map_year"], "synthetic": built["map_synthetic"],
            "description": built["map_spec"].get("description", "")}


def followup_context(content: FollowUpContent) -> dict:
    """What the follow-up's body shows, its charts and maps in the active language (the page's;
    Swedish for the documents, followup_html)."""
    districts = []
    for section in content.districts:
        areas = [(name, [(s, _series_svg(section, s)) for s in series]) for name, series in section.goal_areas]
        districts.append((section, areas, _district_map(section.district, content.year)))
    return {"c": content, "districts": districts, "status_labels": STATUS_LABELS}


def followup_html(content: FollowUpContent) -> str:
    with translation.override("sv"):
        return render_to_string("followup/followup_document.html", followup_context(content))


def followup_pdf(content: FollowUpContent) -> bytes:
    return html_to_pdf(followup_html(content))


def followup_tables(content: FollowUpContent) -> dict[str, tuple[list[str], list[list]]]:
    series_rows, goal_rows, index_rows = [], [], []
    for section in content.districts:
        d = section.district
        for area, series in section.goal_areas:
            for s in series:
                for y in s.years:
                    series_rows.append([d.name, area, s.indicator.code, y.year,
                                        *(o.value if o is not None else None for o in (y.district, y.municipality,
                                                                                       y.county, y.country))])
        for g in section.goals:
            goal_rows.append([d.name, g.goal.goal_area.name, f"{g.goal.number} {g.goal.text}",
                              g.indicator.code if g.indicator else None, g.goal.baseline_year, g.goal.baseline_value,
                              g.status.latest_year, g.status.latest_value, g.goal.target_year, g.goal.target_value,
                              g.status.projected_value, _status_sv(g.status.status)])
        if section.index is not None:
            i = section.index
            index_rows.append([d.name, i.model, i.year, i.value, i.rank, i.units, i.base_year, i.base_value,
                               i.change_percent])
    return {
        "indikatorer": (["stadsdel", "målområde", "indikator", "år", "stadsdel_värde", "kommun", "län", "riket"],
                        series_rows),
        "mal": (["stadsdel", "målområde", "mål", "indikator", "utgångsår", "utgångsvärde", "senaste år",
                 "senaste värde", "målår", "målvärde", "prognos vid målår", "status"], goal_rows),
        "index": (["stadsdel", "modell", "år", "index", "rang", "antal", "basår", "index basår", "förändring %"],
                  index_rows),
    }


def followup_xlsx(content: FollowUpContent) -> bytes:
    titles = {"indikatorer": "Indikatorer", "mal": "Mål", "index": "Riskindex"}
    # The section titles are lazy translations: in Swedish like the HTML and PDF (xlsx_append
    # turns them into text, which openpyxl needs).
    with translation.override("sv"):
        wb, ws = _workbook(followup_tables(content), titles, front="Redovisning",
                           heading=f"Uppföljning {content.year}: {content.municipality.name}")
        for title, text in content.narratives:
            xlsx_append(ws, [title, text])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FORMATS: dict[str, Callable[[NationalContent], bytes | str]] = {
    "html": national_html, "pdf": national_pdf, "xlsx": national_xlsx,
}
FOLLOWUP_FORMATS: dict[str, Callable[[FollowUpContent], bytes | str]] = {
    "html": followup_html, "pdf": followup_pdf, "xlsx": followup_xlsx,
}
