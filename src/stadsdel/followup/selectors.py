"""Reads of the reports, scoped to the reader: the one place that decides who sees which
follow-up report and which agency report (the pages and the API both ask here).

Publication is one rule: a follow-up or national report is public when its record is published
(`published_followup_reports`, `published_national_reports`). The report list `/reports/` and
the portal both list the public reports through these two selectors, so they can never disagree.
The `search_q` helper lives here too because both the portal's search box and these selectors
use it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import Agreement
from stadsdel.agreements.selectors import districts_in_force
from stadsdel.followup.models import AgencyReport, FollowUpReport, NationalReport, ReportStatus
from stadsdel.plans.models import DistrictPlan

# The one publication rule for follow-up and national reports.
PUBLISHED = Q(published=True)


def _variants(q: str) -> set[str]:
    # SQLite's LIKE folds only ASCII, so "örebro" must also be tried as "Örebro" and "ÖREBRO".
    return {q, q.lower(), q.upper(), q.capitalize()}


def search_q(q: str, fields: tuple[str, ...]) -> Q:
    """A filter matching `q` anywhere in any of `fields`, case-insensitively (also on SQLite)."""
    match = Q()
    for field in fields:
        for variant in _variants(q):
            match |= Q(**{f"{field}__icontains": variant})
    return match


def published_followup_reports(*, q: str = "") -> QuerySet[FollowUpReport]:
    """The follow-up reports the public may read as reports: those their municipality has
    published. `q` matches the municipality's name, or a year or municipality code."""
    qs = FollowUpReport.objects.filter(PUBLISHED).select_related("municipality")
    if q:
        match = search_q(q, ("municipality__name",))
        if q.isdigit():
            match |= Q(year=int(q)) | Q(municipality__code=q)
        qs = qs.filter(match)
    return qs.order_by("-year", "municipality__name")


def published_national_reports(*, q: str = "") -> QuerySet[NationalReport]:
    """The national reports the ministry has published. `q` matches the introduction or a year."""
    qs = NationalReport.objects.filter(PUBLISHED)
    if q:
        match = search_q(q, ("introduction",))
        if q.isdigit():
            match |= Q(year=int(q))
        qs = qs.filter(match)
    return qs.order_by("-year")


def report_list(*, user) -> QuerySet[FollowUpReport]:
    """Follow-up reports the user may read: published ones and their own municipality's; the
    ministry reads all."""
    scope = scope_for(user)
    qs = FollowUpReport.objects.select_related("municipality")
    if scope.national:
        return qs
    return qs.filter(PUBLISHED | Q(municipality_id__in=scope.municipality_ids))


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


def reports_submitted_on(*, year: int) -> dict[int, dt.date]:
    """Municipality id → the date its follow-up for `year` was submitted, for every report past
    draft. The date alone is public (the ministry's diary), the content is not, so this needs no
    reader: the deadlines page shows done or late for every municipality."""
    rows = FollowUpReport.objects.filter(year=year, submitted_at__isnull=False).exclude(status=ReportStatus.DRAFT)
    return {municipality_id: timezone.localdate(at) for municipality_id, at in
            rows.values_list("municipality_id", "submitted_at")}


def report_gaps(*, report: FollowUpReport) -> dict[str, list[str]]:
    """What the report still lacks before it is submitted: the districts under an agreement in
    force that year without a district plan for the year, and the narrative sections left empty
    (their titles, in the page's language)."""
    districts = districts_in_force(agreements=Agreement.objects.all(), year=report.year,
                                   municipality=report.municipality)
    with_plan = DistrictPlan.objects.filter(year=report.year, district__in=districts).values("district_id")
    return {
        "districts_without_plan": list(districts.exclude(pk__in=with_plan).order_by("name")
                                       .values_list("name", flat=True)),
        "empty_sections": [str(s.get_key_display()) for s in report.sections.all() if not s.text.strip()],
    }
