"""The evaluation design as a record. The estimates are computed from the stored district figures
(see `selectors.evaluation_results`) and kept only for the design's version and the data version
they were computed at (`KeptEstimates`, see `estimates`), and every result names the imports its
figures came from, so a result can always be traced and reproduced (`stadsdel evaluate` on the
panel the page offers as CSV)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District
from stadsdel.indicators.models import Indicator
from stadsdel.jobs.models import KeptResult


class Evaluation(models.Model):
    """An evaluation (utvärdering) of an intervention: did it contribute to the goals?

    The design names the treated districts and the first year of the intervention (e.g. the local
    development agreements from 2008), the outcome indicators, the comparison pool (districts
    without an agreement, by default the ones most like the treated districts before the start),
    and the years before and after. Difference-in-differences uses every treated district; the
    synthetic control is for one of them. An analyst's or the ministry's organisation owns it;
    the public sees it once it is published."""

    class Pool(models.TextChoices):
        NEAREST = "nearest", _("the most similar districts without an agreement")
        ALL = "all", _("every district without an agreement")
        MANUAL = "manual", _("districts chosen by hand")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(
        _("the intervention"), blank=True,
        help_text=_("What was done, where and from when: what the evaluation asks about."),
    )
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="evaluations",
                              verbose_name=_("owner"))
    treated_districts = models.ManyToManyField(District, related_name="evaluations_treated",
                                               verbose_name=_("treated districts"))
    start_year = models.PositiveSmallIntegerField(_("first year of the intervention"))
    outcomes = models.ManyToManyField(Indicator, related_name="evaluations",
                                      verbose_name=_("outcome indicators"))
    pool = models.CharField(_("comparison pool"), max_length=20, choices=Pool.choices, default=Pool.NEAREST)
    pool_size = models.PositiveSmallIntegerField(
        _("number of comparison districts"), default=10,
        help_text=_("With the most similar districts: how many to take."),
    )
    comparison_districts = models.ManyToManyField(
        District, related_name="evaluations_compared", blank=True, verbose_name=_("comparison districts"),
        help_text=_("With districts chosen by hand: which."),
    )
    synth_district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations_synth",
        verbose_name=_("district for the synthetic control"),
        help_text=_("One of the treated districts; the synthetic control is built for one district at a time."),
    )
    first_year = models.PositiveSmallIntegerField(_("first year before"), null=True, blank=True,
                                                  help_text=_("Empty: the earliest year with figures."))
    last_year = models.PositiveSmallIntegerField(_("last year after"), null=True, blank=True,
                                                 help_text=_("Empty: the latest year with figures."))
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[treated_districts, outcomes, comparison_districts])

    class Meta:
        ordering = ["-start_year", "title"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_year__isnull=True) | Q(first_year__lt=models.F("start_year")),
                name="evaluation_first_year_before_start",
            ),
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=models.F("start_year")),
                name="evaluation_last_year_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:evaluation_detail", args=[self.pk])


class KeptEstimates(KeptResult):
    """An evaluation's estimates (every outcome's difference-in-differences and synthetic
    control, with their placebo runs), kept so its page need not fit them again: for the
    evaluation's edit version and the data version they were computed at. Estimates at an older
    version of either are never shown; the next computation replaces them. `payload` is the
    pickled list of `selectors.OutcomeResult`."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="+")
    evaluation_version = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("kept estimates")
        verbose_name_plural = _("kept estimates")

    def __str__(self) -> str:
        return f"{self.evaluation_id} v{self.evaluation_version} @ {self.data_version}"
