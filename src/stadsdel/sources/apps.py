"""Source documents and source issues as a Django app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "stadsdel.sources"
    verbose_name = _("Sources")
