"""Project funds: funds, application rounds, applications, the approval chain, grants and payments."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "stadsdel.funding"
    verbose_name = _("Project funds")
