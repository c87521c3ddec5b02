"""Who acts for which organisation, in which role.

Accounts sit under the domain apps: the organisations themselves are `agreements.Organisation`
(with the municipalities they belong to), referred to here by label, and their kinds are defined
here because the rights (`accounts.scoping`) turn on them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrganisationKind(models.TextChoices):
    """What an organisation is (`agreements.Organisation.Kind`): the ministry role counts only in
    a ministry, and a coordinator acts for the whole municipality only in the municipality's own
    organisation."""

    MINISTRY = "ministry", _("ministry")
    STATE_AGENCY = "state_agency", _("state agency")
    REGION = "region", _("region")
    MUNICIPALITY = "municipality", _("municipality")
    COMMITTEE = "committee", _("committee")
    ADMINISTRATION = "administration", _("administration")
    MUNICIPAL_COMPANY = "municipal_company", _("municipal company")
    BUSINESS = "business", _("business")
    PROPERTY_OWNER = "property_owner", _("property owner")
    RESIDENTS_ORGANISATION = "residents_organisation", _("residents' organisation")
    ASSOCIATION = "association", _("association")


class Role(models.TextChoices):
    MINISTRY = "ministry", _("ministry")
    MUNICIPALITY = "municipality", _("municipality coordinator")
    AGENCY = "agency", _("agency")
    ANALYST = "analyst", _("analyst")
    COMMITTEE_MEMBER = "committee_member", _("committee member")
    # Writes and follows up its own organisation's fund applications, nothing more.
    APPLICANT = "applicant", _("applicant")


class Membership(models.Model):
    """A user's membership of an organisation in a role: a municipality's urban-development
    coordinator, an agency officer, an analyst, a committee member, an applicant for project
    funds, or ministry staff. Every non-ministry read and write is scoped by each membership:
    the right its role gives holds for its own organisation only (`accounts.scoping`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("user"))
    organisation = models.ForeignKey("agreements.Organisation", on_delete=models.CASCADE, related_name="memberships",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"
