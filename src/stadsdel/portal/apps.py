"""The public portal: everything published, for anyone, searchable and downloadable."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "stadsdel.portal"
    verbose_name = _("Public portal")
