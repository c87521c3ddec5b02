"""Programmes with their goal areas and numbered goals (district plans build on these later)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District, Municipality

_month_day = RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", _("Use MM-DD."))


class Programme(models.Model):
    """A programme of goals the work is steered by: the national urban development policy (goal
    areas arbete, utbildning, trygghet, tillväxt; plans due 31 December, reports 1 December) or a
    city's own, such as Stockholm's "Program för en sammanhållen stad 2015–2020"."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=300)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("owner"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="programmes", verbose_name=_("municipality")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    published = models.CharField(_("published"), max_length=10, blank=True, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD"))
    publisher = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="published_programmes", verbose_name=_("publisher")
    )
    follow_up = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="followed_programmes",
        verbose_name=_("follow-up responsibility"),
    )
    plan_deadline = models.CharField(_("plan deadline (MM-DD)"), max_length=5, blank=True, validators=[_month_day])
    report_deadline = models.CharField(_("report deadline (MM-DD)"), max_length=5, blank=True, validators=[_month_day])
    overarching_goals = models.JSONField(_("overarching goals"), default=list, blank=True)
    exclusion_dimensions = models.JSONField(_("dimensions of exclusion"), default=list, blank=True)
    risk_index_note = models.TextField(_("about the risk index"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period_start", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class GoalArea(models.Model):
    """A målområde of a programme (e.g. arbete; or Stockholm's 'Skola och utbildning')."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goal_areas")
    key = models.SlugField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    former_name = models.CharField(_("former name"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position"]
        constraints = [models.UniqueConstraint(fields=["programme", "key"], name="goal_area_unique_key")]
        verbose_name = _("goal area")
        verbose_name_plural = _("goal areas")

    def __str__(self) -> str:
        return self.name


class Goal(models.Model):
    """A numbered goal ("2.1") in a goal area, with its responsible bodies in order (the first is
    the main responsible) and who follows it up. Goals nest: "1. Samband" groups 1.1 and 1.2, and
    the group carries the follow-up responsibility and the "målet innebär även att" commitments."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goals")
    goal_area = models.ForeignKey(GoalArea, on_delete=models.PROTECT, related_name="goals", verbose_name=_("goal area"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    follow_up = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="followed_goals",
        verbose_name=_("follow-up responsibility"),
    )
    source_notes = models.JSONField(_("source notes"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "goal_area__position", "position"]
        constraints = [models.UniqueConstraint(fields=["goal_area", "number"], name="goal_unique_number")]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"{self.number} {self.title or self.text[:60]}"


class SubCommitment(models.Model):
    """A "målet innebär även att …" commitment under a goal, with its own responsible bodies."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="sub_commitments")
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "position"]
        verbose_name = _("sub-commitment")
        verbose_name_plural = _("sub-commitments")

    def __str__(self) -> str:
        return self.text[:80]


class Responsibility(models.Model):
    """A body responsible for carrying out a goal or a sub-commitment; position 0 is the main
    responsible ("huvudansvarig är den som står nämnd först inom parentes")."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="responsibilities")
    sub_commitment = models.ForeignKey(
        SubCommitment, on_delete=models.CASCADE, null=True, blank=True, related_name="responsibilities"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="responsibilities")
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        verbose_name = _("responsible body")
        verbose_name_plural = _("responsible bodies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(goal__isnull=False, sub_commitment__isnull=True)
                | models.Q(goal__isnull=True, sub_commitment__isnull=False),
                name="responsibility_one_target",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class PriorityArea(models.Model):
    """A district committee area a programme prioritises (Stockholm: six stadsdelsnämnder chosen
    with the social risk index), with the districts named under it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="priority_areas")
    committee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="priority_areas", verbose_name=_("committee"))
    area = models.ForeignKey(District, on_delete=models.PROTECT, related_name="priority_in", verbose_name=_("committee area"))
    districts = models.ManyToManyField(District, related_name="prioritised_in", verbose_name=_("districts"))
    source_notes = models.JSONField(_("source notes"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(m2m_fields=[districts])

    class Meta:
        ordering = ["programme", "position"]
        constraints = [models.UniqueConstraint(fields=["programme", "area"], name="priority_area_unique")]
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")

    def __str__(self) -> str:
        return str(self.area.name)
