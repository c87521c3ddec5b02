"""The documents the registry was loaded from, and the faults found in them.

The tables keep the names they had when these models lived in the seed app (`seeds_…`): the move
changed where the code lives, not the stored data (migration sources/0001 is state only)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SourceDocument(models.Model):
    """A source document (e.g. the 2011 government offer with Bilaga 2) that registry data was
    taken from; every loaded record can name it."""

    key = models.CharField(_("key"), max_length=20, unique=True)
    file = models.CharField(_("file"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    issued = models.CharField(_("issued"), max_length=10, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    history = HistoricalRecords(table_name="seeds_historicalsourcedocument")

    class Meta:
        db_table = "seeds_sourcedocument"
        ordering = ["key"]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")

    def __str__(self) -> str:
        return f"{self.key} {self.title}"


class SourceIssue(models.Model):
    """A fault or a repair found in a source while loading it, attached to the record it concerns.
    An error means data could not be used as written (e.g. a 6-digit SAMS code: no codes were
    guessed); a note records a repair or a discrepancy (e.g. an OCR-damaged name)."""

    class Severity(models.TextChoices):
        ERROR = "error", _("error")
        NOTE = "note", _("note")

    source = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="issues",
                               verbose_name=_("source"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("kind of record"))
    object_id = models.PositiveBigIntegerField(verbose_name=_("record"))
    subject = GenericForeignKey("content_type", "object_id")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    code = models.CharField(
        _("code"), max_length=50, help_text=_("Machine-readable kind, e.g. sams_notation or code_system."),
    )
    fragment = models.CharField(_("fragment"), max_length=300, blank=True, help_text=_("The text in the source."))
    message = models.TextField(_("message"))
    history = HistoricalRecords(table_name="seeds_historicalsourceissue")

    class Meta:
        db_table = "seeds_sourceissue"
        ordering = ["content_type", "object_id", "severity", "code"]
        verbose_name = _("source issue")
        verbose_name_plural = _("source issues")
        indexes = [models.Index(fields=["content_type", "object_id"], name="seeds_sourc_content_e6569d_idx")]
        constraints = [
            # One record per fault: reloading the seeds must not duplicate issues.
            models.UniqueConstraint(fields=["content_type", "object_id", "code", "fragment"], name="source_issue_unique"),
        ]

    def __str__(self) -> str:
        return self.message
