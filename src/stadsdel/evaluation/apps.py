"""Evaluation of interventions: difference-in-differences and synthetic control for districts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "stadsdel.evaluation"
    verbose_name = _("Evaluation")
