"""The index pages: the index per district committee area, district or area with its domain
breakdown, trend, rank interval and priority selection; and each model's definition. Every
figure is shown beside the model (name and version) it came from."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stadsdel.areas.models import Municipality
from stadsdel.areas.selectors import (
    area_labels,
    boundaries_synthetic,
    boundary_features,
    municipality_outlines,
)
from stadsdel.core.language import page_language
from stadsdel.core.tabular_export import csv_writer
from stadsdel.followup.precompute import current_version, recompute_state
from stadsdel.indicators.models import Indicator
from stadsdel.indices import selectors, sensitivity
from stadsdel.indices.page_selectors import (
    PAGE_DRAWS,
    PAGE_SEED,
    TREND_UNITS,
    index_page,
    page_of,
    rows_page,
    table_page,
)
from stadsdel.lib.geojson import geometry_bounds, label_point
from stadsdel.lib.index import IndexInputError
from stadsdel.lib.typology import DEFAULT_CUTOFFS, TYPE_NAMES, TYPE_NAMES_EN
from stadsdel.ui import charts

# One unit of a level, for "per district" in the charts' descriptions.
LEVEL_UNITS = {
    "committee_area": lambda: _("district committee area"),
    "district": lambda: _("district"),
    "area": lambda: _("statistical area"),
}
LEVEL_LABELS = {
    "committee_area": lambda: _("District committee areas"),
    "district": lambda: _("Districts"),
    "area": lambda: _("Statistical areas"),
}


def _int(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def _threshold(request) -> float:
    try:
        value = float(request.GET.get("threshold", "100").replace(",", "."))
    except ValueError:
        return 100.0
    return value if 0 <= value < 10_000 else 100.0


def _model_or_404(pk: int | None):
    try:
        return selectors.index_model_get(pk=pk)
    except selectors.IndexModelNotFound:
        if pk is not None:
            raise Http404 from None
        return None


def _models_offered(shown):
    """The active models to choose from, and the shown one when it is not active (an earlier
    version, or a copy), so the choice names the model whose figures are on the page."""
    models = list(selectors.index_model_list())
    if shown is not None and shown not in models:
        models.append(shown)
    return models


def index_overview(request):
    model = _model_or_404(_int(request, "model"))
    level = request.GET.get("level", "district")
    if level not in LEVEL_LABELS:
        level = "district"
    context = {
        "section": "index", "model": model, "models": _models_offered(model), "level": level,
        "levels": [(key, label()) for key, label in LEVEL_LABELS.items()],
    }
    if model is None:
        return render(request, "indices/index_overview.html", context)
    # Read before the figures, so a sensitivity analysis kept at it never rests on older ones.
    data_version = current_version().version
    threshold = _threshold(request)
    as_csv = request.GET.get("format") == "csv"

    def sensitivity_of(result, year):
        key = sensitivity.SensitivityKey(model_id=model.pk, level=level, year=year, threshold=threshold,
                                         draws=PAGE_DRAWS, seed=PAGE_SEED)
        # A download waits for its file anyway: it gets the intervals, never a blank column.
        return sensitivity.sensitivity_for(key, result=result, data_version=data_version, background=not as_csv)

    # The run is kept per model version and level while the data is unchanged: a national run
    # reads over a million figures.
    run = selectors.index_run_kept_get(model=model, level=level, data_version=data_version)
    if run is None and not as_csv and selectors.index_run_slow_and_stale(model=model, level=level,
                                                                         data_version=data_version):
        # A run that takes seconds (the country's areas) is being computed again by the worker
        # after the change: the page says so and shows the index once it is ready.
        state = recompute_state()
        if state is not None:
            context.update({"recomputing": state})
            response = render(request, "indices/index_overview.html", context)
            response["Cache-Control"] = "no-store"
            return response
    try:
        if run is None:
            run = selectors.index_run_keep(model=model, level=level, data_version=data_version)
        page = index_page(model=model, year=_int(request, "year"), level=level, threshold=threshold,
                          start_year=_int(request, "from"), sensitivity_of=sensitivity_of, run=run)
    except selectors.NoIndexFigures:
        context["error"] = _(
            "There are no area figures for this model's indicators yet (with numerator and denominator, in %(where)s). "
            "Import statistics or aggregate a register extract first."
        ) % {"where": model.reference_municipality.name if model.reference_municipality else _("any municipality")}
        return render(request, "indices/index_overview.html", context)
    except IndexInputError as exc:
        context["error"] = _("The index cannot be computed: %(reason)s") % {"reason": exc}
        return render(request, "indices/index_overview.html", context)
    if as_csv:
        return _csv(page)
    query = request.GET.get("q", "")[:100]
    table = table_page(page, number=_int(request, "page"), query=query)
    # The page's own filters, for the table's pager and search (page and search left out).
    filters = {"model": model.pk, "level": level, "year": page.year, "threshold": f"{page.threshold:g}"}
    if page.start_year:
        filters["from"] = page.start_year
    context.update({
        "page": page, "table": table, "filters": filters.items(), "filter_query": urlencode(filters),
        "pager_query": urlencode({**filters, **({"q": table.query} if table.query else {})}),
        "selected_shown": [page.label(unit) for unit in page.selected[:SUMMARY_UNITS]],
        "selected_more": max(0, len(page.selected) - SUMMARY_UNITS),
        "improved_least": [(page.label(c.unit), c.percent) for c in page.improved_least],
        "definition": _definition(model), **_charts(page, level),
    })
    return render(request, "indices/index_overview.html", context)


# Units named in the summary above the table; the table, its search and the CSV name the rest.
SUMMARY_UNITS = 30


def _csv(page) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"index_{page.run.level}_{page.year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    csv_writer(response).writerows(page.csv_rows())
    return response


def _charts(page, level: str) -> dict:
    model_name = str(page.model)
    level_name = LEVEL_LABELS[level]().lower()
    unit_name = LEVEL_UNITS[level]()
    chart_rows = page.chart_rows()
    # With more units than a chart can show (the areas of a country), the charts draw the
    # highest-ranked and say so in their titles and descriptions.
    cut = {"shown": len(chart_rows), "count": number_format(page.ranked_count, 0, force_grouping=True),
           "year": page.year}
    bar_title = _("The %(shown)s highest of %(count)s in %(year)s") % cut if page.charts_cut else ""
    bar = charts.index_bar_chart(
        [{"unit": r.label, "value": r.total, "selected": r.selected} for r in chart_rows],
        threshold=page.threshold, selected_label=_("Above the threshold"), other_label=_("Other"),
        x_title=_("Index (reference = 100)"), threshold_label=f"{_('Threshold')} {page.threshold:g}", title=bar_title,
        description=_("Total index per %(level)s in %(year)s, %(model)s; the line marks %(threshold)s.") % {
            "level": unit_name, "year": page.year, "model": model_name, "threshold": f"{page.threshold:g}"}
        + (" " + _("Only the %(shown)s highest of %(count)s are drawn; the table and the CSV hold every one.") % cut
           if page.charts_cut else ""),
    )
    trend_cut = {**cut, "shown": min(TREND_UNITS, len(chart_rows))}
    trend = charts.index_trend_chart(
        page.trend_rows(), reference=page.run.reference_label, y_title=_("Index"),
        title=_("The %(shown)s highest of %(count)s in %(year)s") % trend_cut if page.charts_cut else "",
        description=_("Total index per year and %(level)s, %(model)s, with %(reference)s dashed.") % {
            "level": unit_name, "model": model_name, "reference": page.run.reference_label}
        + (" " + _("Only the %(shown)s highest of %(count)s in %(year)s are drawn; the CSV holds every one.")
           % trend_cut if page.charts_cut else ""),
    )
    out = {
        "bar_spec": bar, "trend_spec": trend,
        "chart_locale": charts.format_locale(get_language() or "sv"), "vega_version": charts.bundle_version(),
    }
    out.update(_map(page, level_name=level_name, unit_name=unit_name, model_name=model_name))
    if page.sensitivity is not None:
        out["interval_spec"] = charts.rank_interval_chart(
            [{"unit": r.label, "rank": r.rank, "median": r.median_rank, "low": r.rank_p05, "high": r.rank_p95}
             for r in chart_rows],
            x_title=_("Rank (1 = highest risk)"), title=bar_title,
            description=_("Median rank and 5–95 %% interval over %(draws)s draws of weights and normalisations, "
                          "%(year)s.") % {"draws": page.sensitivity.draws, "year": page.year}
            + (" " + _("Only the %(shown)s highest of %(count)s are drawn; the table and the CSV hold every one.")
               % cut if page.charts_cut else ""),
        )
    return out


MAP_LABELS_MAX = 12
MAP_UNDRAWN_NAMED = 30


def _map(page, *, level_name: str, unit_name: str, model_name: str) -> dict:
    """A choropleth of the year's total index when the run's areas have boundaries: each area
    coloured by the index of the unit it belongs to (its own, for the area level), so a
    district shows as its areas in one colour, inside the real outline of its municipality and
    with the units' names on the map. Units none of whose areas has a boundary are named beside
    the map, not left out silently; synthetic boundaries are said to be so on the map."""
    members = page.run.members
    shapes = boundary_features(code_system=page.run.code_system,
                               codes={code for codes in members.values() for code in codes})
    if not shapes:
        return {}
    features, undrawn, sources, labels = [], [], set(), []
    for row in page.rows:
        drawn = [shapes[code] for code in members.get(row.unit, ()) if code in shapes]
        if not drawn:
            undrawn.append(row.label)
            continue
        for shape in drawn:
            sources.add(shape["properties"]["source"])
            features.append({"type": "Feature", "geometry": shape["geometry"],
                             "properties": {"label": row.label, "code": shape["properties"]["code"], "value": row.total}})
        lon, lat = label_point(s["geometry"] for s in drawn)
        labels.append({"lon": lon, "lat": lat, "text": row.label})
    # Names on the map while they can be read; the table and the tooltips name every unit.
    if len(labels) > MAP_LABELS_MAX:
        labels = []
    elif page.run.level == "area" and labels:
        # An area's name or code alone: the outline names the municipality, and a label twice as
        # long would cover its neighbours.
        short = area_labels(code_system=page.run.code_system, codes=[row.unit for row in page.rows],
                            municipality=False)
        units = {row.label: row.unit for row in page.rows}
        labels = [{**label, "text": short.get(units[label["text"]], label["text"])} for label in labels]
    municipality_codes = {f["properties"]["code"][:4] for f in features}
    outlines = list(municipality_outlines(codes=municipality_codes).values())
    west, south, east, north = geometry_bounds(f["geometry"] for f in features)
    margin_x, margin_y = (east - west) * 0.15, (north - south) * 0.15
    synthetic = boundaries_synthetic(sources)
    description = _("Map of the total index per %(level)s in %(year)s, %(model)s; areas without a figure are grey.") % {
        "level": unit_name, "year": page.year, "model": model_name}
    if synthetic:
        description += " " + _("The area boundaries are synthetic (demo data), not real geography.")
    spec = charts.choropleth_chart(
        features, value_title=_("Index (reference = 100)"), legend_title=[_("Index (reference = 100)"), str(page.year)],
        no_value_label=_("no figure"), reference=100.0,
        title=_("Total index %(year)s, %(level)s") % {"level": level_name, "year": page.year},
        description=description, outlines=outlines,
        outline_label=", ".join(o["properties"]["label"] for o in outlines) if len(outlines) <= 2 else _("Municipalities"),
        labels=labels, caption=_("Synthetic area boundaries (demo), not real geography") if synthetic else "",
        fit_bounds=(west - margin_x, south - margin_y, east + margin_x, north + margin_y), legend_orient="bottom",
    )
    # Named while a reader can take them in (a national run's areas without boundaries are
    # thousands); counted beyond.
    return {"map_spec": spec, "map_sources": [] if synthetic else sorted(sources), "map_synthetic": synthetic,
            "map_undrawn": undrawn[:MAP_UNDRAWN_NAMED], "map_undrawn_more": max(0, len(undrawn) - MAP_UNDRAWN_NAMED)}


def _definition(model):
    """The model's domains and indicators with their catalogue records, for the panel beside
    every figure."""
    spec = model.spec()
    catalogue = {i.code: i for i in Indicator.objects.filter(code__in=spec.codes)}
    domain_total = sum(d.weight for d in spec.domains)
    language = page_language()
    return [
        {
            "name": d.label(language), "weight": d.weight, "share": d.weight / domain_total,
            "indicators": [
                {"code": i.code, "indicator": catalogue.get(i.code), "weight": i.weight,
                 "share": i.weight / sum(x.weight for x in d.indicators), "orientation": i.orientation}
                for i in d.indicators
            ],
        }
        for d in spec.domains
    ]


def model_detail(request, pk: int):
    model = _model_or_404(pk)
    if request.GET.get("format") == "json":
        data = {**model.definition(), "version": model.version,
                "reference_municipality": model.reference_municipality.code if model.reference_municipality else None,
                "description": model.description, "description_en": model.description_en, "sources": model.sources}
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="index_model_{model.pk}.json"'
        return response
    return render(request, "indices/model_detail.html", {
        "section": "index", "model": model, "definition": _definition(model),
        "versions": selectors.index_model_versions(model=model),
        "file_json": json.dumps(model.definition(), ensure_ascii=False, indent=2),
    })


def _cutoffs(request):
    text = request.GET.get("cutoffs", "").strip()
    if not text:
        return None, ""
    try:
        return [float(x.replace(",", ".")) for x in text.split(";" if ";" in text else " ") if x], text
    except ValueError:
        return False, text


def typology(request):
    """SCB's socio-economic area types of the areas with figures, for a year and optionally one
    municipality, with the method and the cut-offs beside the table."""
    municipality = request.GET.get("municipality") or None
    cutoffs, cutoffs_text = _cutoffs(request)
    english = page_language() == "en"
    context = {
        "section": "index", "municipality": municipality, "cutoffs_text": cutoffs_text or " ".join(
            f"{c:g}" for c in DEFAULT_CUTOFFS),
        "municipalities": Municipality.objects.filter(statistical_areas__isnull=False).distinct().order_by("name"),
        "type_names": TYPE_NAMES_EN if english else TYPE_NAMES,
    }
    if cutoffs is False:
        context["error"] = _("The cut-offs must be numbers separated by spaces, e.g. 2 1 0 -1.")
        return render(request, "indices/typology.html", context)
    try:
        run = selectors.typology_run(year=_int(request, "year"), municipality=municipality, cutoffs=cutoffs)
    except selectors.NoIndexFigures:
        context["error"] = _("There are no area figures for all three variables yet. They come from a register "
                             "extract with the optional columns (low economic standard, unemployed days).")
        return render(request, "indices/typology.html", context)
    except IndexInputError as exc:
        context["error"] = _("The areas cannot be classified: %(reason)s") % {"reason": exc}
        return render(request, "indices/typology.html", context)
    rows = run.result.rows()
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="area_types_{run.year}.csv"'
        writer = csv_writer(response)
        writer.writerow(["area", "name", "code_system", "municipality", "districts", "year", "v1", "v2", "v3", "index",
                         "sds_from_mean", "type", "mean", "sd", "cutoffs"])
        for a in rows:
            writer.writerow([a.area, run.area_titles.get(a.area, ""), run.code_system, run.area_names.get(a.area, ""),
                             ";".join(run.area_districts.get(a.area, [])), run.year,
                             a.v1, a.v2, a.v3, a.index, a.sds_from_mean, a.type, run.result.mean, run.result.sd,
                             " ".join(f"{c:g}" for c in run.result.cutoffs)])
        return response
    rows.sort(key=lambda a: (a.index is None, -(a.index or 0.0), str(a.area)))
    # A page of rows at a time (the country's areas are 6 000), with a search; the CSV has all.
    names, titles, districts = run.area_names, run.area_titles, run.area_districts
    table = rows_page(rows, number=_int(request, "page"), query=request.GET.get("q", "")[:100],
                      text=lambda a: "\n".join([str(a.area), titles.get(a.area, ""), names.get(a.area) or "",
                                                 *districts.get(a.area, ())]))
    filters = {"year": run.year, **({"municipality": municipality} if municipality else {}),
               "cutoffs": " ".join(f"{c:g}" for c in run.result.cutoffs)}
    pager_query = urlencode({**filters, **({"q": table.query} if table.query else {})})
    # Each type's count links to the page of the table where its areas begin (the rows run by
    # index, so a type is one run of rows), when the table is paged and not searched.
    first_row = {}
    for position, a in enumerate(rows):
        if a.type:
            first_row.setdefault(a.type, position)
    paged = table.pages > 1 and not table.query
    counts = [(number, n, page_of(first_row[number]) if paged and number in first_row else None)
              for number, n in run.result.counts().items()]
    context.update({
        "run": run, "table": table, "counts": counts, "filters": filters.items(), "filter_query": urlencode(filters),
        "pager_query": pager_query,
        "bounds": list(zip(run.result.cutoffs, run.result.thresholds, strict=True)),
        "cutoffs_text": " ".join(f"{c:g}" for c in run.result.cutoffs),
    })
    return render(request, "indices/typology.html", context)
