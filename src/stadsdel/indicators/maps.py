"""A district's map: its statistical areas, coloured by one indicator's area figures, drawn
inside the real outline of its municipality, with the district's name on the map. Drawn where
the areas' boundaries are loaded (`stadsdel boundaries load`); the demo's are synthetic, and the
map says so on itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stadsdel.areas.models import District
from stadsdel.areas.selectors import boundaries_synthetic, boundary_features, municipality_outlines
from stadsdel.indicators.models import Indicator, Level, Observation, area_unit_key
from stadsdel.lib.geojson import geometry_bounds
from stadsdel.ui import charts
from stadsdel.ui.templatetags.stadsdel import in_language


@dataclass
class AreaRow:
    """One area of the district on its map: what the table beside the map lists."""

    code: str
    name: str
    value: float | None
    on_map: bool


def _area_name(area) -> str:
    return f"{area.name} ({area.code})" if area.name else f"{area.code_system.code} {area.code}"


def district_map(district: District, *, indicator_code: str | None = None, until: int | None = None) -> dict:
    """The spec and table of the district's map, or {} when none of its areas has a boundary.
    The indicator is `indicator_code` when its area figures exist, else the first in the
    catalogue that has any for these areas; the year is its latest (not after `until`, for a
    report of that year)."""
    areas = [m.area for m in district.memberships.all() if not m.area.code_system.municipality_specific]
    if not areas:
        return {}
    shapes: dict[str, dict] = {}
    for system in {a.code_system.code for a in areas}:
        shapes.update(boundary_features(code_system=system, codes=[a.code for a in areas if a.code_system.code == system]))
    if not shapes:
        return {}
    # One read of the areas' figures, sorted out here. By every indicator and the areas' unit
    # keys, so the unique key's index (indicator, unit key, …) finds each area's figures of each
    # indicator (the figures have no index by area; see Observation.Meta.indexes): read by
    # level or by indicator alone, SQLite walked every area figure of the country (0.8 s at
    # national scale).
    area_figures = [f for f in Observation.objects.filter(
        indicator_id__in=list(Indicator.objects.values_list("pk", flat=True)),
        unit_key__in=[area_unit_key(a.code_system.code, a.code) for a in areas],
        statistical_area__in=areas, sex="T",
    ).order_by().values_list("indicator_id", "level", "statistical_area_id", "period", "value")
                    if f[1] == Level.AREA]
    with_figures = {f[0] for f in area_figures if f[4] is not None}
    indicators = list(Indicator.objects.filter(pk__in=with_figures))
    indicator = next((i for i in indicators if i.code == indicator_code), indicators[0] if indicators else None)
    year, values = None, {}
    if indicator is not None:
        figures = [(a, p, v) for i, _level, a, p, v in area_figures if i == indicator.pk]
        years = [p for _a, p, v in figures if v is not None and (until is None or p <= until)]
        year = max(years) if years else None
        values = {a: v for a, p, v in figures if p == year}
    rows, features, sources = [], [], set()
    for area in sorted(areas, key=lambda a: a.code):
        name = _area_name(area)
        value = values.get(area.pk)
        shape = shapes.get(area.code)
        rows.append(AreaRow(area.code, name, value, shape is not None))
        if shape is not None:
            sources.add(shape["properties"]["source"])
            features.append({"type": "Feature", "geometry": shape["geometry"],
                             "properties": {"label": name, "value": value}})
    municipality = district.municipality
    outline = municipality_outlines(codes=[municipality.code]).get(municipality.code)
    west, south, east, north = geometry_bounds(f["geometry"] for f in features)
    labels = [{"lon": (west + east) / 2, "lat": north + (north - south) * 0.12, "text": district.name}]
    # The district in the middle of the map with as much of its municipality around it again on
    # every side (all of it, when the municipality is smaller): a large municipality fitted
    # whole would leave the district a few pixels.
    margin_x, margin_y = (east - west) * 0.8, (north - south) * 0.8
    fit = (west - margin_x, south - margin_y, east + margin_x, north + margin_y)
    if outline:
        m_west, m_south, m_east, m_north = geometry_bounds([outline["geometry"]])
        fit = (max(fit[0], m_west), max(fit[1], m_south), min(fit[2], m_east), min(fit[3], m_north))
        fit = (min(fit[0], west), min(fit[1], south), max(fit[2], east), max(fit[3], north))
    synthetic = boundaries_synthetic(sources)
    if indicator is not None:
        unit = indicator.get_unit_display()
        value_title = f"{in_language(indicator)} ({unit}) {year}"
        legend_title = charts.title_lines(in_language(indicator), f"{unit}, {year}", width=40)
        decimals = indicator.decimals
        title = charts.title_lines(_("%(district)s: %(indicator)s %(year)s per area") % {
            "district": district.name, "indicator": in_language(indicator), "year": year}, width=60)
    else:
        value_title, decimals = _("Figure"), 1
        legend_title = None
        title = _("%(district)s: its areas") % {"district": district.name}
    described = "; ".join(f"{r.name}: " + (_("no figure") if r.value is None else f"{r.value:.{decimals}f}")
                          for r in rows if r.on_map)
    description = _("Map of the %(n)s areas of %(district)s inside the outline of %(municipality)s, coloured by "
                    "%(what)s: %(list)s.") % {"n": len(features), "district": district.name,
                                              "municipality": municipality.name, "what": value_title, "list": described}
    if synthetic:
        description += " " + _("The area boundaries are synthetic (demo data), not real geography.")
    spec = charts.choropleth_chart(
        features, value_title=value_title, decimals=decimals, title=title, description=description,
        no_value_label=_("No figure"), outlines=[outline] if outline else [],
        outline_label=municipality.name if outline else "", labels=labels,
        caption=_("Synthetic area boundaries (demo), not real geography") if synthetic else "",
        fit_bounds=fit, legend_title=legend_title, legend_orient="bottom",
    )
    return {"map_spec": spec, "map_rows": rows, "map_indicator": indicator, "map_year": year,
            "map_indicators": indicators, "map_synthetic": synthetic, "map_has_outline": outline is not None,
            "map_sources": sorted(sources) if not synthetic else [],
            "chart_locale": charts.format_locale(get_language() or "sv"), "vega_version": charts.bundle_version()}
