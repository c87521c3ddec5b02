"""The pages. Views stay thin: reads go through the selectors (which apply the user's scope) and
writes through the services (which check scope and version); a view only maps their outcomes to
HTTP (not in scope → 404, not allowed → 403, stale version → 409)."""

from __future__ import annotations

import copy

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods

from stadsdel.accounts import selectors as account_selectors
from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements import selectors as agreement_selectors
from stadsdel.agreements import services
from stadsdel.agreements.models import CooperationAgreement
from stadsdel.areas import selectors as area_selectors
from stadsdel.core.history import record_history
from stadsdel.core.http import form_differences, get_or_404, record_values, stale_save
from stadsdel.core.tabular_export import csv_writer
from stadsdel.core.versions import StaleVersionError
from stadsdel.indicators import exclusion, page_selectors
from stadsdel.indicators import selectors as indicator_selectors
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.models import Level
from stadsdel.indicators.services.imports import observations_import_upload
from stadsdel.plans import selectors as plan_selectors
from stadsdel.seeds.models import SourceIssue
from stadsdel.seeds.selectors import source_issues_for
from stadsdel.ui import charts
from stadsdel.web.forms import (
    CooperationCreateForm,
    CooperationForm,
    PartnershipForm,
    RegistryFilterForm,
    StatisticsImportForm,
)


def _split_issues(issues: list[SourceIssue]) -> tuple[list[SourceIssue], list[SourceIssue]]:
    errors = [i for i in issues if i.severity == SourceIssue.Severity.ERROR]
    notes = [i for i in issues if i.severity == SourceIssue.Severity.NOTE]
    return errors, notes


def _filter_form(request) -> RegistryFilterForm:
    years = [year for year, _count in agreement_selectors.agreements_in_force_by_year(user=request.user)]
    return RegistryFilterForm(
        request.GET or None, municipalities=agreement_selectors.municipality_list(), years=years[::-1]
    )


# -- portal ---------------------------------------------------------------------------------------


def home(request):
    return render(request, "web/home.html", {
        "section": "home",
        "municipality_count": agreement_selectors.municipality_list().count(),
        "district_count": area_selectors.district_list().count(),
        "agreements_by_year": agreement_selectors.agreements_in_force_by_year(user=request.user),
        "partnership_count": agreement_selectors.partnership_list(user=request.user).count(),
        "cooperation_count": agreement_selectors.cooperation_list(user=request.user).count(),
        "commission_count": agreement_selectors.commission_list().count(),
    })


# -- municipalities and districts -----------------------------------------------------------------


def municipality_list(request):
    return render(request, "web/municipality_list.html", {
        "section": "municipalities",
        "municipalities": agreement_selectors.municipality_list_with_counts(),
    })


def municipality_detail(request, code: str):
    municipality = get_or_404(area_selectors.municipality_get, code=code)
    user = request.user
    return render(request, "web/municipality_detail.html", {
        "section": "municipalities",
        "municipality": municipality,
        "agreements": agreement_selectors.agreement_list_for(user=user, municipality=municipality),
        "partnerships": agreement_selectors.partnership_list_for(user=user, municipality=municipality),
        "cooperations": agreement_selectors.cooperation_list_for(user=user, municipality=municipality),
    })


def district_list(request):
    form = _filter_form(request)
    filters = form.filters()
    if filters["year"] is not None:
        districts = agreement_selectors.district_list_in_force(
            user=request.user, year=filters["year"], municipality=filters["municipality"]
        )
    else:
        districts = area_selectors.district_list(municipality=filters["municipality"])
    districts = list(districts)
    issues = source_issues_for(districts)
    rows = []
    for district in districts:
        errors, notes = _split_issues(issues.get(district.pk, []))
        rows.append({"district": district, "area_count": len(district.memberships.all()),
                     "errors": errors, "notes": notes})
    return render(request, "web/district_list.html", {
        "section": "districts", "form": form, "rows": rows, "filters": filters,
    })


def district_detail(request, pk: int):
    district = get_or_404(area_selectors.district_get, pk=pk)
    errors, notes = _split_issues(source_issues_for([district]).get(district.pk, []))
    user = request.user
    return render(request, "web/district_detail.html", {
        "section": "districts",
        "district": district,
        "areas": [membership.area for membership in district.memberships.all()],
        "issues": errors,
        "notes": notes,
        "agreements": agreement_selectors.agreement_list_for(user=user, district=district),
        "partnerships": agreement_selectors.partnership_list_for(user=user, district=district),
        "cooperations": agreement_selectors.cooperation_list_for(user=user, district=district),
        "statistics": page_selectors.district_statistics_summary(district=district),
    })


# -- agreements and commissions -------------------------------------------------------------------


def agreement_list(request):
    form = _filter_form(request)
    filters = form.filters()
    return render(request, "web/agreement_list.html", {
        "section": "agreements",
        "form": form,
        "agreements": agreement_selectors.agreement_list_for(
            user=request.user, year=filters["year"], municipality=filters["municipality"]
        ),
    })


def agreement_detail(request, pk: int):
    agreement = get_or_404(agreement_selectors.agreement_get, user=request.user, pk=pk)
    return render(request, "web/agreement_detail.html", {
        "section": "agreements",
        "agreement": agreement,
        "sources": agreement_selectors.source_documents(keys=agreement.sources),
    })


def commission_list(request):
    return render(request, "web/commission_list.html", {
        "section": "commissions", "commissions": agreement_selectors.commission_list(),
    })


def commission_detail(request, pk: int):
    commission = get_or_404(agreement_selectors.commission_get, pk=pk)
    return render(request, "web/commission_detail.html", {
        "section": "commissions",
        "commission": commission,
        "sources": agreement_selectors.source_documents(keys=[commission.source] if commission.source else []),
    })


# -- partnerships ---------------------------------------------------------------------------------


def partnership_list(request):
    return render(request, "web/partnership_list.html", {
        "section": "partnerships",
        "partnerships": agreement_selectors.partnership_list_for(user=request.user),
    })


def partnership_detail(request, pk: int):
    partnership = get_or_404(agreement_selectors.partnership_get, user=request.user, pk=pk)
    return render(request, "web/partnership_detail.html", {
        "section": "partnerships",
        "partnership": partnership,
        "can_edit": agreement_selectors.can_edit_partnership(user=request.user, partnership=partnership),
        "history": record_history(record=partnership),
    })


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request, pk: int):
    partnership = get_or_404(agreement_selectors.partnership_get, user=request.user, pk=pk)
    if not agreement_selectors.can_edit_partnership(user=request.user, partnership=partnership):
        raise PermissionDenied
    # The form works on a copy: validating a model form writes the submitted values onto its
    # instance, and the record itself must keep its saved values until the service has run.
    form = PartnershipForm(request.POST or None, instance=copy.copy(partnership))
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_update(
                user=request.user, partnership=partnership, version=form.cleaned_data["version"],
                fields=form.service_fields(), districts=form.districts(),
            )
        except StaleVersionError as exc:
            current = agreement_selectors.partnership_get(user=request.user, pk=pk)
            return stale_save(request, "web/partnership_form.html",
                              {"section": "partnerships", "form": form, "partnership": current}, error=exc,
                              differences=form_differences(form, record_values(current, form.fields)), form=form)
        messages.success(request, _("The partnership has been saved."))
        return redirect(partnership)
    return render(request, "web/partnership_form.html", {
        "section": "partnerships", "form": form, "partnership": partnership,
    })


# -- cooperation agreements -----------------------------------------------------------------------


def cooperation_list(request):
    return render(request, "web/cooperation_list.html", {
        "section": "cooperation",
        "cooperations": agreement_selectors.cooperation_list_for(user=request.user),
    })


def _commitments_by_party(cooperation: CooperationAgreement) -> list[tuple]:
    # In the document the parties' undertakings alternate; the page groups them per party, in
    # the order the parties first appear.
    groups: dict[int, tuple] = {}
    for commitment in cooperation.commitments.all():
        groups.setdefault(commitment.party_id, (commitment.party, []))[1].append(commitment)
    return list(groups.values())


def cooperation_detail(request, pk: int):
    cooperation = get_or_404(agreement_selectors.cooperation_get, user=request.user, pk=pk)
    return render(request, "web/cooperation_detail.html", {
        "section": "cooperation",
        "cooperation": cooperation,
        "commitments_by_party": _commitments_by_party(cooperation),
        "can_edit": agreement_selectors.can_edit_cooperation(user=request.user, cooperation=cooperation),
        "history": record_history(record=cooperation),
    })


@login_required
@require_http_methods(["GET", "POST"])
def cooperation_edit(request, pk: int):
    cooperation = get_or_404(agreement_selectors.cooperation_get, user=request.user, pk=pk)
    if not agreement_selectors.can_edit_cooperation(user=request.user, cooperation=cooperation):
        raise PermissionDenied
    form = CooperationForm(request.POST or None, instance=copy.copy(cooperation))
    if request.method == "POST" and form.is_valid():
        try:
            services.cooperation_update(
                user=request.user, cooperation=cooperation, version=form.cleaned_data["version"],
                fields=form.service_fields(), districts=form.districts(),
            )
        except StaleVersionError as exc:
            current = agreement_selectors.cooperation_get(user=request.user, pk=pk)
            return stale_save(request, "web/cooperation_form.html",
                              {"section": "cooperation", "form": form, "cooperation": current}, error=exc,
                              differences=form_differences(form, record_values(current, form.fields)), form=form)
        messages.success(request, _("The cooperation agreement has been saved."))
        return redirect(cooperation)
    return render(request, "web/cooperation_form.html", {
        "section": "cooperation", "form": form, "cooperation": cooperation,
    })


@login_required
@require_http_methods(["GET", "POST"])
def cooperation_create(request, partnership_pk: int):
    partnership = get_or_404(agreement_selectors.partnership_get, user=request.user, pk=partnership_pk)
    if not agreement_selectors.can_edit_partnership(user=request.user, partnership=partnership):
        raise PermissionDenied
    draft = CooperationAgreement(partnership=partnership, municipality=partnership.municipality)
    initial = {"districts": list(partnership.districts.all()), "place": partnership.municipality.name}
    form = CooperationCreateForm(request.POST or None, instance=draft, initial=initial)
    if request.method == "POST" and form.is_valid():
        cooperation = services.cooperation_create(
            user=request.user, partnership=partnership, fields=form.service_fields(), districts=form.districts(),
        )
        messages.success(request, _("The cooperation agreement has been created."))
        return redirect(cooperation)
    return render(request, "web/cooperation_form.html", {
        "section": "cooperation", "form": form, "partnership": partnership, "creating": True,
    })


# -- statistics -----------------------------------------------------------------------------------


def _year_param(request) -> int | None:
    # A malformed ?year= is ignored (the page shows its default year), not a server error.
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return None


def indicator_list(request):
    return render(request, "web/indicator_list.html", {
        "section": "statistics",
        "indicators": indicator_selectors.indicator_list(),
        "goal_areas": plan_selectors.goal_areas_by_key(),
        "can_import": scope_for(request.user).imports_statistics,
    })


def indicator_detail(request, code: str):
    try:
        indicator = indicator_selectors.indicator_get(code=code)
    except indicator_selectors.UnitNotFound:
        raise Http404 from None
    latest = page_selectors.indicator_latest_table(indicator=indicator)
    if request.GET.get("format") == "csv":
        return _latest_csv(indicator, latest)
    return render(request, "web/indicator_detail.html", {
        "section": "statistics",
        "indicator": indicator,
        "goal_areas": plan_selectors.goal_areas_by_key(),
        "latest": latest,
    })


def _latest_csv(indicator, latest: page_selectors.LatestTable) -> HttpResponse:
    """The latest-year table as CSV: values unrounded, a suppressed cell's value empty."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{indicator.code}_{latest.year or "none"}.csv"'
    writer = csv_writer(response)
    writer.writerow(["indicator", "level", "unit", "municipality_code", "period", "sex", "value", "numerator",
                     "denominator", "status", "mapped_through", "import"])
    for o in latest.rows:
        if o.level == Level.MUNICIPALITY:
            unit, municipality_code = o.municipality.name, o.municipality.code
        else:
            unit, municipality_code = o.district.name, o.district.municipality.code
        writer.writerow([
            indicator.code, o.level, unit, municipality_code, o.period, o.sex,
            o.value, o.numerator, o.denominator,
            o.status, o.crosswalk.name if o.crosswalk else "", o.batch_id,
        ])
    return response


def _level_labels(district) -> dict[str, str]:
    municipality = district.municipality
    return {
        Level.DISTRICT: district.name,
        Level.MUNICIPALITY: municipality.name,
        Level.COUNTY: municipality.county.name,
        Level.COUNTRY: _("Sweden"),
    }


def _district_charts(district, series_list: list[page_selectors.IndicatorSeries], labels: dict[str, str]) -> list[dict]:
    items = []
    for series in series_list:
        indicator = series.indicator
        shown = {level: labels[level] for level in series.levels}
        references = [name for level, name in shown.items() if level != Level.DISTRICT]
        description = _("%(indicator)s in %(district)s, %(first)s–%(last)s, compared with %(references)s.") % {
            "indicator": indicator.name, "district": district.name,
            "first": series.years[0].year, "last": series.years[-1].year,
            "references": ", ".join(references) or "—",
        }
        items.append({
            "series": series,
            "chart_id": f"chart-{indicator.code}",
            "spec": charts.series_chart(
                series.long_rows(shown), y_title=str(indicator.get_unit_display()), decimals=indicator.decimals,
                labels=shown, description=description,
            ),
        })
    return items


def district_statistics(request, pk: int):
    district = get_or_404(area_selectors.district_get, pk=pk)
    labels = _level_labels(district)
    series = page_selectors.district_series(district=district)
    return render(request, "web/district_statistics.html", {
        "section": "districts",
        "district": district,
        "labels": labels,
        "charts": _district_charts(district, series, labels),
        "chart_locale": charts.format_locale(get_language() or "sv"),
        "vega_version": charts.bundle_version(),
        "profile": page_selectors.district_profile(district=district, year=_year_param(request),
                                                   labels=plan_selectors.dimension_labels()),
        "imports": indicator_selectors.imports_for_district(district=district),
        "show_authors": scope_for(request.user).sees_import_authors,
    })


def exclusion_overview(request):
    headline = exclusion.headline_counts()
    years = sorted(headline.marked)
    year = _year_param(request)
    if year not in years:
        year = years[-1] if years else None
    districts = page_selectors.districts_marked(headline=headline, year=year)
    verdicts = [row.verdict.marked if row.verdict else None for row in districts]
    return render(request, "web/exclusion_overview.html", {
        "section": "statistics",
        "headline": headline,
        "national": list(zip(headline.individuals_national, headline.districts_marked_national, strict=True)),
        "years": years,
        "year": year,
        "districts": districts,
        "tally": {"marked": verdicts.count(True), "not_marked": verdicts.count(False),
                  "unknown": verdicts.count(None)},
    })


def import_detail(request, pk: int):
    batch = get_or_404(page_selectors.import_get, pk=pk)
    return render(request, "web/import_detail.html", {
        "section": "statistics",
        "batch": batch,
        "contents": page_selectors.import_contents(batch=batch),
        "show_authors": scope_for(request.user).sees_import_authors,
    })


@login_required
@require_http_methods(["GET", "POST"])
def statistics_import(request):
    if not scope_for(request.user).imports_statistics:
        raise PermissionDenied
    indicators = indicator_selectors.indicator_list()
    bound = request.method == "POST"
    form = StatisticsImportForm(request.POST if bound else None, request.FILES if bound else None, indicators=indicators)
    outcome = failure = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = observations_import_upload(
                    user=request.user, upload=form.cleaned_data["file"], fmt=form.cleaned_data["format"],
                    indicator=form.cleaned_data["indicator"], dry_run=form.cleaned_data["dry_run"])
            except ImportFileError as exc:
                failure, status = exc, 400
            else:
                form = StatisticsImportForm(indicators=indicators)
        else:
            status = 400
    return render(request, "web/statistics_import.html", {
        "section": "statistics",
        "form": form,
        "outcome": outcome,
        "failure": failure,
        "imports": indicator_selectors.import_list(limit=20),
        "show_authors": scope_for(request.user).sees_import_authors,
    }, status=status)


@require_GET
def health(request):
    """For a load balancer or monitor: 200 "ok" when the app answers and its database does,
    503 otherwise. No session, no template, nothing about the data."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@gzip_page
def vega_bundle(request):
    """Vega, Vega-Lite and vega-embed from vl-convert: the charts need nothing from the internet.
    Pages link it with the bundle's version in the query (?v=), so browsers may keep it a year."""
    response = HttpResponse(charts.vega_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


# -- security: audit and sign-in lockout ----------------------------------------------------------


@login_required
@require_GET
def audit(request):
    """Who changed what and when, newest first, across the registry, plans and reports: the
    ministry sees everything, a coordinator their municipality's records, an agency its own
    (the rule is `accounts.selectors.audit_viewer`/`audit_owner_q`)."""
    viewer = account_selectors.audit_viewer(user=request.user)
    choices = account_selectors.audit_model_choices(viewer=viewer)
    model_label = request.GET.get("model", "")
    if model_label not in dict(choices):
        model_label = ""
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    page = account_selectors.audit_page(user=request.user, page=page_number, model_label=model_label, viewer=viewer)
    return render(request, "web/audit.html", {
        "section": "audit",
        "viewer": viewer,
        "page": page,
        "model_choices": choices,
        "model_label": model_label,
    })


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (settings.AXES_LOCKOUT_CALLABLE): a page that
    says what happened and how long to wait, with HTTP 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 60
    return render(request, "web/lockout.html", {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": minutes,
    }, status=429)
