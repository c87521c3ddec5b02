"""Deadline reminders by e-mail as a Django app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "stadsdel.reminders"
    verbose_name = _("Reminders")
