from django.contrib import admin

from stadsdel.reminders.models import ReminderSetting, SentReminder


@admin.register(ReminderSetting)
class ReminderSettingAdmin(admin.ModelAdmin):
    list_display = ["user", "deadline_reminders", "language", "updated_at"]
    list_filter = ["deadline_reminders", "language"]
    search_fields = ["user__username", "user__email"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "user", "deadline", "due", "kind", "email"]
    list_filter = ["kind"]
    search_fields = ["user__username", "email", "deadline"]
    readonly_fields = [f.name for f in SentReminder._meta.fields]

    def has_add_permission(self, request):
        return False  # written by `stadsdel reminders send`, one per mail sent
