"""The shared page pieces as a Django app, so its templates, template tags and static files are found."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    name = "stadsdel.ui"
    verbose_name = _("Page layout")
