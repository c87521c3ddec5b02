"""The statistics pages: the indicator catalogue, an indicator's latest figures, a district's
statistics, the exclusion overview and statistics imports. Views stay thin: reads go through the
selectors, writes (imports) through the services."""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

import stadsdel
from stadsdel.accounts.scoping import scope_for
from stadsdel.areas import selectors as area_selectors
from stadsdel.core.http import get_or_404
from stadsdel.core.tabular_export import csv_writer, xlsx_append
from stadsdel.followup.precompute import current_version
from stadsdel.indicators import exclusion, page_selectors
from stadsdel.indicators import explore as explorer
from stadsdel.indicators import selectors as indicator_selectors
from stadsdel.indicators.forms import StatisticsImportForm
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.maps import district_map
from stadsdel.indicators.models import Level, Observation
from stadsdel.indicators.services.imports import (
    import_refusal_record_form,
    observations_import_upload_queue,
)
from stadsdel.indices.selectors import similar_districts
from stadsdel.plans import selectors as plan_selectors
from stadsdel.ui import charts
from stadsdel.ui.templatetags.stadsdel import in_language


def _year_param(request) -> int | None:
    # A malformed ?year= is ignored (the page shows its default year), not a server error.
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return None


def indicator_list(request):
    return render(request, "indicators/indicator_list.html", {
        "section": "statistics",
        "indicators": indicator_selectors.indicator_list(),
        "goal_areas": plan_selectors.goal_areas_by_key(),
        "can_import": scope_for(request.user).imports_statistics,
    })


def indicator_detail(request, code: str):
    try:
        indicator = indicator_selectors.indicator_get(code=code)
    except indicator_selectors.UnitNotFound:
        raise Http404 from None
    latest = page_selectors.indicator_latest_table(indicator=indicator)
    if request.GET.get("format") == "csv":
        return _latest_csv(indicator, latest)
    return render(request, "indicators/indicator_detail.html", {
        "section": "statistics",
        "indicator": indicator,
        "goal_areas": plan_selectors.goal_areas_by_key(),
        "latest": latest,
    })


def _latest_csv(indicator, latest: page_selectors.LatestTable) -> HttpResponse:
    """The latest-year table as CSV: values unrounded, a suppressed cell's value empty."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{indicator.code}_{latest.year or "none"}.csv"'
    writer = csv_writer(response)
    writer.writerow(["indicator", "level", "unit", "municipality_code", "period", "sex", "value", "numerator",
                     "denominator", "status", "mapped_through", "import"])
    for o in latest.rows:
        if o.level == Level.MUNICIPALITY:
            unit, municipality_code = o.municipality.name, o.municipality.code
        else:
            unit, municipality_code = o.district.name, o.district.municipality.code
        writer.writerow([
            indicator.code, o.level, unit, municipality_code, o.period, o.sex,
            o.value, o.numerator, o.denominator,
            o.status, o.crosswalk.name if o.crosswalk else "", o.batch_id,
        ])
    return response


def _level_labels(district) -> dict[str, str]:
    municipality = district.municipality
    return {
        Level.DISTRICT: district.name,
        Level.MUNICIPALITY: municipality.name,
        Level.COUNTY: municipality.county.name,
        Level.COUNTRY: _("Sweden"),
    }


def _district_charts(district, series_list: list[page_selectors.IndicatorSeries], labels: dict[str, str]) -> list[dict]:
    items = []
    for series in series_list:
        indicator = series.indicator
        shown = {level: labels[level] for level in series.levels}
        references = [name for level, name in shown.items() if level != Level.DISTRICT]
        description = _("%(indicator)s in %(district)s, %(first)s–%(last)s, compared with %(references)s.") % {
            "indicator": indicator.name, "district": district.name,
            "first": series.years[0].year, "last": series.years[-1].year,
            "references": ", ".join(references) or "—",
        }
        items.append({
            "series": series,
            "chart_id": f"chart-{indicator.code}",
            "spec": charts.series_chart(
                series.long_rows(shown), y_title=str(indicator.get_unit_display()), decimals=indicator.decimals,
                labels=shown, description=description,
            ),
        })
    return items


# The district's indicators over time (some thirty charts and tables, 2 600 figures at national
# scale) as HTML, per district, language and data version. The version counts up in the same
# transaction as any change of what the section shows (an import batch, an indicator, a figure
# edited, a crosswalk, the district or its areas: `followup.signals.WATCHED`), so a cached
# section is only ever served while its figures are current. The names of the references
# (municipality, county) are read on every view and are part of the key.
SERIES_CACHE_SECONDS = 24 * 3600


def _district_series_html(district, labels: dict[str, str]) -> tuple[str, bool]:
    """The section's HTML and whether it has charts."""
    # The version is read before the figures: a change committed in between leaves content at
    # least as new as the key, never older.
    # With the time of the change: a restored database counts on from an older version, and
    # the pair names one state of the data even then.
    version = current_version()
    names = json.dumps([district.name, labels], sort_keys=True, default=str)
    key = "district-series:{}:{}:{}:{}:{}:{}".format(
        stadsdel.__version__, district.pk, get_language() or "sv", version.version,
        version.changed_at.timestamp(), hashlib.sha256(names.encode()).hexdigest()[:16])
    cached = cache.get(key)
    if cached is not None:
        return cached
    series = page_selectors.district_series(district=district)
    items = _district_charts(district, series, labels)
    html = render_to_string("indicators/_district_series.html",
                            {"charts": items, "district": district, "labels": labels})
    cache.set(key, (html, bool(items)), SERIES_CACHE_SECONDS)
    return html, bool(items)


def district_statistics(request, pk: int):
    district = get_or_404(area_selectors.district_get, pk=pk)
    labels = _level_labels(district)
    series_html, has_charts = _district_series_html(district, labels)
    return render(request, "indicators/district_statistics.html", {
        **district_map(district, indicator_code=request.GET.get("map_indicator")),
        "section": "districts",
        "district": district,
        "labels": labels,
        "series_html": series_html,
        "has_charts": has_charts,
        "chart_locale": charts.format_locale(get_language() or "sv"),
        "vega_version": charts.bundle_version(),
        "profile": page_selectors.district_profile(district=district, year=_year_param(request),
                                                   labels=plan_selectors.dimension_labels()),
        "imports": indicator_selectors.imports_for_district(district=district),
        "show_authors": scope_for(request.user).sees_import_authors,
    })


def exclusion_overview(request):
    headline = exclusion.headline_counts()
    years = sorted(headline.marked)
    year = _year_param(request)
    if year not in years:
        year = years[-1] if years else None
    districts = page_selectors.districts_marked(headline=headline, year=year)
    verdicts = [row.verdict.marked if row.verdict else None for row in districts]
    return render(request, "indicators/exclusion_overview.html", {
        "section": "statistics",
        "headline": headline,
        "national": list(zip(headline.individuals_national, headline.districts_marked_national, strict=True)),
        "years": years,
        "year": year,
        "districts": districts,
        "tally": {"marked": verdicts.count(True), "not_marked": verdicts.count(False),
                  "unknown": verdicts.count(None)},
    })


def import_detail(request, pk: int):
    batch = get_or_404(page_selectors.import_get, pk=pk)
    return render(request, "indicators/import_detail.html", {
        "section": "statistics",
        "batch": batch,
        "contents": page_selectors.import_contents(batch=batch),
        "option_indicator": page_selectors.import_option_indicator(batch=batch),
        "show_authors": scope_for(request.user).sees_import_authors,
    })


@login_required
@require_http_methods(["GET", "POST"])
def statistics_import(request):
    """The import form. A file the form accepts is kept and imported by a background task (never
    in the request): the user is sent to the task's page, which shows its progress, then its
    counts or every fault in the file."""
    if not scope_for(request.user).imports_statistics:
        raise PermissionDenied
    indicators = indicator_selectors.indicator_list()
    bound = request.method == "POST"
    form = StatisticsImportForm(request.POST if bound else None, request.FILES if bound else None, indicators=indicators)
    failure = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                task_id = observations_import_upload_queue(
                    user=request.user, upload=form.cleaned_data["file"], fmt=form.cleaned_data["format"],
                    indicator=form.cleaned_data["indicator"], dry_run=form.cleaned_data["dry_run"])
            except ImportFileError as exc:
                failure, status = exc, 400
            else:
                return redirect("jobs:task_detail", task_id=task_id)
        else:
            status = 400
            if request.FILES.get("file") is not None:
                # A file the form turned away (too large, a PxWeb file without its indicator) is a
                # refused import like one the importer refuses.
                import_refusal_record_form(user=request.user, upload=request.FILES["file"],
                                           fmt=request.POST.get("format", ""), problems=form.problems(),
                                           dry_run=bool(request.POST.get("dry_run")))
    return render(request, "indicators/statistics_import.html", {
        "section": "statistics",
        "form": form,
        "failure": failure,
        "imports": indicator_selectors.import_list(limit=20),
        "show_authors": scope_for(request.user).sees_import_authors,
    }, status=status)


# -- the indicator explorer ---------------------------------------------------------------------

EXPLORE_COLUMNS = ["indicator", "indicator_name", "unit", "level", "period", "sex", "value", "numerator",
                   "denominator", "status", "import_id", "import_label"]


def _sex_labels() -> dict[str, str]:
    return {key: str(label) for key, label in Observation.Sex.choices}


def _explore_charts(result: explorer.ExploreResult) -> list[dict]:
    """One chart per indicator (each has its own unit): a line per unit (and sex, when several
    are shown) over the years, or a bar per unit in the bar chart's year."""
    sexes = _sex_labels()
    several_sexes = len(result.query.sexes) > 1
    units = ", ".join(u.label for u in result.units)

    def series(row) -> str:
        return f"{row.unit} – {sexes[row.sex]}" if several_sexes else row.unit

    items = []
    for indicator in result.indicators:
        rows = result.rows_for(indicator)
        if not rows:
            continue
        name = in_language(indicator)
        unit = str(indicator.get_unit_display())
        if result.query.view == "bar":
            year = result.bar_year
            shown = [r for r in rows if r.period == year]
            names = list(dict.fromkeys(sexes[r.sex] if several_sexes else r.unit for r in shown))
            title = f"{name}, {year}"
            description = _("%(indicator)s (%(unit)s) in %(year)s for %(units)s, one bar per unit; a unit "
                            "without a bar has no figure (see the table).") % {
                "indicator": name, "unit": unit, "year": year, "units": units}
            spec = charts.explore_bar_chart(
                [{"unit": r.unit, "series": sexes[r.sex] if several_sexes else r.unit, "value": r.value}
                 for r in shown],
                series=names, title=title, x_title=unit, decimals=indicator.decimals, description=description)
        else:
            names = list(dict.fromkeys(series(r) for r in rows))
            years = [r.period for r in rows]
            title = f"{name}, {min(years)}–{max(years)}"
            description = _("%(indicator)s (%(unit)s), %(first)s–%(last)s, one line per unit: %(units)s. A "
                            "suppressed or missing year breaks the line.") % {
                "indicator": name, "unit": unit, "first": min(years), "last": max(years), "units": units}
            spec = charts.explore_line_chart(
                [{"year": r.period, "series": series(r), "value": r.value} for r in rows],
                series=names, title=title, y_title=unit, decimals=indicator.decimals, description=description)
        items.append({"indicator": indicator, "chart_id": f"chart-{indicator.code}", "spec": spec,
                      "title": title, "description": description})
    return items


def _explore_table(result: explorer.ExploreResult, authors: bool) -> tuple[list[str], list[list]]:
    header = EXPLORE_COLUMNS + (["imported_by"] if authors else [])
    return header, [[getattr(r, c) for c in header] for r in result.rows]


def _explore_download(request, result: explorer.ExploreResult, fmt: str, chart_items: list[dict]) -> HttpResponse:
    authors = scope_for(request.user).sees_import_authors
    if fmt == "csv":
        header, rows = _explore_table(result, authors)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="stadsdel-explore.csv"'
        writer = csv_writer(response)
        writer.writerow(header)
        writer.writerows(rows)
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        header, rows = _explore_table(result, authors)
        wb = Workbook()
        ws = wb.active
        ws.title = "Stadsdel"
        xlsx_append(ws, header)
        for row in rows:
            xlsx_append(ws, row)
        ws.freeze_panes = "A2"
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="stadsdel-explore.xlsx"'
        wb.save(response)
        return response
    # svg or png: one chart, the one named by ?chart=<indicator code>, as the page draws it.
    wanted = request.GET.get("chart", "")
    item = next((i for i in chart_items if i["indicator"].code == wanted), None)
    if item is None:
        raise Http404
    spec = {**item["spec"], "width": charts.CHART_WIDTH}  # "container" has no container offline
    locale = "en-GB" if (get_language() or "sv").startswith("en") else "sv-SE"
    if fmt == "svg":
        response = HttpResponse(charts.chart_svg(spec, locale=locale), content_type="image/svg+xml")
    else:
        response = HttpResponse(charts.chart_png(spec, locale=locale), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="stadsdel-{wanted}.{fmt}"'
    return response


def explore(request):
    """The indicator explorer: the choice is the query string (a GET form), so a view can be
    bookmarked and shared; the figures come from the one selector the API calls too."""
    query = explorer.explore_query_parse(request.GET)
    result = explorer.explore(query=query, scope=scope_for(request.user), similar=similar_districts)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _explore_download(request, result, fmt, [])
    chart_items = _explore_charts(result) if query.view != "table" or fmt in ("svg", "png") else []
    if fmt in ("svg", "png"):
        return _explore_download(request, result, fmt, chart_items)
    params = request.GET.copy()
    params.pop("format", None)
    params.pop("chart", None)
    views = {}
    for view in explorer.VIEWS:
        params["view"] = view
        views[view] = params.urlencode()
    params["view"] = query.view
    return render(request, "indicators/explore.html", {
        "section": "statistics",
        "query": query,
        "result": result,
        "choices": explorer.explore_choices(),
        "charts": chart_items,
        "sex_labels": _sex_labels(),
        "view_params": views,
        "params": params.urlencode(),
        "row_cap": explorer.ROW_CAP,
        "unit_cap": explorer.UNIT_CAP,
        "show_authors": scope_for(request.user).sees_import_authors,
        "chart_locale": charts.format_locale(get_language() or "sv"),
        "vega_version": charts.bundle_version(),
    })
