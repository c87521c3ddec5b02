"""The national report's map: Sweden's municipalities in outline, those with districts under an
agreement coloured by a key indicator, their districts named on hover and in the table beside
the map. Drawn where municipality outlines are loaded (the product ships them; `stadsdel seeds
load` stores them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stadsdel.areas.selectors import municipality_outlines
from stadsdel.followup.content import NationalContent
from stadsdel.indicators.models import Level, Observation
from stadsdel.ui import charts
from stadsdel.ui.templatetags.stadsdel import in_language

# Basis of a municipality's figure on the map.
DISTRICTS = "districts"  # its districts' numerators and denominators summed
MUNICIPALITY = "municipality"  # the municipality's own figure (all of it, not only its districts)
BASES = (DISTRICTS, MUNICIPALITY)
# Two decimals of a degree (about a kilometre) are more than a map of Sweden at some 600 pixels
# can show, and make the shapes a fifth of the file's size.
NATIONAL_DECIMALS = 2


@dataclass
class MapRow:
    """One municipality with districts in the report: its figure on the map and its districts."""

    code: str
    name: str
    value: float | None
    districts: list[str] = field(default_factory=list)
    on_map: bool = True


def rolled_up(parts: list[tuple[float | None, float | None]], scale: float) -> float | None:
    """scale × Σ numerators / Σ denominators: the figure of the districts together, weighted by
    their populations, as the statistics themselves are computed. None when any part lacks its
    counts (a suppressed district would otherwise vanish from the sum) or the denominator is 0."""
    if not parts or any(n is None or d is None for n, d in parts):
        return None
    denominator = sum(d for _n, d in parts)
    if not denominator:
        return None
    return scale * sum(n for n, _d in parts) / denominator


def national_rows(content: NationalContent, *, indicator_index: int, basis: str) -> list[MapRow]:
    """The municipalities of the report's districts, by name, with the chosen figure."""
    indicator = content.indicators[indicator_index]
    by_municipality: dict[int, list] = defaultdict(list)
    for row in content.districts:
        by_municipality[row.district.municipality_id].append(row.district)
    if basis == MUNICIPALITY:
        figures = dict(Observation.objects.filter(
            indicator=indicator, level=Level.MUNICIPALITY, municipality_id__in=by_municipality,
            period=content.year, sex="T", value__isnull=False,
        ).values_list("municipality_id", "value"))
    else:
        counts = {d: (n, den) for d, n, den in Observation.objects.filter(
            indicator=indicator, level=Level.DISTRICT, district__in=[r.district for r in content.districts],
            period=content.year, sex="T",
        ).values_list("district_id", "numerator", "denominator")}
        figures = {
            m: rolled_up([counts.get(d.pk, (None, None)) for d in districts], indicator.scale)
            for m, districts in by_municipality.items()
        }
    rows = []
    for districts in by_municipality.values():
        municipality = districts[0].municipality
        rows.append(MapRow(municipality.code, municipality.name, figures.get(municipality.pk),
                           sorted(d.name for d in districts)))
    return sorted(rows, key=lambda r: r.name)


def national_map(content: NationalContent, *, indicator_index: int = 0, basis: str = DISTRICTS) -> dict:
    """The map's spec and its table (`map_rows`), or {} when no outline is loaded. Text in the
    active language (the report documents render it in Swedish)."""
    if not content.indicators or not content.districts:
        return {}
    indicator_index = min(max(indicator_index, 0), len(content.indicators) - 1)
    basis = basis if basis in BASES else DISTRICTS
    outlines = municipality_outlines(decimals=NATIONAL_DECIMALS)
    if not outlines:
        return {}
    indicator = content.indicators[indicator_index]
    rows = national_rows(content, indicator_index=indicator_index, basis=basis)
    features = []
    for row in rows:
        outline = outlines.pop(row.code, None)
        row.on_map = outline is not None
        if outline is not None:
            features.append({"type": "Feature", "geometry": outline["geometry"], "properties": {
                "label": row.name, "value": row.value, "districts": ", ".join(row.districts)}})
    if not features:
        return {}
    unit = indicator.get_unit_display()
    basis_text = (_("districts together (sum of numerators / sum of denominators)") if basis == DISTRICTS
                  else _("the municipality's own figure"))
    value_title = f"{in_language(indicator)} ({unit}) {content.year}"
    legend_title = charts.title_lines(in_language(indicator), f"{unit}, {content.year}",
                                      _("districts together") if basis == DISTRICTS else _("municipality's own figure"))
    title = charts.title_lines(f"{in_language(indicator)} {content.year}",
                               _("Municipalities with districts under an agreement"), width=48)
    described = [f"{r.name} ({', '.join(r.districts)}): "
                 + (_("no figure") if r.value is None else f"{r.value:.{indicator.decimals}f}") for r in rows]
    description = _("Map of Sweden's municipalities. The %(n)s municipalities with districts under an agreement are "
                    "coloured by %(indicator)s (%(unit)s) %(year)s, %(basis)s: %(list)s.") % {
        "n": len(rows), "indicator": in_language(indicator), "unit": unit, "year": content.year, "basis": basis_text,
        "list": "; ".join(described)}
    spec = charts.choropleth_chart(
        features, value_title=value_title, decimals=indicator.decimals, title=title, description=description,
        no_value_label=_("No figure"),
        outlines=[{"type": "Feature", "geometry": o["geometry"], "properties": {"label": o["properties"]["label"]}}
                  for o in outlines.values()],
        outline_label=_("Other municipalities"), legend_title=legend_title, width=380, height=640, geometry_decimals=None, legend_orient="bottom",
        tooltip_fields=[("districts", _("Districts"))],
    )
    return {"map_spec": spec, "map_rows": rows, "map_indicator": indicator, "map_basis": basis,
            "map_basis_text": basis_text, "map_indicator_index": indicator_index,
            "chart_locale": charts.format_locale(get_language() or "sv"), "vega_version": charts.bundle_version()}
