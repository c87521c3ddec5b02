from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stadsdel.plans.models import (
    ActionPlan,
    Activity,
    DistrictPlan,
    Goal,
    GoalArea,
    PlanComment,
    PriorityArea,
    Programme,
    ResidentDialogue,
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
    list_display = ["number", "title", "goal_area", "programme", "plan", "follow_up"]
    list_filter = ["programme", "goal_area"]
    inlines = [ResponsibilityInline, SubCommitmentInline]
    filter_horizontal = ["scope_districts", "indicators", "commitments"]
    raw_id_fields = ["plan"]


@admin.register(SubCommitment)
class SubCommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["goal", "text"]


@admin.register(Responsibility)
class ResponsibilityAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "goal", "sub_commitment", "position"]


class PlanGoalInline(admin.TabularInline):
    model = Goal
    fk_name = "plan"
    extra = 0
    fields = ["goal_area", "number", "title", "baseline_value", "baseline_year", "target_value", "target_year"]
    show_change_link = True


@admin.register(DistrictPlan)
class DistrictPlanAdmin(SimpleHistoryAdmin):
    # The status steps (who submitted, who received) and the snapshot are the services' record,
    # never typed in.
    list_display = ["title", "district", "year", "plan_version", "status", "submitted_at", "received_at", "published"]
    list_filter = ["status", "year", "published"]
    search_fields = ["title", "district__name"]
    readonly_fields = ["status", "adopted_at", "adopted_by", "submitted_at", "submitted_by", "received_at",
                       "received_by", "submitted_snapshot", "previous", "plan_version"]
    inlines = [PlanGoalInline]


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["text", "goal", "responsible", "starts", "ends", "status"]
    list_filter = ["status"]


@admin.register(ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "area", "committee", "index_model", "index_year", "approved_on"]
    filter_horizontal = ["partners", "goals"]


@admin.register(ResidentDialogue)
class ResidentDialogueAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "held_on", "organiser", "participants", "published"]
    list_filter = ["published", "municipality"]
    search_fields = ["title", "themes", "outcome"]
    filter_horizontal = ["districts", "goals"]
    raw_id_fields = ["organiser"]


@admin.register(PlanComment)
class PlanCommentAdmin(SimpleHistoryAdmin):
    # Moderation and answers are the municipality's work on its moderation page (with scope and
    # version checks); here they are only read. The IP hash is not shown at all.
    list_display = ["plan", "created_at", "name", "status", "moderated_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["text", "name", "answer"]
    readonly_fields = ["plan", "text", "name", "created_at", "status", "moderated_at", "moderated_by", "answer",
                       "answered_at", "answered_by"]
