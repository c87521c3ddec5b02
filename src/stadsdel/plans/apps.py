"""Programmes, goal areas and goals."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "stadsdel.plans"
    verbose_name = _("Plans")
