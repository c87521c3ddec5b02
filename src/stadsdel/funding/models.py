"""Project funds (projektmedel, ytterstadsmedel; seed 004): a fund with its yearly budget and
application rounds, the district committee areas it serves, the approval chain as configuration,
applications with their budget lines, expected results and attachments, every decision along the
chain, grants, payments, and the follow-up of funded work.

Amounts are whole kronor (integers): money is never a float."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District, Municipality

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "txt", "csv", "png", "jpg", "jpeg"]


def validate_attachment_size(file) -> None:
    if file.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("An attachment may be at most 10 MB."))


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored per application under a neutral name (the original name is kept in the record), so
    # an uploaded name can neither collide with nor climb out of another application's folder.
    suffix = Path(filename).suffix.lower()[:10]
    return f"funding/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S%f}{suffix}"


class Fund(models.Model):
    """A fund of set-aside money that organisations may apply to for activities and projects, e.g.
    Stockholm's "Medel för lokalt arbete med social hållbarhet" (ytterstadsmedel): its owner (who
    runs it and registers payments), the programme it serves, a budget per year, guidance for
    applicants, and the approval chain every application passes."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=300)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="funds",
                              verbose_name=_("owner"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="funds",
        verbose_name=_("municipality"),
    )
    programme = models.ForeignKey(
        "plans.Programme", on_delete=models.PROTECT, null=True, blank=True, related_name="funds",
        verbose_name=_("programme"),
    )
    guidance = models.TextField(_("guidance for applicants"), blank=True)
    open_to_outside = models.BooleanField(
        _("open to outside organisations"), default=False,
        help_text=_("Associations, residents' organisations, housing companies and businesses may apply, "
                    "not only the municipality's own bodies."),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up due (days after the project period)"), default=90,
        help_text=_("Funded work reports its results and its plan for implementation this many days after it ends."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:fund_detail", args=[self.pk])


class FundBudget(models.Model):
    """The fund's total budget for one year, which its rounds share."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("fund"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.PositiveBigIntegerField(_("budget (kr)"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund", "year"]
        constraints = [models.UniqueConstraint(fields=["fund", "year"], name="fund_budget_unique_year")]
        verbose_name = _("yearly budget")
        verbose_name_plural = _("yearly budgets")

    def __str__(self) -> str:
        return f"{self.fund} {self.year}"

    def clean(self):
        super().clean()
        if self.fund_id and self.year is not None and self.amount is not None:
            rounds = FundRound.objects.filter(fund_id=self.fund_id, year=self.year).aggregate(
                s=Sum("budget"))["s"] or 0
            if self.amount < rounds:
                raise ValidationError({"amount": _("The year's rounds already hold %(rounds)s kr; the budget cannot "
                                                   "be less.") % {"rounds": rounds}})


class FundRound(models.Model):
    """An application round: open and close dates, guidance, and the part of the year's budget
    set aside for it. `granted` is the running total of grants made in the round; grants lock this
    row and a constraint keeps it within the budget, so no balance can go negative even when two
    decisions land at once."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("fund"))
    year = models.PositiveSmallIntegerField(_("budget year"))
    name = models.CharField(_("name"), max_length=200)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    guidance = models.TextField(_("guidance"), blank=True)
    budget = models.PositiveBigIntegerField(_("budget (kr)"))
    granted = models.BigIntegerField(_("granted (kr)"), default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund", "-opens_on"]
        verbose_name = _("application round")
        verbose_name_plural = _("application rounds")
        constraints = [
            models.CheckConstraint(condition=Q(granted__gte=0), name="fund_round_granted_not_negative"),
            models.CheckConstraint(condition=Q(granted__lte=F("budget")), name="fund_round_within_budget"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="fund_round_dates_order"),
        ]

    def __str__(self) -> str:
        return f"{self.fund}: {self.name}"

    def save(self, *args, **kwargs):
        # `granted` changes only through a grant's locked UPDATE (granted = granted + amount). A
        # round read earlier and saved later (an edit in the admin while grants are made, say)
        # must not write its stale copy back over those grants: the total is re-read here and
        # left out of the UPDATE, so the history records the true total too.
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            self.granted = FundRound.objects.filter(pk=self.pk).values_list("granted", flat=True).first() or 0
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name != "granted"]
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.pk and self.budget is not None:
            granted = FundRound.objects.filter(pk=self.pk).values_list("granted", flat=True).first() or 0
            if self.budget < granted:
                raise ValidationError({"budget": _("%(granted)s kr is already granted in the round; the budget cannot "
                                                   "be less.") % {"granted": granted}})
        if self.fund_id and self.year is not None and self.budget is not None:
            # The year's rounds share the fund's budget for the year (also when edited in the admin).
            year_budget = FundBudget.objects.filter(fund_id=self.fund_id, year=self.year).first()
            others = FundRound.objects.filter(fund_id=self.fund_id, year=self.year).exclude(pk=self.pk).aggregate(
                s=Sum("budget"))["s"] or 0
            if year_budget is None:
                raise ValidationError({"year": _("The fund has no budget for %(year)s.") % {"year": self.year}})
            if others + self.budget > year_budget.amount:
                raise ValidationError({"budget": _(
                    "The year's other rounds hold %(others)s kr of its %(total)s kr; this round can have at most "
                    "%(left)s kr.") % {"others": others, "total": year_budget.amount,
                                      "left": year_budget.amount - others}})

    @property
    def remaining(self) -> int:
        return self.budget - self.granted

    def is_open(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class FundArea(models.Model):
    """A district committee area the fund serves (Stockholm: the six prioritised stadsdelsnämnder),
    with its local steering group: the bodies the default chain's first two steps resolve to for
    an application from the area, and the districts an application there may concern."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="areas", verbose_name=_("fund"))
    committee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="fund_areas",
                                  verbose_name=_("district committee"))
    steering_group = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="steered_fund_areas",
        verbose_name=_("local steering group"),
    )
    districts = models.ManyToManyField(District, blank=True, related_name="fund_areas",
                                       verbose_name=_("districts"))
    action_plan = models.ForeignKey(
        "plans.ActionPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="fund_areas",
        verbose_name=_("local action plan"),
    )
    history = HistoricalRecords(m2m_fields=[districts])

    class Meta:
        ordering = ["fund", "committee__name"]
        constraints = [models.UniqueConstraint(fields=["fund", "committee"], name="fund_area_unique_committee")]
        verbose_name = _("fund area")
        verbose_name_plural = _("fund areas")

    def __str__(self) -> str:
        return str(self.committee)


class ChainStep(models.Model):
    """One step of a fund's approval chain, in order. The deciding body is either a named
    organisation (kommunstyrelsen) or the area's own body (its local steering group or its district
    committee), so one chain serves every area. The default chain, created with a fund: local
    steering group → district committee → kommunstyrelsen (seed 004)."""

    class Body(models.TextChoices):
        FIXED = "fixed", _("a named organisation")
        AREA_STEERING_GROUP = "area_steering_group", _("the area's local steering group")
        AREA_COMMITTEE = "area_committee", _("the area's district committee")

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="steps", verbose_name=_("fund"))
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    body = models.CharField(_("deciding body"), max_length=30, choices=Body.choices, default=Body.FIXED)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="chain_steps",
        verbose_name=_("deciding organisation"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund", "position"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            models.UniqueConstraint(fields=["fund", "position"], name="chain_step_unique_position"),
            models.CheckConstraint(condition=~Q(body="fixed") | Q(organisation__isnull=False),
                                   name="chain_step_fixed_has_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class Application(models.Model):
    """An application for project funds: who applies, for which district committee area and
    districts, serving which goals of the local action plan, what will be done, the expected
    results with indicators, the budget, the period and a contact. A draft is the applicant's
    own; once submitted it passes the fund's chain step by step (never skipping one); any step
    may return it to the applicant for completion or reject it; the last step's approval grants
    it, and the granted project is followed up."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        RETURNED = "returned", _("returned for completion")
        REJECTED = "rejected", _("rejected")
        GRANTED = "granted", _("granted")

    round = models.ForeignKey(FundRound, on_delete=models.PROTECT, related_name="applications",
                              verbose_name=_("round"))
    area = models.ForeignKey(FundArea, on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("district committee area"))
    applicant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="fund_applications",
                                  verbose_name=_("applicant organisation"))
    title = models.CharField(_("project title"), max_length=300)
    description = models.TextField(_("activity description"), blank=True)
    districts = models.ManyToManyField(District, blank=True, related_name="fund_applications",
                                       verbose_name=_("districts"))
    goals = models.ManyToManyField("plans.Goal", blank=True, related_name="fund_applications",
                                   verbose_name=_("action-plan goals served"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    current_step = models.ForeignKey(ChainStep, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="applications", verbose_name=_("at step"))
    proposed_amount = models.PositiveBigIntegerField(_("proposed amount (kr)"), null=True, blank=True)
    granted_amount = models.PositiveBigIntegerField(_("granted amount (kr)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    granted_at = models.DateTimeField(_("granted"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[districts, goals])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("fund application")
        verbose_name_plural = _("fund applications")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="application_period_order"),
            models.CheckConstraint(condition=Q(status="in_review") | Q(current_step__isnull=True),
                                   name="application_step_only_in_review"),
        ]
        indexes = [models.Index(fields=["status", "current_step"], name="application_status_step")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:application_detail", args=[self.pk])

    @property
    def fund(self) -> Fund:
        return self.round.fund

    @property
    def applied_amount(self) -> int:
        return sum(line.amount for line in self.budget_lines.all())

    @property
    def co_financing(self) -> int:
        return sum(line.co_financing for line in self.budget_lines.all())

    @property
    def paid_amount(self) -> int:
        return self.payments.aggregate(s=Sum("amount"))["s"] or 0


class BudgetLine(models.Model):
    """What an application asks for one year: the amount from the fund and any co-financing."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines",
                                    verbose_name=_("fund application"))
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.CharField(_("cost item"), max_length=300)
    amount = models.PositiveBigIntegerField(_("amount applied for (kr)"))
    co_financing = models.PositiveBigIntegerField(_("co-financing (kr)"), default=0)
    co_financier = models.CharField(_("co-financed by"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "year", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.year} {self.text}"


class ExpectedResult(models.Model):
    """A result the application promises, measured like a plan goal (indicator, baseline, target,
    target year) so the same SMART check judges it, and reported against at follow-up."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="expected_results",
                                    verbose_name=_("fund application"))
    text = models.TextField(_("expected result"))
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="fund_results", verbose_name=_("indicator"))
    measure = models.CharField(_("own measure"), max_length=300, blank=True,
                               help_text=_("E.g. “number of participants”, when no catalogue indicator fits."))
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.FloatField(_("target value"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "position", "pk"]
        verbose_name = _("expected result")
        verbose_name_plural = _("expected results")

    def __str__(self) -> str:
        return self.text[:80]


class Attachment(models.Model):
    """A file attached to an application (budget specification, letters of intent …)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"), upload_to=attachment_path,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS), validate_attachment_size],
    )
    name = models.CharField(_("name"), max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["application", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """One decision at one step of the chain: approve, reject or return for completion, with the
    date, the decision text, the deciding organisation and who recorded it. Decisions are never
    changed or deleted: together they are the application's history through the chain."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("approve")
        REJECT = "reject", _("reject")
        RETURN = "return", _("return for completion")

    # The outcome as done, for histories and messages ("approved"); the choices' labels above are
    # the decider's options ("approve").
    DONE = {
        Outcome.APPROVE: pgettext_lazy("fund decision", "approved"),
        Outcome.REJECT: pgettext_lazy("fund decision", "rejected"),
        Outcome.RETURN: pgettext_lazy("fund decision", "returned for completion"),
    }

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    step = models.ForeignKey(ChainStep, on_delete=models.PROTECT, related_name="decisions",
                             verbose_name=_("step"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="fund_decisions",
                                     verbose_name=_("decided by (organisation)"))
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    decided_on = models.DateField(_("decision date"))
    text = models.TextField(_("decision text"), blank=True)
    amount = models.PositiveBigIntegerField(_("amount (kr)"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["application", "recorded_at", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.application}: {self.step.name} {self.outcome_done()}"

    def outcome_done(self) -> str:
        """What was decided, as done: "approved", "rejected", "returned for completion"."""
        return str(self.DONE[self.outcome])


class Payment(models.Model):
    """A payment of granted money to the project; payments never exceed the granted amount."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments",
                                    verbose_name=_("fund application"))
    paid_on = models.DateField(_("paid on"))
    amount = models.PositiveBigIntegerField(_("amount (kr)"), validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=300, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("registered by"))
    registered_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return f"{self.application}: {self.amount} kr {self.paid_on}"


class FollowUp(models.Model):
    """The follow-up a granted project owes: its results against each expected result, and its
    plan for carrying the work on in ordinary operations, so funded work does not end as a
    temporary project (seed 004). Due a set time after the project period; overdue when not
    reported by then."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="follow_ups",
                                    verbose_name=_("fund application"))
    due_on = models.DateField(_("due"))
    results = models.TextField(_("results"), blank=True)
    implementation_plan = models.TextField(_("plan for implementation in ordinary operations"), blank=True)
    submitted_at = models.DateTimeField(_("reported"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.application} ({self.due_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("funding:followup_edit", args=[self.pk])

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.submitted_at is None and self.due_on < (today or timezone.localdate())


class ResultReport(models.Model):
    """The value a follow-up reports for one expected result."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="result_reports",
                                  verbose_name=_("follow-up"))
    expected_result = models.ForeignKey(ExpectedResult, on_delete=models.CASCADE, related_name="reports",
                                        verbose_name=_("expected result"))
    value = models.FloatField(_("value reached"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["follow_up", "expected_result__position"]
        constraints = [models.UniqueConstraint(fields=["follow_up", "expected_result"], name="result_report_unique")]
        verbose_name = _("reported result")
        verbose_name_plural = _("reported results")

    def __str__(self) -> str:
        return f"{self.expected_result}: {self.value}"
