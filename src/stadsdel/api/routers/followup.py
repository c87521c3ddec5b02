"""Follow-up reports, the agencies' reports and the national report: read through the caller's
scope; the narrative written by the municipality with each section's version (409 when stale),
the steps (submit, receive, publish) through the same services as the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.api.core import (
    WRITE_AUTH,
    WRITE_ERRORS,
    Error,
    Input,
    ReadVersion,
    Year,
    YearValue,
    caller,
    list_and_csv,
    municipality_by_code,
)
from stadsdel.followup import selectors, services
from stadsdel.followup.content import national_content
from stadsdel.followup.models import FollowUpReport, NationalReport, ReportSection

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


class SectionIn(Input):
    text: str
    version: ReadVersion = None


def _report(request, code: str, year: int, user=None) -> FollowUpReport:
    report = selectors.report_list(user=user or caller(request)).filter(municipality__code=code, year=year).first()
    if report is None:
        raise HttpError(404, "No such report.")
    return report


list_and_csv(router, "/reports", schema=ReportOut,
             columns=["id", "municipality_code", "year", "status", "submitted_at", "received_at", "published", "version"],
             rows=lambda request: selectors.report_list(user=caller(request)).order_by("-year", "municipality__name"),
             summary="Follow-up reports the caller may read")


@router.get("/reports/{code}/{year}", response={200: ReportDetail, 404: Error},
            summary="One follow-up report with its narrative")
def report_get(request, code: str, year: Year):
    return _report(request, code, year)


@router.put("/reports/{code}/{year}/sections/{key}", auth=WRITE_AUTH, response={200: SectionOut, **WRITE_ERRORS},
            summary="Write a narrative section (send its version)")
def section_put(request, code: str, year: Year, key: str, data: SectionIn):
    report = _report(request, code, year, request.auth)
    section = ReportSection.objects.filter(report=report, key=key).first()
    if section is None:
        return Status(404, {"detail": f"No section {key!r}."})
    return services.section_update(user=request.auth, section=section, version=data.version, text=data.text)


class ReportStart(Input):
    municipality_code: str
    year: YearValue = Field(..., ge=1900, le=2199)


class StepIn(Input):
    action: str  # submit, receive, publish, unpublish


@router.post("/reports", auth=WRITE_AUTH, response={201: ReportDetail, **WRITE_ERRORS},
             summary="Start the municipality's follow-up report for a year (with its empty sections)")
def report_post(request, data: ReportStart):
    municipality = municipality_by_code(data.municipality_code)
    report = services.report_start(user=request.auth, municipality=municipality, year=data.year)
    return Status(201, _report(request, municipality.code, report.year, request.auth))


@router.post("/reports/{code}/{year}/status", auth=WRITE_AUTH, response={200: ReportOut, **WRITE_ERRORS},
             summary="A step of the report: submit (municipality), receive (ministry), publish or unpublish")
def report_status(request, code: str, year: Year, data: StepIn):
    return services.report_step(user=request.auth, report=_report(request, code, year, request.auth),
                                action=data.action)


class AgencyReportOut(Schema):
    id: int
    organisation: str
    organisation_name: str
    year: int
    status: str
    submitted_at: dt.datetime | None = None
    published: bool
    version: int

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.key

    @staticmethod
    def resolve_organisation_name(obj):
        return obj.organisation.name


class AgencyReportDetail(AgencyReportOut):
    text: str
    cooperation_agreements: list[int]

    @staticmethod
    def resolve_cooperation_agreements(obj):
        return sorted(c.pk for c in obj.cooperation_agreements.all())


class AgencyReportIn(Input):
    text: str
    published: bool = False
    version: ReadVersion = None


list_and_csv(router, "/agency-reports", schema=AgencyReportOut,
             columns=["id", "organisation", "organisation_name", "year", "status", "submitted_at", "published",
                      "version"],
             rows=lambda request: selectors.agency_report_list(user=caller(request)).order_by(
                 "-year", "organisation__name"),
             summary="The agencies' reports the caller may read")


def _organisation(key: str) -> Organisation:
    organisation = Organisation.objects.filter(key=key).first()
    if organisation is None:
        raise HttpError(404, "No such organisation.")
    return organisation


@router.get("/agency-reports/{key}/{year}", response={200: AgencyReportDetail, 404: Error},
            summary="One agency's report for a year")
def agency_report_get(request, key: str, year: Year):
    report = selectors.agency_report_list(user=caller(request)).filter(organisation__key=key, year=year).first()
    if report is None:
        raise HttpError(404, "No such report.")
    return report


@router.put("/agency-reports/{key}/{year}", auth=WRITE_AUTH, response={200: AgencyReportDetail, **WRITE_ERRORS},
            summary="Write the agency's report (its own officers; send its version, none or 0 for a new one)")
def agency_report_put(request, key: str, year: Year, data: AgencyReportIn):
    return services.agency_report_write(user=request.auth, organisation=_organisation(key), year=year,
                                        version=data.version, text=data.text, published=data.published)


@router.post("/agency-reports/{key}/{year}/submit", auth=WRITE_AUTH,
             response={200: AgencyReportDetail, **WRITE_ERRORS}, summary="Submit the agency's report to the ministry")
def agency_report_submit(request, key: str, year: Year):
    report = selectors.agency_report_list(user=request.auth).filter(organisation__key=key, year=year).first()
    if report is None:
        raise HttpError(404, "No such report.")
    return services.agency_report_submit(user=request.auth, report=report)


class NationalDistrict(Schema):
    district_id: int
    district: str
    municipality_code: str
    marked: bool | None = None
    values: dict[str, float | None]


class NationalOut(Schema):
    year: int
    public: bool
    published: bool
    introduction: str
    indicators: list[str]
    national: dict[str, float | None]
    districts: list[NationalDistrict]
    goal_counts: dict[str, int]
    notes: list[str]
    version: int = Field(..., description="The stored report's version (0 while none is stored), for the PUT.")


class NationalIn(Input):
    published: bool
    introduction: str | None = None
    version: ReadVersion = None


class NationalSaved(Schema):
    published: bool
    introduction: str
    version: int


@router.get("/national/{year}", response={200: NationalOut, 403: Error, 404: Error},
            summary="The national report's figures: every district against the country (internal=true: the ministry's version)")
def national_get(request, year: Year, internal: bool = False):
    if internal and not scope_for(caller(request)).national:
        return Status(403, {"detail": "Only the ministry reads the internal version."})
    content = national_content(year=year, public=not internal)
    if not content.districts:
        raise HttpError(404, f"No districts with figures for {year}.")
    codes = [i.code for i in content.indicators]
    record = NationalReport.objects.filter(year=year).first()
    return {
        "year": year, "public": content.public, "published": bool(record and record.published),
        "introduction": record.introduction if record else "", "indicators": codes,
        "national": dict(zip(codes, content.national, strict=True)),
        "districts": [{"district_id": row.district.pk, "district": row.district.name,
                       "municipality_code": row.district.municipality.code, "marked": row.marked,
                       "values": dict(zip(codes, row.values, strict=True))} for row in content.districts],
        "goal_counts": content.goal_counts, "notes": content.notes, "version": record.version if record else 0,
    }


@router.put("/national/{year}", auth=WRITE_AUTH, response={200: NationalSaved, **WRITE_ERRORS},
            summary="Publish or withdraw the national report, with its introduction (the ministry; send its "
                    "version once it exists)")
def national_put(request, year: Year, data: NationalIn):
    record = services.national_publish(user=request.auth, year=year, published=data.published,
                                       introduction=data.introduction, version=data.version)
    return {"published": record.published, "introduction": record.introduction, "version": record.version}
