from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from simple_history.admin import SimpleHistoryAdmin

from stadsdel.sources.models import SourceDocument, SourceIssue


class SourceIssueInline(GenericTabularInline):
    """Shows the recorded source faults on the record they concern (e.g. a district)."""

    model = SourceIssue
    extra = 0
    fields = ["severity", "source", "code", "fragment", "message"]
    readonly_fields = fields
    can_delete = False


@admin.register(SourceDocument)
class SourceDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["key", "title", "issued", "publisher"]


@admin.register(SourceIssue)
class SourceIssueAdmin(SimpleHistoryAdmin):
    list_display = ["severity", "subject", "source", "code", "fragment", "message"]
    list_filter = ["severity", "code", "source"]
    search_fields = ["message", "fragment"]
