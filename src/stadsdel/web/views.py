"""The pages. Views stay thin: reads go through the selectors (which apply the user's scope) and
writes through the services (which check scope and version); a view only maps their outcomes to
HTTP (not in scope → 404, not allowed → 403, stale version → 409)."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stadsdel.agreements import selectors as agreement_selectors
from stadsdel.agreements import services
from stadsdel.agreements.models import CooperationAgreement
from stadsdel.areas import selectors as area_selectors
from stadsdel.seeds.models import SourceIssue
from stadsdel.seeds.selectors import source_issues_for
from stadsdel.web.forms import (
    CooperationCreateForm,
    CooperationForm,
    PartnershipForm,
    RegistryFilterForm,
)


def _get_or_404(selector, **kwargs):
    # Scoped *_get selectors raise DoesNotExist for records outside the user's read scope as well
    # as for missing ones, so a direct URL never reveals that a hidden record exists.
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def _split_issues(issues: list[SourceIssue]) -> tuple[list[SourceIssue], list[SourceIssue]]:
    errors = [i for i in issues if i.severity == SourceIssue.Severity.ERROR]
    notes = [i for i in issues if i.severity == SourceIssue.Severity.NOTE]
    return errors, notes


def _filter_form(request) -> RegistryFilterForm:
    years = [year for year, _count in agreement_selectors.agreements_in_force_by_year(user=request.user)]
    return RegistryFilterForm(
        request.GET or None, municipalities=area_selectors.municipality_list(), years=years[::-1]
    )


# -- portal ---------------------------------------------------------------------------------------


def home(request):
    return render(request, "web/home.html", {
        "section": "home",
        "municipality_count": area_selectors.municipality_list().count(),
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
        "municipalities": area_selectors.municipality_list_with_counts(),
    })


def municipality_detail(request, code: str):
    municipality = _get_or_404(area_selectors.municipality_get, code=code)
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
    district = _get_or_404(area_selectors.district_get, pk=pk)
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
    agreement = _get_or_404(agreement_selectors.agreement_get, user=request.user, pk=pk)
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
    commission = _get_or_404(agreement_selectors.commission_get, pk=pk)
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
    partnership = _get_or_404(agreement_selectors.partnership_get, user=request.user, pk=pk)
    return render(request, "web/partnership_detail.html", {
        "section": "partnerships",
        "partnership": partnership,
        "can_edit": agreement_selectors.can_edit_partnership(user=request.user, partnership=partnership),
        "history": agreement_selectors.record_history(record=partnership),
    })


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request, pk: int):
    partnership = _get_or_404(agreement_selectors.partnership_get, user=request.user, pk=pk)
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
        except services.StaleVersionError as exc:
            current = agreement_selectors.partnership_get(user=request.user, pk=pk)
            return _conflict(request, "web/partnership_form.html", form, PartnershipForm, current, exc,
                             {"section": "partnerships", "partnership": current})
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
    cooperation = _get_or_404(agreement_selectors.cooperation_get, user=request.user, pk=pk)
    return render(request, "web/cooperation_detail.html", {
        "section": "cooperation",
        "cooperation": cooperation,
        "commitments_by_party": _commitments_by_party(cooperation),
        "can_edit": agreement_selectors.can_edit_cooperation(user=request.user, cooperation=cooperation),
        "history": agreement_selectors.record_history(record=cooperation),
    })


@login_required
@require_http_methods(["GET", "POST"])
def cooperation_edit(request, pk: int):
    cooperation = _get_or_404(agreement_selectors.cooperation_get, user=request.user, pk=pk)
    if not agreement_selectors.can_edit_cooperation(user=request.user, cooperation=cooperation):
        raise PermissionDenied
    form = CooperationForm(request.POST or None, instance=copy.copy(cooperation))
    if request.method == "POST" and form.is_valid():
        try:
            services.cooperation_update(
                user=request.user, cooperation=cooperation, version=form.cleaned_data["version"],
                fields=form.service_fields(), districts=form.districts(),
            )
        except services.StaleVersionError as exc:
            current = agreement_selectors.cooperation_get(user=request.user, pk=pk)
            return _conflict(request, "web/cooperation_form.html", form, CooperationForm, current, exc,
                             {"section": "cooperation", "cooperation": current})
        messages.success(request, _("The cooperation agreement has been saved."))
        return redirect(cooperation)
    return render(request, "web/cooperation_form.html", {
        "section": "cooperation", "form": form, "cooperation": cooperation,
    })


@login_required
@require_http_methods(["GET", "POST"])
def cooperation_create(request, partnership_pk: int):
    partnership = _get_or_404(agreement_selectors.partnership_get, user=request.user, pk=partnership_pk)
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


def _conflict(request, template: str, form, form_class, current, exc: services.StaleVersionError, extra: dict):
    """Someone else saved first: show what they saved next to what this user sent, and re-show
    the user's values with the new version, so saving again is a deliberate overwrite."""
    data = request.POST.copy()
    data["version"] = str(exc.current_version)
    context = {
        "form": form_class(data, instance=copy.copy(current)),
        "conflict": form.comparison(current),
        "current_version": exc.current_version,
        **extra,
    }
    return render(request, template, context, status=409)
