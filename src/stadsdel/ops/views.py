"""Operations pages: the health check, the audit page and the sign-in lockout page."""

from __future__ import annotations

from urllib.parse import urlencode

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from stadsdel.accounts import selectors as account_selectors
from stadsdel.ops.forms import AuditFilterForm


@require_GET
def health(request):
    """For a load balancer or monitor: 200 "ok" when the app answers and its database does,
    503 otherwise. No session, no template, nothing about the data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@login_required
@require_GET
def audit(request):
    """Who changed what and when, newest first, across the registry, plans and reports: the
    ministry sees everything, a coordinator their municipality's records, an agency its own
    (the rule is `accounts.selectors.audit_viewer`/`audit_owner_q`)."""
    viewer = account_selectors.audit_viewer(user=request.user)
    choices = account_selectors.audit_model_choices(viewer=viewer)
    form = AuditFilterForm(request.GET if "model" in request.GET else None, choices=choices)
    model_label = form.model_label()
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    page = account_selectors.audit_page(user=request.user, page=page_number, model_label=model_label, viewer=viewer)
    return render(request, "ops/audit.html", {
        "section": "audit",
        "viewer": viewer,
        "page": page,
        "model_choices": choices,
        "form": form,
        "pager_query": urlencode({"model": model_label}) if model_label else "",
    })


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (settings.AXES_LOCKOUT_CALLABLE): a page that
    says what happened and how long to wait, with HTTP 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 60
    return render(request, "ops/lockout.html", {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": minutes,
    }, status=429)
