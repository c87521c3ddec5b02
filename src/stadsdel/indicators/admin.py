from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stadsdel.indicators.models import (
    ExclusionRule,
    ImportBatch,
    Indicator,
    Observation,
    RefusedImport,
)


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "direction", "dimension", "source", "kolada_kpi"]
    list_filter = ["dimension", "source", "unit"]
    search_fields = ["code", "name", "name_en", "kolada_kpi"]


@admin.register(ExclusionRule)
class ExclusionRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "version", "target", "active", "created_at"]
    list_filter = ["target", "active"]

    def get_readonly_fields(self, request, obj=None):
        # A version that figures refer to is fixed; a changed rule is saved as a new version.
        if obj is not None and obj.observations.exists():
            return ["target", "name", "version", "parameters"]
        return []


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "source_name", "created_by_name", "rows_created", "rows_updated", "rule"]
    list_filter = ["kind"]
    search_fields = ["source_name", "created_by_name"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False  # imports come from files through the importers, never typed in


@admin.register(RefusedImport)
class RefusedImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "fmt", "source_name", "channel", "created_by_name", "problem_count"]
    list_filter = ["channel", "fmt"]
    search_fields = ["source_name", "created_by_name"]
    readonly_fields = [f.name for f in RefusedImport._meta.fields]

    def has_add_permission(self, request):
        return False  # written by the import when it refuses a file


@admin.register(Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "unit_key", "period", "sex", "value", "numerator", "denominator", "status", "batch"]
    list_filter = ["indicator", "level", "status", "sex", "period"]
    search_fields = ["unit_key"]
    list_select_related = ["indicator", "batch"]
    raw_id_fields = ["statistical_area", "district", "municipality", "county", "batch", "rule", "crosswalk"]
