"""The registry of the work: organisations, local development agreements, government
commissions, local partnerships and cooperation agreements."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stadsdel.accounts.models import OrganisationKind
from stadsdel.areas.models import District, Municipality


class Organisation(models.Model):
    """A party to the work: the ministry, a state agency (or one of its regional offices), a
    region, a municipality or one of its committees and companies, a business, a property owner,
    a residents' organisation or an association. Users act on behalf of organisations."""

    Kind = OrganisationKind  # defined with the rights that turn on it

    key = models.SlugField(_("key"), max_length=100, unique=True, help_text=_("Stable identifier used by imports."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("part of")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations",
        verbose_name=_("municipality"), help_text=_("Set for a municipality and its committees and companies."),
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    """A lokalt utvecklingsavtal between the state and a municipality for a period and a set of
    districts. Offered by the government, negotiated, then approved by the municipal executive
    board (kommunstyrelsen) and by the government."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("offered")
        NEGOTIATING = "negotiating", _("negotiating")
        APPROVED_BY_MUNICIPALITY = "approved_by_municipality", _("approved by kommunstyrelsen")
        APPROVED = "approved", _("approved")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="agreements",
                                     verbose_name=_("municipality"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.OFFERED)
    districts = models.ManyToManyField(District, related_name="agreements", blank=True,
                                       verbose_name=_("districts"))
    districts_stated = models.BooleanField(
        _("districts stated in the sources"), default=True,
        help_text=_("False when the sources do not name the agreement's districts."),
    )
    approved_by_municipality_on = models.DateField(_("approved by kommunstyrelsen on"), null=True, blank=True)
    approved_by_government_on = models.DateField(_("approved by the government on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    history = HistoricalRecords(m2m_fields=[districts])

    class Meta:
        ordering = ["-period_start", "municipality__name"]
        verbose_name = _("local development agreement")
        verbose_name_plural = _("local development agreements")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "period_start"], name="agreement_unique_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="agreement_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.name} {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        start, end = self.period_start.year, self.period_end.year
        return str(start) if start == end else f"{start}–{end}"

    @property
    def is_public(self) -> bool:
        # The government's offer and the decisions on it are public documents; only the text
        # under negotiation between the parties is not.
        return self.status != self.Status.NEGOTIATING


class AgreementSection(models.Model):
    """One numbered section (1–8) of an agreement's text, as in the government's template:
    Utgångspunkter, Omfattning, Lokala partnerskap, Strategisk stadsdelsplan, ..."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="sections",
                                  verbose_name=_("local development agreement"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="section_unique_number")]
        verbose_name = _("agreement section")
        verbose_name_plural = _("agreement sections")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Commission(models.Model):
    """A regeringsuppdrag: the government commissions state agencies (e.g. the police,
    Försäkringskassan, Arbetsförmedlingen) to join local partnerships for a period, with a duty to
    report; one agency may coordinate the others' reports (Rikspolisstyrelsen, §13 SFS 2008:348)."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    issuer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="issued_commissions",
        verbose_name=_("issuer")
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_year = models.PositiveSmallIntegerField(_("decided year"), null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    recipients = models.ManyToManyField(Organisation, related_name="commissions",
                                        verbose_name=_("recipients"))
    coordinator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_commissions",
        verbose_name=_("coordinator"),
    )
    coordinator_duty = models.TextField(_("coordinator's duty"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    reporting_duty = models.TextField(_("reporting duty"), blank=True)
    text = models.TextField(_("text"), blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    history = HistoricalRecords(m2m_fields=[recipients])

    class Meta:
        ordering = ["decided_year", "key"]
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")

    def __str__(self) -> str:
        return self.title


class Partnership(models.Model):
    """A lokalt partnerskap: the municipality and its partners (agencies, region, housing
    companies, associations …) working together for one or more districts."""

    key = models.SlugField(_("key"), max_length=100, unique=True, null=True, blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="partnerships",
                                     verbose_name=_("municipality"))
    name = models.CharField(_("name"), max_length=300)
    districts = models.ManyToManyField(District, related_name="partnerships", blank=True,
                                       verbose_name=_("districts"))
    basis = models.TextField(_("basis"), blank=True, help_text=_("On what basis the partnership was formed."))
    formed_on = models.DateField(_("formed on"), null=True, blank=True)
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Published records can be read by everyone."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[districts])

    class Meta:
        ordering = ["municipality__name", "name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agreements:partnership_detail", args=[self.pk])


class PartnershipMember(models.Model):
    """An organisation's membership of a partnership: its role and since when."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead (the municipality)")
        PARTNER = "partner", _("partner")
        SUPPORTER = "supporter", _("supporter")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members",
                                    verbose_name=_("partnership"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnership_memberships",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"], name="partnership_member_unique"),
        ]
        verbose_name = _("partnership member")
        verbose_name_plural = _("partnership members")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class CooperationAgreement(models.Model):
    """A samverkansöverenskommelse between the municipality and one partner of the local
    partnership, for given districts; it builds on the strategic district plan and is revised
    when needed and reported to the Government Offices."""

    key = models.SlugField(_("key"), max_length=100, unique=True, null=True, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="cooperation_agreements",
        verbose_name=_("partnership"),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="cooperation_agreements",
        verbose_name=_("municipality")
    )
    partner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cooperation_agreements",
        verbose_name=_("partner")
    )
    districts = models.ManyToManyField(District, related_name="cooperation_agreements", blank=True,
                                       verbose_name=_("districts"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    reported_on = models.DateField(
        _("reported on"), null=True, blank=True, help_text=_("When it was reported to the Government Offices."),
    )
    published = models.BooleanField(_("published"), default=False, help_text=_("Published records can be read by everyone."))
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[districts])

    class Meta:
        ordering = ["municipality__name", "-signed_on"]
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:cooperation_detail", args=[self.pk])


class Commitment(models.Model):
    """What one party undertakes in a cooperation agreement (later linked to plan goals)."""

    cooperation_agreement = models.ForeignKey(CooperationAgreement, on_delete=models.CASCADE, related_name="commitments",
                                              verbose_name=_("cooperation agreement"))
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="commitments",
                              verbose_name=_("party"))
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["cooperation_agreement", "position"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.text[:80]


class CooperationRevision(models.Model):
    """A recorded revision of a cooperation agreement: when and what was revised."""

    cooperation_agreement = models.ForeignKey(CooperationAgreement, on_delete=models.CASCADE, related_name="revisions",
                                              verbose_name=_("cooperation agreement"))
    revised_on = models.DateField(_("revised on"))
    description = models.TextField(_("description"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["cooperation_agreement", "revised_on"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.revised_on}: {self.description[:60]}"


class Signatory(models.Model):
    """A person who signed an agreement, a commission or a cooperation agreement, with the title
    and organisation they signed for (as printed in the document)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="signatories",
                                  verbose_name=_("local development agreement"))
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, null=True, blank=True, related_name="signatories",
                                   verbose_name=_("commission"))
    cooperation_agreement = models.ForeignKey(
        CooperationAgreement, on_delete=models.CASCADE, null=True, blank=True, related_name="signatories",
        verbose_name=_("cooperation agreement"),
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     verbose_name=_("organisation"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            # Exactly one document per signature.
            models.CheckConstraint(
                condition=(
                    Q(agreement__isnull=False, commission__isnull=True, cooperation_agreement__isnull=True)
                    | Q(agreement__isnull=True, commission__isnull=False, cooperation_agreement__isnull=True)
                    | Q(agreement__isnull=True, commission__isnull=True, cooperation_agreement__isnull=False)
                ),
                name="signatory_one_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name
