"""The report pages: the national report and each municipality's follow-up, as a page and as
HTML, PDF, Excel and CSV downloads; the municipality writes its narrative and submits, the
ministry receives. Anyone gets the public version; the municipality itself and the ministry
also see what is submitted but not published."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import Municipality
from stadsdel.core.http import difference, stale_save
from stadsdel.core.versions import StaleVersionError, posted_version
from stadsdel.followup import precompute, selectors, services
from stadsdel.followup import render as report_render
from stadsdel.followup import tasks as report_tasks
from stadsdel.followup.compute import report_next_steps, report_stages
from stadsdel.followup.maps import DISTRICTS, national_map
from stadsdel.followup.models import (
    AgencyReport,
    FollowUpReport,
    NationalReport,
    ReportSection,
    ReportStatus,
)
from stadsdel.jobs.services import task_enqueue, workers_alive
from stadsdel.ui import charts

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
NATIONAL_YEARS = (2011,)  # the years the seed agreements are in force for every district


def _download(data, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    return response


def _report_download(request, content, *, key: precompute.ReportKey, name: str, writers: dict, tables,
                     default_table: str) -> HttpResponse | None:
    """The report as the file `?format=` asks for (html, pdf, xlsx, or one table as csv with
    `&table=`), or None when the page itself is wanted. A PDF or Excel file is built by a
    background task for a signed-in reader while a worker runs (the reader waits on the task's
    page, which then links here) and kept for the data version; without a worker, or for a
    visitor (who has no task page), it is built in the request and kept. Either way the worker
    builds a kept file again after the data change (`precompute.recompute_all`), so the next
    reader of a report someone has downloaded waits for nothing."""
    fmt = request.GET.get("format")
    if fmt in precompute.FILE_FORMATS and fmt in writers:
        kept = precompute.stored_file(key, fmt)
        if kept is not None:
            return _download(kept, fmt, name)
        if request.user.is_authenticated and workers_alive():
            task_id = task_enqueue(report_tasks.build_report_file, owner=request.user, label=report_tasks.FILE_LABEL,
                                   key=str(key), fmt=fmt, url=request.get_full_path())
            return redirect("jobs:task_detail", task_id)
        return _download(precompute.file_build(key, fmt), fmt, name)
    if fmt in writers:
        return _download(writers[fmt](content), fmt, name)
    if fmt == "csv":
        all_tables = tables(content)
        table = request.GET.get("table", default_table)
        if table not in all_tables:
            raise Http404
        return _download(report_render.table_csv(all_tables, table), "csv", f"{name}-{table}")
    return None


def report_list(request):
    """The reports the reader may open. The public sees exactly the published reports the portal
    lists (`selectors.published_*`); the ministry also every generated national report and every
    municipality's follow-up, a coordinator also their own municipality's."""
    scope = scope_for(request.user)
    published_national = list(selectors.published_national_reports().values_list("year", flat=True))
    if scope.national:
        national_years = sorted(set(NATIONAL_YEARS) | set(NationalReport.objects.values_list("year", flat=True)),
                                reverse=True)
    else:
        national_years = published_national
    return render(request, "followup/report_list.html", {
        "section": "reports", "reports": selectors.report_list(user=request.user).order_by("-year", "municipality__name"),
        "national_years": national_years, "published_national": set(published_national),
        "report_years": sorted(set(NATIONAL_YEARS) | set(NationalReport.objects.values_list("year", flat=True))),
        "municipalities": (Municipality.objects.filter(districts__isnull=False).distinct().order_by("name")
                           if scope.national else Municipality.objects.none()),
        "own": Municipality.objects.filter(pk__in=scope.municipality_ids).order_by("name"),
        "own_agencies": Organisation.objects.filter(pk__in=scope.agency_organisation_ids,
                                                    kind=Organisation.Kind.STATE_AGENCY).order_by("name"),
        "agency_reports": selectors.agency_report_list(user=request.user).order_by("-year", "organisation__name"),
    })


def national_detail(request, year: int):
    scope = scope_for(request.user)
    internal = request.GET.get("internal") == "1"
    if internal and not scope.national:
        raise PermissionDenied
    key = precompute.ReportKey("national", year, not internal)
    parts = precompute.report_context(key)
    if isinstance(parts, precompute.Recomputing):
        return _recomputing(request, parts, heading=_("National report %(year)s") % {"year": year})
    if parts is None:
        raise Http404
    content = parts["c"]
    download = _report_download(request, content, key=key, name=f"nationell-redovisning-{year}{'-intern' if internal else ''}",
                                writers=report_render.FORMATS, tables=report_render.national_tables,
                                default_table="stadsdelar")
    if download is not None:
        return download
    context = dict(parts)
    context.update({
        "section": "reports", "year": year, "internal": internal, "may_see_internal": scope.national,
        "record": NationalReport.objects.filter(year=year).first(), "tables": report_render.SHEET_TITLES,
    })
    map_choice = (_int_param(request, "map_indicator", 0), request.GET.get("map_basis", DISTRICTS))
    if map_choice != (0, DISTRICTS):
        # The precomputed report holds the default map; another indicator or basis is drawn now.
        context.update(national_map(content, indicator_index=map_choice[0], basis=map_choice[1]))
    context["chart_locale"] = charts.format_locale(get_language() or "sv")
    context["map_indicators"] = list(enumerate(content.indicators))
    return render(request, "followup/national_page.html", context)


def _int_param(request, name: str, default: int) -> int:
    try:
        return int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default


def _recomputing(request, state: precompute.Recomputing, *, heading: str) -> HttpResponse:
    """Instead of a report computed from older data: that it is being recomputed, and since when
    the data are new. Never cached by the browser, so a reload asks again."""
    response = render(request, "followup/recomputing.html", {
        "section": "reports", "heading": heading, "changed_at": state.changed_at, "started": state.started,
        "task_id": state.task_id})
    response["Cache-Control"] = "no-store"
    return response


def _report_access(request, code: str) -> tuple[Municipality, bool]:
    municipality = get_object_or_404(Municipality, code=code)
    scope = scope_for(request.user)
    internal = scope.national or municipality.pk in scope.municipality_ids
    return municipality, internal


def _progress(report: FollowUpReport | None, *, scope, municipality) -> dict:
    """Where the report stands, the next step this reader may take, and (before it is
    submitted) what it still lacks: for the edit page and the report page alike."""
    if report is None:
        return {}
    writer = scope.edits_own_municipality(municipality.pk)
    return {
        "stages": report_stages(status=report.status, published=report.published),
        "next_steps": report_next_steps(status=report.status, published=report.published, writer=writer,
                                        ministry=scope.national),
        "gaps": selectors.report_gaps(report=report) if writer and report.status == ReportStatus.DRAFT else None,
    }


def report_detail(request, code: str, year: int):
    municipality, internal = _report_access(request, code)
    key = precompute.ReportKey("followup", year, not internal, municipality.code)
    parts = precompute.report_context(key)
    if isinstance(parts, precompute.Recomputing):
        return _recomputing(request, parts, heading=_("Follow-up %(year)s: %(name)s") % {
            "year": year, "name": municipality.name})
    if parts is None:
        raise Http404
    content = parts["c"]
    download = _report_download(request, content, key=key, name=f"uppfoljning-{municipality.code}-{year}",
                                writers=report_render.FOLLOWUP_FORMATS,
                                tables=report_render.followup_tables, default_table="mal")
    if download is not None:
        return download
    scope = scope_for(request.user)
    report = content.report
    context = dict(parts)
    context.update({
        "section": "reports", "municipality": municipality, "year": year, "report": report,
        "editable": scope.edits_own_municipality(municipality.pk),
        "may_receive": scope.national and report is not None and report.status == ReportStatus.SUBMITTED,
        **_progress(report, scope=scope, municipality=municipality),
    })
    return render(request, "followup/report_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, code: str, year: int):
    municipality = get_object_or_404(Municipality, code=code)
    report = services.report_start(user=request.user, municipality=municipality, year=year)
    sections = list(report.sections.all())
    if request.method == "POST":
        try:
            for section in sections:
                text = request.POST.get(f"text-{section.key}", section.text)
                if text != section.text:
                    services.section_update(user=request.user, section=section,
                                            version=posted_version(request.POST, f"version-{section.key}"), text=text)
        except StaleVersionError as exc:
            # Each section keeps the user's text, now at the version stored, beside the saved one.
            current = {s.key: ReportSection.objects.get(pk=s.pk) for s in sections}
            yours = {s.key: request.POST.get(f"text-{s.key}", s.text) for s in sections}
            return stale_save(request, "followup/report_edit.html", {
                "section": "reports", "report": report, "municipality": municipality, "year": year,
                "sections": [(s, yours[s.key], current[s.key].version) for s in sections],
            }, error=exc, differences=[difference(s.get_key_display(), current[s.key].text, yours[s.key])
                                       for s in sections])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("The report was saved."))
            return redirect(report)
    return render(request, "followup/report_edit.html", {
        "section": "reports", "report": report, "municipality": municipality, "year": year,
        "sections": [(s, s.text, s.version) for s in sections],
        **_progress(report, scope=scope_for(request.user), municipality=municipality),
    })


@login_required
@require_POST
def report_status(request, code: str, year: int):
    municipality = get_object_or_404(Municipality, code=code)
    report = get_object_or_404(FollowUpReport, municipality=municipality, year=year)
    action = request.POST.get("action", "")
    try:
        services.report_step(user=request.user, report=report, action=action)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except StaleVersionError as exc:
        current = FollowUpReport.objects.get(pk=report.pk)
        if action in ("publish", "unpublish"):
            step = difference(FollowUpReport._meta.get_field("published").verbose_name, current.published,
                              action == "publish")
        else:
            wanted = {"submit": ReportStatus.SUBMITTED, "receive": ReportStatus.RECEIVED}.get(action)
            step = difference(FollowUpReport._meta.get_field("status").verbose_name, current.get_status_display(),
                              wanted.label if wanted else action)
        return stale_save(request, "ui/conflict.html", {"section": "reports", "back_url": report.get_absolute_url()},
                          error=exc, differences=[step])
    return redirect(report)


@require_http_methods(["GET", "POST"])
def agency_report(request, key: str, year: int):
    """An agency's report on its participation, with the reports of its regional offices below
    it (Rikspolisstyrelsen compiles the police's); its officers write and submit it here."""
    organisation = get_object_or_404(Organisation, key=key)
    scope = scope_for(request.user)
    writer = scope.acts_for_agency(organisation.pk)
    report = AgencyReport.objects.filter(organisation=organisation, year=year).first()
    if request.method == "POST":
        if not writer:
            raise PermissionDenied
        report = services.agency_report_start(user=request.user, organisation=organisation, year=year)
        try:
            if request.POST.get("action") == "submit":
                services.agency_report_submit(user=request.user, report=report)
            else:
                services.agency_report_update(
                    user=request.user, report=report, version=posted_version(request.POST),
                    text=request.POST.get("text", ""), published=request.POST.get("published") == "on")
        except StaleVersionError as exc:
            text, published = request.POST.get("text", ""), request.POST.get("published") == "on"
            return stale_save(request, "followup/agency_report.html", {
                "section": "reports", "organisation": organisation, "year": year, "report": report,
                "writer": writer, "text": text, "published": published, "offices": [],
            }, error=exc, differences=[
                difference(AgencyReport._meta.get_field("text").verbose_name, report.text, text),
                difference(AgencyReport._meta.get_field("published").verbose_name, report.published, published),
            ])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("The report was saved."))
        return redirect("followup:agency_report", key=key, year=year)
    readable = selectors.agency_report_list(user=request.user)
    visible = report is not None and readable.filter(pk=report.pk).exists()
    offices = list(readable.filter(organisation__parent=organisation, year=year))
    if not writer and not visible and not offices:
        raise Http404
    return render(request, "followup/agency_report.html", {
        "section": "reports", "organisation": organisation, "year": year, "report": report if visible else None,
        "writer": writer, "text": report.text if report else "", "published": report.published if report else False,
        "offices": offices,
        "agreements": report.cooperation_agreements.all() if report else [],
    })
