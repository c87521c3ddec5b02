"""The one record that says the database holds the demo's synthetic data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    """A marker the demo builder (`stadsdel demo`) writes: this database holds synthetic demo
    figures, invented people and demo records, so every page says so (`demo.context`). A real
    installation never has a row here."""

    built_at = models.DateTimeField(_("built"), auto_now=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("demo dataset")
        verbose_name_plural = _("demo datasets")

    def __str__(self) -> str:
        return f"demo {self.built_at:%Y-%m-%d}"
