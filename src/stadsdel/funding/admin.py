from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stadsdel.funding.models import (
    Application,
    Attachment,
    BudgetLine,
    ChainStep,
    Decision,
    ExpectedResult,
    FollowUp,
    Fund,
    FundArea,
    FundBudget,
    FundRound,
    Payment,
    ResultReport,
)


class FundBudgetInline(admin.TabularInline):
    model = FundBudget
    extra = 0


class ChainStepInline(admin.TabularInline):
    model = ChainStep
    extra = 0


class FundAreaInline(admin.TabularInline):
    model = FundArea
    extra = 0


@admin.register(Fund)
class FundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "owner", "municipality", "open_to_outside"]
    inlines = [FundBudgetInline, ChainStepInline, FundAreaInline]


@admin.register(FundRound)
class FundRoundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "fund", "year", "opens_on", "closes_on", "budget", "granted"]
    readonly_fields = ["granted"]  # moved only by grants, under the round's lock


@admin.register(FundArea)
class FundAreaAdmin(SimpleHistoryAdmin):
    list_display = ["committee", "steering_group", "fund"]
    filter_horizontal = ["districts"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class ExpectedResultInline(admin.StackedInline):
    model = ExpectedResult
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0


class DecisionInline(admin.TabularInline):
    # Decisions are the history of the chain: shown, never edited here.
    model = Decision
    extra = 0
    can_delete = False
    readonly_fields = ["step", "organisation", "outcome", "decided_on", "text", "amount", "decided_by", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    readonly_fields = ["paid_on", "amount", "note", "registered_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "applicant", "area", "status", "current_step", "granted_amount"]
    list_filter = ["status", "round__fund"]
    search_fields = ["title"]
    # Status, step and money change only through the services (the chain and the budget lock).
    readonly_fields = ["status", "current_step", "proposed_amount", "granted_amount", "granted_at", "submitted_at"]
    inlines = [BudgetLineInline, ExpectedResultInline, AttachmentInline, DecisionInline, PaymentInline]


class ResultReportInline(admin.TabularInline):
    model = ResultReport
    extra = 0


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["application", "due_on", "submitted_at"]
    inlines = [ResultReportInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["application", "step", "organisation", "outcome", "decided_on"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
