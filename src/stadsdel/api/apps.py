"""The REST API (django-ninja): one router per app, token and session authentication."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "stadsdel.api"
    verbose_name = _("API")
