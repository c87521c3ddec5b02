"""The start page as a Django app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StartConfig(AppConfig):
    name = "stadsdel.start"
    verbose_name = _("Start")
