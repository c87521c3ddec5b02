"""Agreements, commissions, organisations, partnerships and cooperation agreements."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "stadsdel.agreements"
    verbose_name = _("Agreements")
