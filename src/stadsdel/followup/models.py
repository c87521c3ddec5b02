"""Follow-up reports: the municipality's yearly account of its districts (seed 003 §6, due
1 December), each partner agency's report on its participation, and the ministry's national
report compiling every district under an agreement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stadsdel.agreements.models import CooperationAgreement, Organisation
from stadsdel.areas.models import Municipality
from stadsdel.jobs.models import KeptResult


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RECEIVED = "received", _("received")


class FollowUpReport(models.Model):
    """A municipality's follow-up for a year: how its districts developed in work, education,
    safety and growth (generated from the statistics, the index and the plans' goals) and the
    narrative only people can write — how the partnership's cooperation goes and what it achieved.
    Status draft → submitted (by 1 December) → received by the ministry."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="followup_reports",
                                     verbose_name=_("municipality"))
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("received by"))
    published = models.BooleanField(_("published"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "municipality__name"]
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="followup_unique_year")]

    def __str__(self) -> str:
        return f"{self.municipality.name} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("followup:report_detail", args=[self.municipality.code, self.year])


class ReportSection(models.Model):
    """A narrative section of a follow-up report, written by the municipality; every edit is kept
    in the history."""

    class Key(models.TextChoices):
        PARTNERSHIP = "partnership", _("The partnership and its cooperation")
        RESULTS = "results", _("Results of the cooperation")
        COMMENTS = "comments", _("Comments")

    report = models.ForeignKey(FollowUpReport, on_delete=models.CASCADE, related_name="sections",
                               verbose_name=_("follow-up report"))
    key = models.CharField(_("section"), max_length=30, choices=Key.choices)
    text = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "key"]
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="report_section_unique")]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_key_display()}"


class AgencyReport(models.Model):
    """A partner agency's report on its participation in the local partnerships for a year (seed
    002: each agency reports; Rikspolisstyrelsen compiles the police's), linked to the cooperation
    agreements it covers."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agency_reports",
                                     verbose_name=_("agency"))
    year = models.PositiveSmallIntegerField(_("year"))
    cooperation_agreements = models.ManyToManyField(CooperationAgreement, blank=True, related_name="agency_reports",
                                                    verbose_name=_("cooperation agreements"))
    text = models.TextField(_("report"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[cooperation_agreements])

    class Meta:
        ordering = ["-year", "organisation__name"]
        verbose_name = _("agency report")
        verbose_name_plural = _("agency reports")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="agency_report_unique_year")]

    def __str__(self) -> str:
        return f"{self.organisation.name} {self.year}"


class NationalReport(models.Model):
    """The ministry's account of every district under an agreement in a year. Its figures are
    generated each time from the statistics, plans and reports; what is stored is the ministry's
    own text and whether (and when) the report is published."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    introduction = models.TextField(_("introduction"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("national report")
        verbose_name_plural = _("national reports")

    def __str__(self) -> str:
        return f"{self.year}"


class DataVersion(models.Model):
    """The version of everything the reports are computed from: statistics (an import batch),
    plans and goals, reports and their sections, publications, index models. One row; every
    change of such data counts it up in the change's own transaction, so a report computed at an
    older version is never shown as current."""

    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(_("data changed"), default=timezone.now)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.version} ({self.changed_at:%Y-%m-%d %H:%M})"


class PrecomputedReport(KeptResult):
    """A report's content and charts as computed at one data version (a background task does it
    after each change), so that viewing a report costs a read, not a computation. `key` names the
    report and its version (public or internal); `payload` is the page's context, pickled and
    compressed."""

    key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("precomputed report")
        verbose_name_plural = _("precomputed reports")


class ReportFile(KeptResult):
    """A report's PDF or Excel file, built by a background task from the precomputed report
    and kept for the data version it was built from: the next download of the same report,
    language and format is served from here, until the data change. `key` is the report's
    `precompute.ReportKey` (kind, municipality, year, public or internal, language); `payload`
    is the file as it is served."""

    key = models.CharField(max_length=100)
    fmt = models.CharField(max_length=8)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "fmt"], name="report_file_once_per_format")]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")

    def __str__(self) -> str:
        return f"{self.key}.{self.fmt} @ {self.data_version}"
