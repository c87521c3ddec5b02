"""API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A secret a program sends as `Authorization: Bearer <token>` to act as a user through the
    API, with exactly that user's rights. Only a hash is stored: a leaked database does not leak
    usable tokens; the token itself is shown once, when it is created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, help_text=_("The token's first characters, to tell tokens apart."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    # Issuing and revoking are in the audit log (the ministry's); the hash stays out of it, and
    # the last use is written with update(), which history does not follow.
    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @classmethod
    def issue(cls, *, user, name: str = "") -> tuple[ApiToken, str]:
        token = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, prefix=token[:8], key_hash=token_hash(token)), token
