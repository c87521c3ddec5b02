from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from stadsdel.areas.models import (
    AreaBoundary,
    CodeSystem,
    County,
    CountyBoundary,
    Crosswalk,
    CrosswalkLink,
    District,
    DistrictArea,
    Municipality,
    MunicipalityBoundary,
    StatisticalArea,
)
from stadsdel.sources.admin import SourceIssueInline


@admin.register(County)
class CountyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["code", "name"]


@admin.register(CodeSystem)
class CodeSystemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "valid_from", "valid_to", "municipality_specific"]


@admin.register(StatisticalArea)
class StatisticalAreaAdmin(SimpleHistoryAdmin):
    list_display = ["code", "code_system", "municipality", "name"]
    list_filter = ["code_system", "municipality"]
    search_fields = ["code", "name"]
    list_select_related = ["code_system", "municipality"]

    def get_readonly_fields(self, request, obj=None):
        # An area's code and code system are its identity: its figures are stored under them
        # (`unit_key`) and the district sums find them so. A new code is a new area, from the
        # registry's import, with a crosswalk from the old one; not an edit.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "code", "code_system"] if obj is not None else readonly


class DistrictAreaInline(admin.TabularInline):
    model = DistrictArea
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "kind", "parent", "code_system"]
    list_filter = ["kind", "municipality", "code_system"]
    search_fields = ["name", "aliases"]
    list_select_related = ["municipality", "parent", "code_system"]
    inlines = [DistrictAreaInline, SourceIssueInline]


class CrosswalkLinkInline(admin.TabularInline):
    model = CrosswalkLink
    raw_id_fields = ["from_area", "to_area"]
    extra = 0


@admin.register(Crosswalk)
class CrosswalkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "from_system", "to_system", "source_file", "loaded_at"]
    inlines = [CrosswalkLinkInline]


@admin.register(AreaBoundary)
class AreaBoundaryAdmin(admin.ModelAdmin):
    """Boundaries come from files (`stadsdel boundaries load`), so the admin shows them and may
    delete one, but never edits a geometry by hand: the file and its checksum must stay the
    truth about where a shape came from."""

    list_display = ["area", "source", "loaded_at"]
    list_filter = ["area__code_system", "source"]
    search_fields = ["area__code", "area__name"]
    list_select_related = ["area__code_system"]
    fields = ["area", "source", "file_sha256", "loaded_at", "shape", "geometry"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("shape"))
    def shape(self, obj: AreaBoundary) -> str:
        polygons = obj.geometry["coordinates"] if obj.geometry["type"] == "MultiPolygon" else [obj.geometry["coordinates"]]
        positions = sum(len(ring) for polygon in polygons for ring in polygon)
        return _("%(type)s: %(polygons)s polygons, %(positions)s positions") % {
            "type": obj.geometry["type"], "polygons": len(polygons), "positions": positions}


def _shape(geometry: dict) -> str:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    positions = sum(len(ring) for polygon in polygons for ring in polygon)
    return _("%(type)s: %(polygons)s polygons, %(positions)s positions") % {
        "type": geometry["type"], "polygons": len(polygons), "positions": positions}


@admin.register(MunicipalityBoundary)
class MunicipalityBoundaryAdmin(admin.ModelAdmin):
    """Shown, never edited by hand, as the area boundaries: the file is the truth."""

    list_display = ["municipality", "source", "loaded_at"]
    search_fields = ["municipality__code", "municipality__name"]
    list_select_related = ["municipality"]
    fields = ["municipality", "source", "file_sha256", "loaded_at", "shape"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("shape"))
    def shape(self, obj: MunicipalityBoundary) -> str:
        return _shape(obj.geometry)


@admin.register(CountyBoundary)
class CountyBoundaryAdmin(MunicipalityBoundaryAdmin):
    list_display = ["county", "source", "loaded_at"]
    search_fields = ["county__code", "county__name"]
    list_select_related = ["county"]
    fields = ["county", "source", "file_sha256", "loaded_at", "shape"]
    readonly_fields = fields
