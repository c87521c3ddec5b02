"""Follow-up reports of municipalities and agencies, the national report, and their rendering."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "stadsdel.followup"
    verbose_name = _("Follow-up and reports")

    def ready(self) -> None:
        from stadsdel.followup import signals

        signals.connect()
