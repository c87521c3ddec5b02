"""Areas: municipalities, code systems, statistical areas and districts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "stadsdel.areas"
    verbose_name = _("Areas")
