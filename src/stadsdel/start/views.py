"""The start page."""

from __future__ import annotations

from django.shortcuts import render

from stadsdel.agreements import selectors as agreement_selectors
from stadsdel.areas import selectors as area_selectors


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
