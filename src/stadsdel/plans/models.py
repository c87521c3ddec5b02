"""Programmes with their goal areas and numbered goals; strategic district plans with their own
goals, activities and the acceptance and follow-up of each goal; action plans for local social
sustainability; and residents' participation: dialogues with residents and comments on draft
plans."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District, Municipality

# The national urban development programme (seed 000): its goal areas name the indicators' goal
# areas everywhere, and its text for each of the seven dimensions of exclusion labels them.
NATIONAL_PROGRAMME = "urban_2008"

_month_day = RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", _("Use MM-DD."))


class Programme(models.Model):
    """A programme of goals the work is steered by: the national urban development policy (goal
    areas arbete, utbildning, trygghet, tillväxt; plans due 31 December, reports 1 December) or a
    city's own, such as Stockholm's "Program för en sammanhållen stad 2015–2020"."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=300)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes",
                              verbose_name=_("owner"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="programmes",
        verbose_name=_("municipality")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    published = models.CharField(_("published"), max_length=10, blank=True, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD"))
    publisher = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="published_programmes",
        verbose_name=_("publisher")
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

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goal_areas",
                                  verbose_name=_("programme"))
    key = models.SlugField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    former_name = models.CharField(_("former name"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position"]
        constraints = [models.UniqueConstraint(fields=["programme", "key"], name="goal_area_unique_key")]
        verbose_name = _("goal area")
        verbose_name_plural = _("goal areas")

    def __str__(self) -> str:
        return self.name


class DistrictPlan(models.Model):
    """A strategisk stadsdelsplan (seed 003, §4): one district's local goals for a year in the
    programme's goal areas (arbete, utbildning, trygghet, tillväxt), revised every year and
    submitted to the ministry by 31 December. Status draft → adopted → submitted → received, each
    step with who and when. Revising for a new year copies the plan into the next version and
    leaves this one as it is; at submission the plan's goals are kept as a snapshot, so what the
    ministry received can always be shown and compared with the plan today."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted")
        SUBMITTED = "submitted", _("submitted")
        RECEIVED = "received", _("received")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="plans",
                                 verbose_name=_("district"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="plans",
                                  verbose_name=_("programme"))
    year = models.PositiveSmallIntegerField(_("year"))
    plan_version = models.PositiveSmallIntegerField(_("plan version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version",
        verbose_name=_("revised from"),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    period_end = models.PositiveSmallIntegerField(
        _("plan period ends"), help_text=_("The last year the plan's goals may aim for (the agreement's period)."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("adopted by"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("received by"))
    submitted_snapshot = models.JSONField(_("as submitted"), null=True, blank=True, editable=False)
    published = models.BooleanField(_("published"), default=False)
    comments_open = models.BooleanField(
        _("open for comments"), default=False,
        help_text=_("Anyone may comment on the plan, without an account; comments show once moderated."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["district__municipality__name", "district__name", "-year"]
        verbose_name = _("strategic district plan")
        verbose_name_plural = _("strategic district plans")
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="plan_unique_year"),
            models.UniqueConstraint(fields=["district", "plan_version"], name="plan_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])

    @property
    def municipality_id(self) -> int:
        return self.district.municipality_id


class Goal(models.Model):
    """A numbered goal ("2.1") in a goal area, with its responsible bodies in order (the first is
    the main responsible) and who follows it up. Goals nest: "1. Samband" groups 1.1 and 1.2, and
    the group carries the follow-up responsibility and the "målet innebär även att" commitments.

    A goal belongs to a programme (Stockholm's) or to a district plan. A plan's goal says what is
    to change, for whom (districts or a named population group), measured by which indicator from
    which baseline to which target by when, and who accepted it: what the SMART check reads."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goals",
                                  verbose_name=_("programme"))
    plan = models.ForeignKey(
        DistrictPlan, on_delete=models.CASCADE, null=True, blank=True, related_name="goals",
        verbose_name=_("plan"),
    )
    goal_area = models.ForeignKey(GoalArea, on_delete=models.PROTECT, related_name="goals",
                                  verbose_name=_("goal area"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("parent goal"))
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    follow_up = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="followed_goals",
        verbose_name=_("follow-up responsibility"),
    )
    scope_districts = models.ManyToManyField(
        District, blank=True, related_name="plan_goals", verbose_name=_("districts the goal is for"),
    )
    population_group = models.CharField(
        _("population group"), max_length=300, blank=True, help_text=_("E.g. “unga 16–24 år i Jordbro”."),
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", blank=True, related_name="goals", verbose_name=_("indicators"),
    )
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.FloatField(_("target value"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    accepted_by = models.CharField(
        _("accepted by"), max_length=300, blank=True, help_text=_("The body that decided the goal, e.g. kommunstyrelsen."),
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    commitments = models.ManyToManyField(
        "agreements.Commitment", blank=True, related_name="goals",
        verbose_name=_("cooperation-agreement commitments serving the goal"),
    )
    source_notes = models.JSONField(_("source notes"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[scope_districts, indicators])

    class Meta:
        ordering = ["programme", "goal_area__position", "position"]
        constraints = [
            # Numbers are unique within a programme's own goals, and within each plan.
            models.UniqueConstraint(fields=["goal_area", "number"], condition=models.Q(plan__isnull=True),
                                    name="goal_unique_number"),
            models.UniqueConstraint(fields=["plan", "goal_area", "number"], condition=models.Q(plan__isnull=False),
                                    name="plan_goal_unique_number"),
        ]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"{self.number} {self.title or self.text[:60]}"


class SubCommitment(models.Model):
    """A "målet innebär även att …" commitment under a goal, with its own responsible bodies."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="sub_commitments",
                             verbose_name=_("goal"))
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
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

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="responsibilities",
                             verbose_name=_("goal"))
    sub_commitment = models.ForeignKey(
        SubCommitment, on_delete=models.CASCADE, null=True, blank=True, related_name="responsibilities",
        verbose_name=_("sub-commitment"),
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="responsibilities",
                                     verbose_name=_("organisation"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
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

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="priority_areas",
                                  verbose_name=_("programme"))
    committee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="priority_areas",
                                  verbose_name=_("committee"))
    area = models.ForeignKey(District, on_delete=models.PROTECT, related_name="priority_in",
                             verbose_name=_("committee area"))
    districts = models.ManyToManyField(District, related_name="prioritised_in", verbose_name=_("districts"))
    source_notes = models.JSONField(_("source notes"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    history = HistoricalRecords(m2m_fields=[districts])

    class Meta:
        ordering = ["programme", "position"]
        constraints = [models.UniqueConstraint(fields=["programme", "area"], name="priority_area_unique")]
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")

    def __str__(self) -> str:
        return str(self.area.name)


class Activity(models.Model):
    """Something a plan does towards a goal: what, who carries it out, when."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ONGOING = "ongoing", _("ongoing")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="activities",
                             verbose_name=_("goal"))
    text = models.TextField(_("activity"))
    responsible = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="activities",
        verbose_name=_("carried out by"),
    )
    starts = models.DateField(_("starts"), null=True, blank=True)
    ends = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "position"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.text[:80]


class ActionPlan(models.Model):
    """A handlingsplan for local social sustainability (seed 004): a district committee, with the
    housing companies, analyses its area with the social risk index, sets goals for the programme
    period and the activities and projects to reach them; the district committee approves it and
    follows it up in the ordinary budget work. Fund applications serve its goals."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="action_plans",
                                  verbose_name=_("programme"))
    area = models.ForeignKey(District, on_delete=models.PROTECT, related_name="action_plans",
                             verbose_name=_("district committee area"))
    committee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="action_plans",
                                  verbose_name=_("district committee"))
    partners = models.ManyToManyField(Organisation, blank=True, related_name="action_plan_partnerships",
                                      verbose_name=_("with (e.g. housing companies)"))
    title = models.CharField(_("title"), max_length=300)
    analysis = models.TextField(_("analysis based on the social risk index"), blank=True)
    index_model = models.ForeignKey(
        "indices.IndexModel", on_delete=models.PROTECT, null=True, blank=True, related_name="action_plans",
        verbose_name=_("index model analysed"),
    )
    index_year = models.PositiveSmallIntegerField(_("index year analysed"), null=True, blank=True)
    goals = models.ManyToManyField(Goal, blank=True, related_name="action_plans", verbose_name=_("goals"))
    approved_on = models.DateField(_("approved by the district committee on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[partners, goals])

    class Meta:
        ordering = ["programme", "area__name"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.title


class ResidentDialogue(models.Model):
    """A boendedialog (seed 004) — one of the ways the municipality creates conditions for residents
    to take part in the work (seed 003, §3): a meeting, walk or survey with residents of one or more
    districts, who organised it, roughly who took part (described, never named: no personal data),
    the themes raised and what came out of it, and which goals it fed. Published dialogues are
    public; the municipality's coordinators write them."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="resident_dialogues",
                                     verbose_name=_("municipality"))
    districts = models.ManyToManyField(District, blank=True, related_name="resident_dialogues",
                                       verbose_name=_("districts"))
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("held on"))
    organiser = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="resident_dialogues", verbose_name=_("organiser"))
    organiser_text = models.CharField(
        _("organiser (as written)"), max_length=300, blank=True,
        help_text=_("E.g. an organiser that is not in the registry, or several together."),
    )
    participants = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    participants_description = models.TextField(
        _("who took part"), blank=True,
        help_text=_("Groups, not persons: e.g. “parents of pupils at the school, young people 16–20”. "
                    "Never names or other personal data."),
    )
    themes = models.TextField(_("themes"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("What came out of the dialogue."))
    goals = models.ManyToManyField("Goal", blank=True, related_name="resident_dialogues",
                                   verbose_name=_("goals the dialogue fed"))
    published = models.BooleanField(_("published"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[districts, goals])

    class Meta:
        ordering = ["municipality__name", "-held_on", "title"]
        verbose_name = _("resident dialogue")
        verbose_name_plural = _("resident dialogues")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("plans:dialogue_detail", args=[self.pk])

    @property
    def organiser_display(self) -> str:
        names = [self.organiser.name] if self.organiser_id else []
        if self.organiser_text:
            names.append(self.organiser_text)
        return ", ".join(names)


class PlanComment(models.Model):
    """A comment from anyone — no account — on a district plan the municipality has opened for
    comments (a draft published for consultation). It shows publicly only once one of the
    municipality's coordinators has approved it, together with the municipality's answer. Only a
    name the writer chooses to give is kept; the writer's IP address is never stored, only a keyed
    hash of it, to limit how many comments one client can send."""

    class Status(models.TextChoices):
        # A context of their own: Swedish inflects the adjective for "kommentar" (godkänd, not the
        # godkänt of an agreement's status).
        PENDING = "pending", pgettext_lazy("comment status", "awaiting moderation")
        APPROVED = "approved", pgettext_lazy("comment status", "approved")
        REJECTED = "rejected", pgettext_lazy("comment status", "rejected")

    plan = models.ForeignKey(DistrictPlan, on_delete=models.CASCADE, related_name="comments",
                             verbose_name=_("plan"))
    text = models.TextField(_("comment"), max_length=2000, validators=[MaxLengthValidator(2000)])
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("moderated by"))
    answer = models.TextField(_("the municipality's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    # Rate limiting only: HMAC-SHA-256 of the client's IP keyed with SECRET_KEY (see
    # plans.services.client_hash). Kept out of the history: nothing needs it after the hour.
    ip_hash = models.CharField(max_length=64, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["ip_hash"])

    class Meta:
        ordering = ["plan", "created_at"]
        verbose_name = _("comment on a plan")
        verbose_name_plural = _("comments on plans")
        indexes = [models.Index(fields=["plan", "created_at"], name="plan_comment_plan_time")]

    def __str__(self) -> str:
        return self.text[:80]
