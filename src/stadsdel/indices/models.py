"""Index models as data: which indicators make up a social risk index, grouped in weighted
domains, against which reference and base year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stadsdel.areas.models import Municipality
from stadsdel.jobs.models import KeptResult
from stadsdel.lib.index import ModelSpec, model_parse


class IndexModel(models.Model):
    """One version of a composite index model, e.g. "Västra Götalandsmodellen (Stockholm 2014)"
    v1: its domains (huvudområden) with weights, each domain's indicators with weights and
    orientation (risk, or protective for shares, which enter as their complement), the reference
    population (a municipality = 100, or every area with data) and an optional base year that
    fixes the reference so change over time shows.

    A version is never changed once saved: a changed model is a new version, so every figure
    can name the exact model it came from. `domains` holds the `domains` list of the model file
    format (`stadsdel index compute --model-file`)."""

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    base_year = models.PositiveSmallIntegerField(
        _("base year"), null=True, blank=True,
        help_text=_("When set, every year is compared with the reference in this year (absolute change shows)."),
    )
    domains = models.JSONField(_("domains"))
    reference_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="index_models",
        verbose_name=_("reference municipality"),
        help_text=_("The population whose rate is 100. Empty: every area with data."),
    )
    description = models.TextField(_("description"), blank=True)
    # Shown on English pages when set; the Swedish description is the one of record.
    description_en = models.TextField(_("description in English"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("The version used by default."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("index model")
        verbose_name_plural = _("index models")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="index_model_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("indices:model_detail", args=[self.pk])

    def definition(self) -> dict:
        """The model in the file format of `--model-file`."""
        return {"name": self.name, "base_year": self.base_year, "domains": self.domains}

    def spec(self) -> ModelSpec:
        return model_parse(self.definition(), source=str(self))


class SensitivityResult(KeptResult):
    """An index page's sensitivity analysis (Monte Carlo over weights and normalisations), kept
    so the page need not draw again: per model version, level, year, threshold, number of draws
    and seed (`key`), at the data version it was computed from. A row at an older data version
    is never shown; the next computation for the key replaces it. `payload` is the pickled
    `lib.index.Sensitivity` without its per-draw ranks (only their quantiles are shown)."""

    model = models.ForeignKey(IndexModel, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("sensitivity analysis")
        verbose_name_plural = _("sensitivity analyses")


class IndexRunResult(KeptResult):
    """An index model's run over the stored area figures at one level (every year), kept so the
    index page need not read the figures and compute again while they are unchanged: a national
    run reads over a million figures. Per model version and level (`key`), at the data version
    it was computed from; a row at an older data version is never used and the next run for the
    key replaces it. The year, threshold and base year of a page are applied to the kept run in
    the request (a few arrays of units), so one row serves them all. `payload` is the pickled
    `selectors.IndexRun` without the per-indicator arrays (`IndexRun.slim`): the page shows the
    totals, domains and ranks, and the sensitivity analysis, which needs the rest, reads the
    figures itself."""

    model = models.ForeignKey(IndexModel, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("kept index run")
        verbose_name_plural = _("kept index runs")
