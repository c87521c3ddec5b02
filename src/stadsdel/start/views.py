"""The start pages: the public home, and "Min översikt", the signed-in user's own overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from stadsdel.agreements import selectors as agreement_selectors
from stadsdel.areas import selectors as area_selectors
from stadsdel.start import selectors


def home(request):
    return render(request, "start/home.html", {
        "section": "home",
        "municipality_count": agreement_selectors.municipality_list().count(),
        "district_count": area_selectors.district_list().count(),
        "agreements_by_year": agreement_selectors.agreements_in_force_by_year(user=request.user),
        "partnership_count": agreement_selectors.partnership_list(user=request.user).count(),
        "cooperation_count": agreement_selectors.cooperation_list(user=request.user).count(),
        "commission_count": agreement_selectors.commission_list().count(),
    })


@login_required
def overview(request):
    """What waits for the user, per membership (sign-in lands here)."""
    return render(request, "start/overview.html", {
        "section": "overview", "overview": selectors.overview_for(user=request.user, today=timezone.localdate()),
    })
