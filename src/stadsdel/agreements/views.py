"""The registry pages of agreements, commissions, partnerships and cooperation agreements. Views stay
thin: reads go through the selectors (which apply the user's scope) and writes through the services
(which check scope and version); a view only maps their outcomes to HTTP (not in scope → 404, not
allowed → 403, stale version → 409)."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from stadsdel.agreements import selectors as agreement_selectors
from stadsdel.agreements import services
from stadsdel.agreements.forms import (
    CooperationCreateForm,
    CooperationForm,
    PartnershipForm,
    registry_filter_form,
)
from stadsdel.agreements.models import CooperationAgreement
from stadsdel.core.history import record_history
from stadsdel.core.http import form_differences, get_or_404, record_values, stale_save
from stadsdel.core.versions import StaleVersionError


def agreement_list(request):
    form = registry_filter_form(request)
    filters = form.filters()
    return render(request, "agreements/agreement_list.html", {
        "section": "agreements",
        "form": form,
        "agreements": agreement_selectors.agreement_list_for(
            user=request.user, year=filters["year"], municipality=filters["municipality"]
        ),
    })


def agreement_detail(request, pk: int):
    agreement = get_or_404(agreement_selectors.agreement_get, user=request.user, pk=pk)
    return render(request, "agreements/agreement_detail.html", {
        "section": "agreements",
        "agreement": agreement,
        "sources": agreement_selectors.source_documents(keys=agreement.sources),
    })


def commission_list(request):
    return render(request, "agreements/commission_list.html", {
        "section": "commissions", "commissions": agreement_selectors.commission_list(),
    })


def commission_detail(request, pk: int):
    commission = get_or_404(agreement_selectors.commission_get, pk=pk)
    return render(request, "agreements/commission_detail.html", {
        "section": "commissions",
        "commission": commission,
        "sources": agreement_selectors.source_documents(keys=[commission.source] if commission.source else []),
    })


def partnership_list(request):
    return render(request, "agreements/partnership_list.html", {
        "section": "partnerships",
        "partnerships": agreement_selectors.partnership_list_for(user=request.user),
    })


def partnership_detail(request, pk: int):
    partnership = get_or_404(agreement_selectors.partnership_get, user=request.user, pk=pk)
    return render(request, "agreements/partnership_detail.html", {
        "section": "partnerships",
        "partnership": partnership,
        "can_edit": agreement_selectors.can_edit_partnership(user=request.user, partnership=partnership),
        "history": record_history(record=partnership),
    })


def _registry_edit(request, pk: int, *, name: str, section: str, form_class, get, can_edit, update, saved: str):
    """The edit page of a partnership or a cooperation agreement (`name` is the record's context
    name and template stem): the record as the user may read it (else 404) and edit it (else
    403), the form, the service's update and the stale-save comparison (409)."""
    record = get_or_404(get, user=request.user, pk=pk)
    if not can_edit(user=request.user, **{name: record}):
        raise PermissionDenied
    # The form works on a copy: validating a model form writes the submitted values onto its
    # instance, and the record itself must keep its saved values until the service has run.
    form = form_class(request.POST or None, instance=copy.copy(record))
    template = f"agreements/{name}_form.html"
    if request.method == "POST" and form.is_valid():
        try:
            update(user=request.user, version=form.cleaned_data["version"], fields=form.service_fields(),
                   districts=form.districts(), **{name: record})
        except StaleVersionError as exc:
            current = get(user=request.user, pk=record.pk)
            return stale_save(request, template, {"section": section, "form": form, name: current}, error=exc,
                              differences=form_differences(form, record_values(current, form.fields)), form=form)
        messages.success(request, saved)
        return redirect(record)
    return render(request, template, {"section": section, "form": form, name: record})


def _registry_edit_view(**options):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        return _registry_edit(request, pk, **options)
    return view


partnership_edit = _registry_edit_view(
    name="partnership", section="partnerships", form_class=PartnershipForm, update=services.partnership_update,
    get=agreement_selectors.partnership_get, can_edit=agreement_selectors.can_edit_partnership,
    saved=gettext_lazy("The partnership has been saved."))


def cooperation_list(request):
    return render(request, "agreements/cooperation_list.html", {
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
    return render(request, "agreements/cooperation_detail.html", {
        "section": "cooperation",
        "cooperation": cooperation,
        "commitments_by_party": _commitments_by_party(cooperation),
        "can_edit": agreement_selectors.can_edit_cooperation(user=request.user, cooperation=cooperation),
        "history": record_history(record=cooperation),
    })


cooperation_edit = _registry_edit_view(
    name="cooperation", section="cooperation", form_class=CooperationForm, update=services.cooperation_update,
    get=agreement_selectors.cooperation_get, can_edit=agreement_selectors.can_edit_cooperation,
    saved=gettext_lazy("The cooperation agreement has been saved."))


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
    return render(request, "agreements/cooperation_form.html", {
        "section": "cooperation", "form": form, "partnership": partnership, "creating": True,
    })
