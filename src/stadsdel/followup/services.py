"""Writes of follow-up reports: the municipality writes its narrative and submits, the ministry
receives; every save carries the version it was based on (no lost updates)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import CooperationAgreement, Organisation
from stadsdel.areas.models import Municipality
from stadsdel.core.versions import version_bump, versioned_update
from stadsdel.followup.models import (
    AgencyReport,
    FollowUpReport,
    NationalReport,
    ReportSection,
    ReportStatus,
)


def report_start(*, user, municipality: Municipality, year: int) -> FollowUpReport:
    """The municipality's report for the year, created (with its empty sections) on first use."""
    if not scope_for(user).edits_own_municipality(municipality.pk):
        raise PermissionDenied("Only the municipality writes its follow-up.")
    with transaction.atomic():
        report, _created = FollowUpReport.objects.get_or_create(municipality=municipality, year=year)
        for key, _label in ReportSection.Key.choices:
            ReportSection.objects.get_or_create(report=report, key=key)
    return report


def section_update(*, user, section: ReportSection, version: int, text: str) -> ReportSection:
    report = section.report
    if not scope_for(user).edits_own_municipality(report.municipality_id):
        raise PermissionDenied("Only the municipality writes its follow-up.")
    if report.status == ReportStatus.RECEIVED:
        raise ValidationError("The ministry has received the report; it is no longer edited.")
    return versioned_update(ReportSection, section, version=version, fields={"text": text}, allowed={"text"},
                            update_fields=True)


def _report_step(report: FollowUpReport, *, user, to: str, stamp: str) -> FollowUpReport:
    # A step of the report's way to the ministry: the new status, when and by whom
    # (`<stamp>_at`, `<stamp>_by`), as one versioned write.
    with transaction.atomic():
        version_bump(FollowUpReport, report, report.version)
        report.status = to
        setattr(report, f"{stamp}_at", timezone.now())
        setattr(report, f"{stamp}_by", user)
        report.save()
    return report


def report_submit(*, user, report: FollowUpReport) -> FollowUpReport:
    if not scope_for(user).edits_own_municipality(report.municipality_id):
        raise PermissionDenied("Only the municipality submits its follow-up.")
    if report.status != ReportStatus.DRAFT:
        raise ValidationError("The report has already been submitted.")
    return _report_step(report, user=user, to=ReportStatus.SUBMITTED, stamp="submitted")


def report_receive(*, user, report: FollowUpReport) -> FollowUpReport:
    if not scope_for(user).national:
        raise PermissionDenied("Only the ministry receives follow-up reports.")
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError("Only a submitted report can be received.")
    return _report_step(report, user=user, to=ReportStatus.RECEIVED, stamp="received")


def report_publish(*, user, report: FollowUpReport, published: bool) -> FollowUpReport:
    if not scope_for(user).edits_own_municipality(report.municipality_id):
        raise PermissionDenied("Only the municipality publishes its follow-up.")
    with transaction.atomic():
        version_bump(FollowUpReport, report, report.version)
        report.published = published
        report.save(update_fields=["published"])
    return report


REPORT_STEPS = ("submit", "receive", "publish", "unpublish")


def report_step(*, user, report: FollowUpReport, action: str) -> FollowUpReport:
    """One step of a follow-up report by name (the page's buttons and the API): submit, receive,
    publish or unpublish."""
    if action == "submit":
        return report_submit(user=user, report=report)
    if action == "receive":
        return report_receive(user=user, report=report)
    if action in ("publish", "unpublish"):
        return report_publish(user=user, report=report, published=action == "publish")
    raise ValidationError(f"Unknown step {action!r}; one of {', '.join(REPORT_STEPS)}.")


def national_publish(*, user, year: int, published: bool, introduction: str | None = None,
                     version: int | None = None) -> NationalReport:
    """Publish or withdraw the year's national report, with the ministry's introduction. The
    first write of a year creates it (no version needed); a later one sends the version it read."""
    if not scope_for(user).national:
        raise PermissionDenied("Only the ministry publishes the national report.")
    with transaction.atomic():
        report, created = NationalReport.objects.get_or_create(year=year)
        version_bump(NationalReport, report, report.version if created and not version else version)
        report.published = published
        report.published_at = timezone.now() if published else None
        if introduction is not None:
            report.introduction = introduction
        report.save()
    return report


def agency_report_start(*, user, organisation: Organisation, year: int) -> AgencyReport:
    """The agency's report for the year, created on first use (with the cooperation agreements
    the agency is party to in force that year)."""
    return _agency_report_get_or_create(user=user, organisation=organisation, year=year)[0]


def _agency_report_get_or_create(*, user, organisation: Organisation, year: int) -> tuple[AgencyReport, bool]:
    if not scope_for(user).acts_for_agency(organisation.pk):
        raise PermissionDenied("Only the agency's own officers write its report.")
    with transaction.atomic():
        report, created = AgencyReport.objects.get_or_create(organisation=organisation, year=year)
        if created:
            report.cooperation_agreements.set(CooperationAgreement.objects.filter(
                partner=organisation, period_start__year__lte=year, period_end__year__gte=year))
    return report, created


def agency_report_update(*, user, report: AgencyReport, version: int, text: str, published: bool) -> AgencyReport:
    if not scope_for(user).acts_for_agency(report.organisation_id):
        raise PermissionDenied("Only the agency's own officers write its report.")
    return versioned_update(AgencyReport, report, version=version, fields={"text": text, "published": published},
                            allowed={"text", "published"}, update_fields=True)


def agency_report_write(*, user, organisation: Organisation, year: int, version: int | None, text: str,
                        published: bool) -> AgencyReport:
    """Write the agency's report for the year, creating it on first use (the API's PUT). A new
    report needs no version; one that exists only takes a write that sends the version it was read
    at (0 or none is refused like a stale version: it would overwrite a report the caller never
    saw). Whether the report is new is decided by the insert itself, so of two first writes racing
    only one creates it and the other is refused."""
    with transaction.atomic():
        report, created = _agency_report_get_or_create(user=user, organisation=organisation, year=year)
        return agency_report_update(user=user, report=report, version=report.version if created and not version
                                    else version, text=text, published=published)


def agency_report_submit(*, user, report: AgencyReport) -> AgencyReport:
    if not scope_for(user).acts_for_agency(report.organisation_id):
        raise PermissionDenied("Only the agency's own officers submit its report.")
    if report.status != ReportStatus.DRAFT:
        raise ValidationError("The report has already been submitted.")
    with transaction.atomic():
        version_bump(AgencyReport, report, report.version)
        report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
        report.save(update_fields=["status", "submitted_at"])
    return report
