"""Composite social risk index models, their results, area typology and sensitivity analysis."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicesConfig(AppConfig):
    name = "stadsdel.indices"
    verbose_name = _("Social risk index")
