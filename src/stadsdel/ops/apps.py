"""Operations as a Django app: its commands (backup, restore), pages and templates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "stadsdel.ops"
    verbose_name = _("Operations")
