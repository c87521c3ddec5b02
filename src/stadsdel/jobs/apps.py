"""Background tasks: the worker (`stadsdel worker`), its heartbeat, what a running task says about
its progress, and what becomes of a task whose worker died."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "stadsdel.jobs"
    verbose_name = _("Background tasks")
