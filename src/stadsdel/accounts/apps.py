"""Memberships of users in organisations, roles and the scoping of reads and writes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "stadsdel.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connects the sign-in loggers (receivers register on import).
        from stadsdel.accounts import security  # noqa: F401
