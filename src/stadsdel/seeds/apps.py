"""The seed registry: source documents, their curated data and the loader."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedsConfig(AppConfig):
    name = "stadsdel.seeds"
    verbose_name = _("Sources")
