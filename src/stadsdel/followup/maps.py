"""Maps of the reports: the districts' areas coloured by a district figure, where area
boundaries are loaded (`stadsdel boundaries load`)."""

from __future__ import annotations

from django.utils.translation import get_language

from stadsdel.areas.models import DistrictArea
from stadsdel.areas.selectors import boundary_features
from stadsdel.followup.content import NationalContent
from stadsdel.ui import charts


def national_map(content: NationalContent, *, indicator_index: int = 0) -> dict:
    """A choropleth of one key indicator (default: the first, employment) by district: every
    area of a district drawn in its district's colour. Empty when no area has a boundary."""
    if not content.indicators:
        return {}
    indicator = content.indicators[indicator_index]
    value_of = {r.district.pk: r.values[indicator_index] for r in content.districts}
    name_of = {r.district.pk: r.district.name for r in content.districts}
    members = list(DistrictArea.objects.filter(district_id__in=value_of).values_list(
        "district_id", "area__code", "area__code_system__code"))
    features = []
    for system in {m[2] for m in members}:
        shapes = boundary_features(code_system=system, codes=[m[1] for m in members if m[2] == system])
        for district_id, code, member_system in members:
            if member_system != system or code not in shapes:
                continue
            feature = dict(shapes[code])
            feature["properties"] = {"label": f"{name_of[district_id]} ({code})", "value": value_of[district_id]}
            features.append(feature)
    if not features:
        return {}
    spec = charts.choropleth_chart(
        features, value_title=f"{indicator.name} ({indicator.get_unit_display()})", decimals=indicator.decimals,
        description=f"{indicator.name} {content.year} per stadsdel; varje område har sin stadsdels värde.",
        no_value_label="Ingen uppgift",
    )
    return {"map_spec": spec, "chart_locale": charts.format_locale(get_language() or "sv"),
            "vega_version": charts.bundle_version()}
