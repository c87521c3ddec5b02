"""The evaluation pages: the list, the design form, the evaluation with its charts and
estimates (also as PDF, HTML and the panel as CSV), and publishing. Thin: reads go through
`selectors`, writes through `services`, the words and charts come from `render`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stadsdel.accounts.scoping import scope_for
from stadsdel.core.http import difference, form_differences, get_or_404, stale_save
from stadsdel.core.versions import StaleVersionError, posted_version
from stadsdel.evaluation import estimates, selectors, services
from stadsdel.evaluation import render as evaluation_render
from stadsdel.evaluation.forms import EvaluationForm
from stadsdel.evaluation.models import Evaluation
from stadsdel.followup.precompute import current_version
from stadsdel.jobs.selectors import TaskState
from stadsdel.ui import charts

CONTENT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def evaluation_list(request):
    scope = scope_for(request.user)
    return render(request, "evaluation/evaluation_list.html", {
        "section": "evaluation", "evaluations": selectors.evaluation_list(user=request.user),
        "may_create": services.may_create(scope),
    })


def evaluation_detail(request, pk: int):
    evaluation = get_or_404(selectors.evaluation_get, user=request.user, pk=pk)
    fmt = request.GET.get("format")
    if fmt is not None and fmt not in CONTENT_TYPES:
        raise Http404
    # Read before the figures, so estimates kept at it never rest on older ones. A download
    # waits for its file anyway: it is made of the kept estimates, or of estimates made now.
    found = estimates.estimates_for(evaluation, data_version=current_version().version, background=fmt is None)
    if fmt in CONTENT_TYPES:
        writers = {"pdf": evaluation_render.evaluation_pdf, "html": evaluation_render.evaluation_html,
                   "csv": evaluation_render.panel_csv}
        response = HttpResponse(writers[fmt](evaluation, results=found), content_type=CONTENT_TYPES[fmt])
        disposition = "attachment" if fmt == "csv" else "inline"
        name = f"utvardering-{evaluation.pk}" + ("-panel" if fmt == "csv" else "")
        response["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
        return response
    task = found if isinstance(found, TaskState) else None
    context = evaluation_render.evaluation_context(evaluation, results=[] if task else found)
    context.update({
        "estimate_task": task,
        "section": "evaluation", "editable": services.may_edit(scope_for(request.user), evaluation),
        "chart_locale": charts.format_locale(get_language() or "sv"), "vega_version": charts.bundle_version(),
        "has_charts": any(o["specs"] for o in context["outcomes"]),
    })
    return render(request, "evaluation/evaluation_detail.html", context)


def _form_page(request, form, evaluation=None, status=200):
    return render(request, "evaluation/evaluation_form.html", {
        "section": "evaluation", "form": form, "evaluation": evaluation,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_create(request):
    scope = scope_for(request.user)
    if not services.may_create(scope):
        raise PermissionDenied
    if request.method == "GET":
        return _form_page(request, EvaluationForm(scope=scope))
    form = EvaluationForm(request.POST, scope=scope)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        evaluation = services.evaluation_create(user=request.user, fields=form.service_fields(), **form.relations())
    except ValidationError as exc:
        form.add_error(None, exc)
        return _form_page(request, form, status=400)
    messages.success(request, _("The evaluation was saved."))
    return redirect(evaluation)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk: int):
    evaluation = get_or_404(selectors.evaluation_get, user=request.user, pk=pk)
    scope = scope_for(request.user)
    if not services.may_edit(scope, evaluation):
        raise PermissionDenied
    if request.method == "GET":
        return _form_page(request, EvaluationForm(scope=scope, initial=EvaluationForm.initial_for(evaluation)),
                          evaluation)
    form = EvaluationForm(request.POST, scope=scope)
    if not form.is_valid():
        return _form_page(request, form, evaluation, status=400)
    try:
        services.evaluation_update(user=request.user, evaluation=evaluation,
                                   version=form.cleaned_data["version"] or 0, fields=form.service_fields(),
                                   **form.relations())
    except StaleVersionError as exc:
        current = Evaluation.objects.get(pk=evaluation.pk)
        return stale_save(request, "evaluation/evaluation_form.html",
                          {"section": "evaluation", "form": form, "evaluation": current}, error=exc,
                          differences=form_differences(form, EvaluationForm.initial_for(current)), form=form)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _form_page(request, form, evaluation, status=400)
    messages.success(request, _("The evaluation was saved."))
    return redirect(evaluation)


@login_required
@require_POST
def evaluation_publish(request, pk: int):
    evaluation = get_or_404(selectors.evaluation_get, user=request.user, pk=pk)
    if not services.may_edit(scope_for(request.user), evaluation):
        raise PermissionDenied
    version = posted_version(request.POST)
    publish = request.POST.get("published", "1") == "1"
    try:
        services.evaluation_publish(user=request.user, evaluation=evaluation, version=version, published=publish)
    except StaleVersionError as exc:
        current = Evaluation.objects.get(pk=evaluation.pk)
        return stale_save(request, "ui/conflict.html",
                          {"section": "evaluation", "back_url": evaluation.get_absolute_url()}, error=exc,
                          differences=[difference(Evaluation._meta.get_field("published").verbose_name,
                                                  current.published, publish)])
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("The evaluation is now published.") if publish
                         else _("The evaluation is no longer published."))
    return redirect(evaluation)
