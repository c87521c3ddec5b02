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
from django.urls import reverse
from django.utils import timezone

from stadsdel.accounts.scoping import descendant_ids, scope_for
from stadsdel.agreements.models import (
    Agreement,
    CooperationAgreement,
    Organisation,
    PartnershipMember,
)
from stadsdel.agreements.selectors import districts_in_force, in_force
from stadsdel.followup.models import AgencyReport, FollowUpReport, NationalReport, ReportStatus
from stadsdel.plans.deadlines import Deadline, deadline_on, deadline_status
from stadsdel.plans.models import NATIONAL_PROGRAMME, DistrictPlan, Programme

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


def _commission_years(commission) -> list[int]:
    """The years a commission covers: from its start (or the year it was decided) to its end."""
    start = (commission.period_start.year if commission.period_start else
             commission.decided_year or (commission.decided_on.year if commission.decided_on else None))
    end = commission.period_end.year if commission.period_end else start
    if start is None:
        start = end
    return list(range(start, end + 1)) if start is not None and end is not None else []


def agency_report_deadline(*, organisation: Organisation, year: int, today: dt.date) -> Deadline | None:
    """The agency's report for `year`, due by the programme's report deadline (1 December, as the
    municipalities' follow-ups), when the agency owes one that year: a government commission to
    it covers the year (seed 002: the commissioned agencies report), or it or one of its regional
    offices takes part that year where an agreement is in force (a partner of a cooperation
    agreement or a member of a partnership in such a municipality). None when it owes no report
    that year. Done is the day the report was submitted."""
    programme = Programme.objects.filter(key=NATIONAL_PROGRAMME).first()
    if programme is None or not programme.report_deadline:
        return None
    ids = descendant_ids({organisation.pk})
    municipalities = in_force(Agreement.objects.all(), year=year).values("municipality_id")
    takes_part = (
        any(year in _commission_years(c) for c in organisation.commissions.all())
        or CooperationAgreement.objects.filter(partner_id__in=ids, municipality_id__in=municipalities).exists()
        or PartnershipMember.objects.filter(organisation_id__in=ids,
                                            partnership__municipality_id__in=municipalities).exists()
    )
    if not takes_part:
        return None
    due = deadline_on(programme.report_deadline, year)
    report = (AgencyReport.objects.filter(organisation=organisation, year=year, submitted_at__isnull=False)
              .exclude(status=ReportStatus.DRAFT).first())
    done = timezone.localdate(report.submitted_at) if report is not None else None
    return Deadline("agency_report", year, due, "", f"{organisation.name} {year}", done,
                    deadline_status(due=due, done_on=done, today=today),
                    reverse("followup:agency_report", args=[organisation.key, year]),
                    ref=f"agency_report:{organisation.key}")


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
