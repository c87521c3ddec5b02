"""Reads of agreements, commissions, partnerships and cooperation agreements, scoped to the user.

Who reads what:
- local development agreements: everyone (the government's offer and the decisions on it are
  public), except while under negotiation: then the ministry and the municipality concerned;
- partnerships and cooperation agreements: everyone when published; otherwise the ministry, the
  owning municipality, and the member organisations (an agency reads the partnerships it belongs
  to and the cooperation agreements it is party to).
A record outside the user's scope is "not found", so a direct URL reveals nothing.
Also which municipalities the pages list: those with districts or a public agreement.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

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
from stadsdel.areas.models import District, Municipality
from stadsdel.areas.selectors import district_list
from stadsdel.sources.models import SourceDocument


def _scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q).distinct()


def agreement_list(*, user) -> QuerySet[Agreement]:
    q = visible_q(scope_for(user), municipality_field="municipality",
                  public=~Q(status=Agreement.Status.NEGOTIATING))
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


# -- The municipalities the pages list -------------------------------------------------------------


def municipality_list() -> QuerySet[Municipality]:
    """The municipalities the pages list and count: those with districts or with a public local
    development agreement (one under negotiation must not reveal itself here). The registry holds
    all 290 municipalities, as statistics imports name any of them; areas.selectors.municipality_get
    reads any."""
    public_agreements = Agreement.objects.exclude(status=Agreement.Status.NEGOTIATING)
    listed = Q(pk__in=District.objects.values("municipality")) | Q(pk__in=public_agreements.values("municipality"))
    return Municipality.objects.select_related("county").filter(listed)


def municipality_list_with_counts() -> QuerySet[Municipality]:
    """Municipalities with `district_count` (districts and district committee areas)."""
    return municipality_list().annotate(district_count=Count("districts"))


# -- Reads for the web pages: narrower views of the scoped lists above ---------------------------
# Every function starts from a scoped list, so a filter can never widen what the user may read.


def agreement_list_for(*, user, year: int | None = None, municipality=None, district=None) -> QuerySet[Agreement]:
    """Agreements the user may read, optionally only those in force during `year`, of one
    municipality, or covering one district."""
    qs = agreement_list(user=user)
    if year is not None:
        qs = in_force(qs, year=year)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if district is not None:
        qs = qs.filter(districts=district)
    return qs


def agreements_in_force_by_year(*, user) -> list[tuple[int, int]]:
    """(year, number of agreements in force that year) for the agreements the user may read,
    oldest year first. An agreement counts in every year its period touches."""
    # The pk keeps rows apart: the scoped list is DISTINCT, which would fold equal periods.
    periods = agreement_list(user=user).order_by().values_list("pk", "period_start", "period_end")
    counts: dict[int, int] = {}
    for _pk, start, end in periods:
        for year in range(start.year, end.year + 1):
            counts[year] = counts.get(year, 0) + 1
    return sorted(counts.items())


def in_force(agreements: QuerySet[Agreement], *, year: int) -> QuerySet[Agreement]:
    """The agreements whose period touches `year` (none for a year no date can have: a URL's
    year 160373134068916 is simply a year without agreements, not an error)."""
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return agreements.none()
    return agreements.filter(period_start__year__lte=year, period_end__year__gte=year)


def districts_in_force(*, agreements: QuerySet[Agreement], year: int, municipality=None) -> QuerySet:
    """The district list narrowed to districts under one of `agreements` in force in `year`.
    Callers pass the agreements the reader may see, so the filter reveals no other agreement."""
    districts = in_force(agreements, year=year).order_by().values("districts")
    return district_list(municipality=municipality).filter(pk__in=districts)


def district_list_in_force(*, user, year: int, municipality=None) -> QuerySet:
    """Districts under an agreement in force in `year` that the user may read."""
    return districts_in_force(agreements=agreement_list(user=user), year=year, municipality=municipality)


def partnership_list_for(*, user, municipality=None, district=None) -> QuerySet[Partnership]:
    """Partnerships the user may read, with their members, optionally of one municipality or
    district."""
    qs = partnership_list(user=user).prefetch_related(
        Prefetch("members", queryset=PartnershipMember.objects.select_related("organisation"))
    )
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if district is not None:
        qs = qs.filter(districts=district)
    return qs


def cooperation_list_for(*, user, municipality=None, district=None) -> QuerySet[CooperationAgreement]:
    """Cooperation agreements the user may read, optionally of one municipality or district."""
    qs = cooperation_list(user=user)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if district is not None:
        qs = qs.filter(districts=district)
    return qs


def commission_get(*, pk: int) -> Commission:
    # Not built on commission_list(): its plain "signatories" prefetch cannot be refined.
    return Commission.objects.select_related("issuer", "coordinator").prefetch_related(
        "recipients", Prefetch("signatories", queryset=Signatory.objects.select_related("organisation"))
    ).get(pk=pk)


def source_documents(*, keys) -> list:
    """The source documents named by keys (e.g. an agreement's ["003"]), in the order given;
    a key without a loaded document is left out rather than failing the page."""
    by_key = SourceDocument.objects.in_bulk(list(keys), field_name="key")
    return [by_key[key] for key in keys if key in by_key]
