"""Indicator catalogue, observations, imports and microdata aggregation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "stadsdel.indicators"
    verbose_name = _("Statistics")
