"""Follow-up reports: read through the caller's scope; the narrative written by the
municipality with each section's version (409 when stale)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.services import StaleVersionError
from stadsdel.api.core import WRITE_AUTH, Conflict, Error, caller, list_and_csv
from stadsdel.followup import services
from stadsdel.followup.models import FollowUpReport, ReportSection

router = Router(tags=["followup"])


class ReportOut(Schema):
    id: int
    municipality_code: str
    year: int
    status: str
    submitted_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    published: bool
    version: int

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.municipality.code


class SectionOut(Schema):
    key: str
    text: str
    version: int


class ReportDetail(ReportOut):
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj):
        return list(obj.sections.all())


class SectionIn(Schema):
    text: str
    version: int


def _visible(request):
    scope = scope_for(caller(request))
    qs = FollowUpReport.objects.select_related("municipality").order_by("-year", "municipality__name")
    if scope.national:
        return qs
    return qs.filter(Q(published=True) | Q(municipality_id__in=scope.municipality_ids))


def _report(request, code: str, year: int, user=None) -> FollowUpReport:
    report = (_visible(request) if user is None else _visible_for(user)).filter(
        municipality__code=code, year=year).first()
    if report is None:
        raise HttpError(404, "No such report.")
    return report


def _visible_for(user):
    scope = scope_for(user)
    qs = FollowUpReport.objects.select_related("municipality")
    return qs if scope.national else qs.filter(Q(published=True) | Q(municipality_id__in=scope.municipality_ids))


list_and_csv(router, "/reports", schema=ReportOut,
             columns=["id", "municipality_code", "year", "status", "submitted_at", "received_at", "published", "version"],
             rows=_visible, summary="Follow-up reports the caller may read")


@router.get("/reports/{code}/{year}", response={200: ReportDetail, 404: Error},
            summary="One follow-up report with its narrative")
def report_get(request, code: str, year: int):
    return _report(request, code, year)


@router.put("/reports/{code}/{year}/sections/{key}", auth=WRITE_AUTH, response={200: SectionOut, 403: Error,
            404: Error, 409: Conflict, 422: Error}, summary="Write a narrative section (send its version)")
def section_put(request, code: str, year: int, key: str, data: SectionIn):
    report = _report(request, code, year, request.auth)
    section = ReportSection.objects.filter(report=report, key=key).first()
    if section is None:
        return Status(404, {"detail": f"No section {key!r}."})
    try:
        return services.section_update(user=request.auth, section=section, version=data.version, text=data.text)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except StaleVersionError as exc:
        return Status(409, {"detail": str(exc), "current_version": exc.current_version})
    except ValidationError as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})
