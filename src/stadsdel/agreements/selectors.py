"""Reads of agreements, commissions, partnerships and cooperation agreements, scoped to the user.

Who reads what:
- local development agreements: everyone once approved by the government; before that, the
  ministry and the municipality concerned;
- partnerships and cooperation agreements: everyone when published; otherwise the ministry, the
  owning municipality, and the member organisations (an agency reads the partnerships it belongs
  to and the cooperation agreements it is party to).
A record outside the user's scope is "not found", so a direct URL reveals nothing.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from stadsdel.accounts.scoping import scope_for, visible_q
from stadsdel.agreements.models import (
    Agreement,
    Commission,
    CooperationAgreement,
    Organisation,
    Partnership,
    PartnershipMember,
    Signatory,
)


def _scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q).distinct()


def agreement_list(*, user) -> QuerySet[Agreement]:
    q = visible_q(scope_for(user), municipality_field="municipality",
                  public=Q(status=Agreement.Status.APPROVED))
    return _scoped(Agreement.objects.select_related("municipality").prefetch_related("districts"), q)


def agreement_get(*, user, pk: int) -> Agreement:
    return agreement_list(user=user).prefetch_related(
        "sections", Prefetch("signatories", queryset=Signatory.objects.select_related("organisation"))
    ).get(pk=pk)


def commission_list() -> QuerySet[Commission]:
    # Government commissions are public decisions.
    return Commission.objects.select_related("issuer", "coordinator").prefetch_related("recipients", "signatories")


def partnership_list(*, user) -> QuerySet[Partnership]:
    q = visible_q(scope_for(user), municipality_field="municipality",
                  organisation_fields=("members__organisation",), public=Q(published=True))
    return _scoped(Partnership.objects.select_related("municipality").prefetch_related("districts"), q)


def partnership_get(*, user, pk: int) -> Partnership:
    return partnership_list(user=user).prefetch_related(
        Prefetch("members", queryset=PartnershipMember.objects.select_related("organisation")),
        Prefetch("cooperation_agreements", queryset=cooperation_list(user=user)),
    ).get(pk=pk)


def cooperation_list(*, user) -> QuerySet[CooperationAgreement]:
    q = visible_q(scope_for(user), municipality_field="municipality",
                  organisation_fields=("partner",), public=Q(published=True))
    return _scoped(
        CooperationAgreement.objects.select_related("municipality", "partner", "partnership").prefetch_related("districts"), q
    )


def cooperation_get(*, user, pk: int) -> CooperationAgreement:
    return cooperation_list(user=user).prefetch_related(
        "commitments__party", "revisions",
        Prefetch("signatories", queryset=Signatory.objects.select_related("organisation")),
    ).get(pk=pk)


def can_edit_partnership(*, user, partnership: Partnership) -> bool:
    return scope_for(user).edits_municipality(partnership.municipality_id)


def can_edit_cooperation(*, user, cooperation: CooperationAgreement) -> bool:
    return scope_for(user).edits_municipality(cooperation.municipality_id)


def partner_choices() -> QuerySet[Organisation]:
    """Organisations that can be a party to a cooperation agreement (not ministries)."""
    return Organisation.objects.exclude(kind=Organisation.Kind.MINISTRY).order_by("name")
