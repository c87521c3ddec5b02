"""Reads of the reports, scoped to the reader: the one place that decides who sees which
follow-up report and which agency report (the pages and the API both ask here)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from stadsdel.accounts.scoping import scope_for
from stadsdel.followup.models import AgencyReport, FollowUpReport, ReportStatus


def report_list(*, user) -> QuerySet[FollowUpReport]:
    """Follow-up reports the user may read: published ones and their own municipality's; the
    ministry reads all."""
    scope = scope_for(user)
    qs = FollowUpReport.objects.select_related("municipality")
    if scope.national:
        return qs
    return qs.filter(Q(published=True) | Q(municipality_id__in=scope.municipality_ids))


def agency_report_list(*, user) -> QuerySet[AgencyReport]:
    """Agency reports the user may read: anyone a published one; the agency's officers also its
    drafts (and its regional offices'); the ministry every submitted one."""
    scope = scope_for(user)
    visible = Q(published=True)
    if scope.agency_organisation_ids:
        visible |= Q(organisation_id__in=scope.agency_organisation_ids)
    if scope.national:
        visible |= ~Q(status=ReportStatus.DRAFT)
    return AgencyReport.objects.select_related("organisation").filter(visible)
