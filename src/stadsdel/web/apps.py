"""Base templates, pages and the public portal."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "stadsdel.web"
    verbose_name = _("Web")
