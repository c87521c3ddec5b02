"""The user's own reminder setting."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stadsdel.reminders.models import ReminderSetting


class ReminderSettingForm(forms.ModelForm):
    class Meta:
        model = ReminderSetting
        fields = ["deadline_reminders", "language"]
        help_texts = {
            "deadline_reminders": _("30 and 7 days before each of your deadlines, and the day after one is missed."),
        }
        widgets = {"language": forms.Select(choices=settings.LANGUAGES)}
