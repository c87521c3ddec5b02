"""The seed registry: the curated data of the source documents and its loader (`stadsdel seeds`).
The documents and faults it records live in `stadsdel.sources`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedsConfig(AppConfig):
    name = "stadsdel.seeds"
    verbose_name = _("Seed registry")
