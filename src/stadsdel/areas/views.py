"""The pages of municipalities and districts: lists with the registry filter, and a district's page with its
agreements, partnerships, cooperation and statistics summary. Views stay thin: reads go through the
selectors, which apply the user's scope."""

from __future__ import annotations

from django.shortcuts import render

from stadsdel.agreements import selectors as agreement_selectors
from stadsdel.agreements.forms import (
    registry_filter_form,
)
from stadsdel.areas import selectors as area_selectors
from stadsdel.core.http import get_or_404
from stadsdel.indicators import page_selectors
from stadsdel.sources.models import SourceIssue
from stadsdel.sources.selectors import source_issues_for


def _split_issues(issues: list[SourceIssue]) -> tuple[list[SourceIssue], list[SourceIssue]]:
    errors = [i for i in issues if i.severity == SourceIssue.Severity.ERROR]
    notes = [i for i in issues if i.severity == SourceIssue.Severity.NOTE]
    return errors, notes


def municipality_list(request):
    return render(request, "areas/municipality_list.html", {
        "section": "municipalities",
        "municipalities": agreement_selectors.municipality_list_with_counts(),
    })


def municipality_detail(request, code: str):
    municipality = get_or_404(area_selectors.municipality_get, code=code)
    user = request.user
    return render(request, "areas/municipality_detail.html", {
        "section": "municipalities",
        "municipality": municipality,
        "agreements": agreement_selectors.agreement_list_for(user=user, municipality=municipality),
        "partnerships": agreement_selectors.partnership_list_for(user=user, municipality=municipality),
        "cooperations": agreement_selectors.cooperation_list_for(user=user, municipality=municipality),
    })


def district_list(request):
    form = registry_filter_form(request)
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
    return render(request, "areas/district_list.html", {
        "section": "districts", "form": form, "rows": rows, "filters": filters,
    })


def district_detail(request, pk: int):
    district = get_or_404(area_selectors.district_get, pk=pk)
    errors, notes = _split_issues(source_issues_for([district]).get(district.pk, []))
    user = request.user
    return render(request, "areas/district_detail.html", {
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
