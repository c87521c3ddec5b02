from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stadsdel.plans.models import (
    Goal,
    GoalArea,
    PriorityArea,
    Programme,
    Responsibility,
    SubCommitment,
)


class GoalAreaInline(admin.TabularInline):
    model = GoalArea
    extra = 0


class PriorityAreaInline(admin.TabularInline):
    model = PriorityArea
    extra = 0
    filter_horizontal = ["districts"]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "owner", "period_start", "period_end"]
    inlines = [GoalAreaInline, PriorityAreaInline]


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    fk_name = "goal"


class SubCommitmentInline(admin.StackedInline):
    model = SubCommitment
    extra = 0


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "goal_area", "programme", "follow_up"]
    list_filter = ["programme", "goal_area"]
    inlines = [ResponsibilityInline, SubCommitmentInline]


@admin.register(SubCommitment)
class SubCommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["goal", "text"]


@admin.register(Responsibility)
class ResponsibilityAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "goal", "sub_commitment", "position"]
