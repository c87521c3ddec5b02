"""The funding pages: the funds (public: guidance, rounds, budget use, the pipeline per step and
decisions over time), the applicant's form and application page, each step's decision queue and
decision form, payments for the fund owner, and the follow-ups (overdue ones first). Views stay
thin: selectors read through the user's rights, services write and check them again."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stadsdel.areas.selectors import district_labels
from stadsdel.core.http import (
    difference,
    form_differences,
    form_save,
    get_or_404,
    record_values,
    stale_save,
)
from stadsdel.core.language import page_language
from stadsdel.core.versions import StaleVersionError, posted_version
from stadsdel.funding import rights, selectors, services
from stadsdel.funding.forms import (
    ApplicationForm,
    AttachmentForm,
    BudgetLineFormSet,
    DecisionForm,
    FollowUpForm,
    PaymentForm,
    ResultFormSet,
    filled,
)
from stadsdel.funding.models import Application, Attachment, Decision, FollowUp, Fund, FundRound

log = logging.getLogger("stadsdel.funding")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def index(request):
    user = request.user
    return render(request, "funding/index.html", {
        "section": "funding", "funds": selectors.fund_list(),
        "applications": selectors.application_list(user=user)[:50],
        "queue": selectors.decision_queue(user=user),
        # The decision queue is a committee member's; an applicant has no decisions to make.
        "decides": rights.decides_a_step(user=user),
        "overdue": selectors.followups_overdue(user=user)[:20] if user.is_authenticated else [],
    })


def fund_detail(request, pk: int):
    fund = get_object_or_404(Fund.objects.select_related("owner", "programme"), pk=pk)
    today = timezone.localdate()
    applicant_orgs = rights.applicant_organisations(user=request.user, fund=fund)
    return render(request, "funding/fund_detail.html", {
        "section": "funding", "fund": fund, "steps": fund.steps.select_related("organisation"),
        "areas": fund.areas.select_related("committee", "steering_group").prefetch_related("districts"),
        "pipeline": selectors.fund_pipeline(fund=fund), "over_time": selectors.decisions_over_time(fund=fund),
        "outcomes": Decision.Outcome.choices,
        "open_rounds": [r for r in fund.rounds.all() if r.is_open(today)] if applicant_orgs.exists() else [],
        "applications": selectors.application_list(user=request.user, fund=fund)[:200],
        "manages": rights.manages_fund(user=request.user, fund=fund),
    })


def _stale_action(request, app: Application, error: StaleVersionError, differences):
    """A button on an application (submit, decide) pressed over a newer version: the shared 409
    page with the state saved now beside the user's, and the button again."""
    return stale_save(request, "ui/conflict.html", {"section": "funding", "back_url": app.get_absolute_url()},
                      error=error, differences=differences)


def _followup_initial(follow_up: FollowUp, expected) -> dict:
    """The follow-up as stored, in the form's fields."""
    reported = {r.expected_result_id: r for r in follow_up.result_reports.all()}
    initial = {"results": follow_up.results, "implementation_plan": follow_up.implementation_plan,
               "version": follow_up.version}
    for result in expected:
        if result.pk in reported:
            initial[f"value_{result.pk}"] = reported[result.pk].value
            initial[f"comment_{result.pk}"] = reported[result.pk].comment
    return initial


def _form_context(request, *, fund: Fund, form, budget, results, application=None) -> dict:
    return {"section": "funding", "fund": fund, "form": form, "budget_formset": budget,
            "result_formset": results, "application": application}


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request, round_pk: int):
    round_ = get_object_or_404(FundRound.objects.select_related("fund"), pk=round_pk)
    fund = round_.fund
    applicants = rights.applicant_organisations(user=request.user, fund=fund)
    if not applicants.exists():
        raise PermissionDenied(_("You do not act for an organisation that may apply to this fund."))
    year = timezone.localdate().year
    if request.method == "POST":
        form = ApplicationForm(request.POST, fund=fund, applicants=applicants, user=request.user)
        budget = BudgetLineFormSet(request.POST, prefix="budget")
        results = ResultFormSet(request.POST, prefix="results")
        if form.is_valid() and budget.is_valid() and results.is_valid():
            data = form.cleaned_data
            try:
                app = services.application_create(
                    user=request.user, round=round_, area=data["area"], applicant=data["applicant"],
                    fields={k: data[k] for k in services.APPLICATION_FIELDS},
                    districts=list(data["districts"]), goals=list(data["goals"]),
                    budget_lines=filled(budget), results=filled(results),
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("The draft is saved. Submit it when it is complete."))
                return redirect(app)
        status = 400
    else:
        form = ApplicationForm(fund=fund, applicants=applicants, user=request.user, initial={
            "period_start": round_.closes_on, "applicant": applicants.first()})
        budget = BudgetLineFormSet(prefix="budget", initial=[{"year": round_.year}])
        results = ResultFormSet(prefix="results", initial=[{"baseline_year": year - 1, "target_year": year + 1}])
        status = 200
    context = _form_context(request, fund=fund, form=form, budget=budget, results=results)
    context["round"] = round_
    return render(request, "funding/application_form.html", context, status=status)


def _application_stale(request, exc, form, app: Application, *, budget, results) -> HttpResponse:
    current = Application.objects.get(pk=app.pk)
    return stale_save(request, "funding/application_form.html",
                      _form_context(request, fund=app.round.fund, form=form, budget=budget, results=results,
                                    application=current),
                      error=exc, differences=form_differences(form, record_values(current, form.fields)), form=form)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk: int):
    app = get_or_404(selectors.application_get, user=request.user, pk=pk)
    fund = app.round.fund
    if not rights.acts_for_applicant(user=request.user, application=app):
        raise PermissionDenied
    if app.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        messages.error(request, _("Only a draft or a returned application can be changed."))
        return redirect(app)
    applicants = rights.applicant_organisations(user=request.user, fund=fund)
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, instance=app, fund=fund, applicants=applicants, user=request.user,
                               editing=True)
        budget = BudgetLineFormSet(request.POST, prefix="budget")
        results = ResultFormSet(request.POST, prefix="results")
        if form.is_valid() and budget.is_valid() and results.is_valid():
            data = form.cleaned_data
            answer = form_save(
                request, form, lambda: services.application_update(
                    user=request.user, application=Application.objects.get(pk=app.pk),
                    version=data.get("version") or 0, fields={k: data[k] for k in services.APPLICATION_FIELDS},
                    districts=list(data["districts"]), goals=list(data["goals"]),
                    budget_lines=filled(budget), results=filled(results)),
                stale=lambda exc: _application_stale(request, exc, form, app, budget=budget, results=results),
                saved=_("The application is saved."), to=app)
            if answer:
                return answer
        status = 400
    else:
        form = ApplicationForm(instance=app, fund=fund, applicants=applicants, user=request.user, editing=True,
                               initial={"version": app.version})
        budget = BudgetLineFormSet(prefix="budget", initial=[
            {k: getattr(line, k) for k in services.BUDGET_LINE_FIELDS} for line in app.budget_lines.all()])
        results = ResultFormSet(prefix="results", initial=[
            {k: getattr(r, k) for k in services.RESULT_FIELDS} for r in app.expected_results.all()])
    return render(request, "funding/application_form.html",
                  _form_context(request, fund=fund, form=form, budget=budget, results=results, application=app),
                  status=status)


def application_detail(request, pk: int, *, decision_form=None, payment_form=None, attachment_form=None,
                       status: int = 200):
    app = get_or_404(selectors.application_get, user=request.user, pk=pk)
    user = request.user
    step_org = rights.step_organisation(step=app.current_step, application=app) if app.current_step else None
    may_decide = step_org is not None and rights.decides(user=user, organisation=step_org)
    applicant = rights.acts_for_applicant(user=user, application=app)
    editable = applicant and app.status in (Application.Status.DRAFT, Application.Status.RETURNED)
    manages = rights.manages_fund(user=user, fund=app.round.fund)
    granted = app.status == Application.Status.GRANTED
    return render(request, "funding/application_detail.html", {
        "section": "funding", "application": app, "fund": app.round.fund,
        "district_names": district_labels(app.districts.select_related("municipality")),
        "steps": [(s, rights.step_organisation(step=s, application=app)) for s in app.round.fund.steps.all()],
        "step_organisation": step_org, "decisions": app.decisions.select_related("step", "organisation"),
        "smart": selectors.application_smart(application=app, lang=page_language()),
        "editable": editable, "problems": services.submission_problems(app) if editable else [],
        "decision_form": (decision_form or DecisionForm(initial={
            "decided_on": timezone.localdate(), "version": app.version,
            "amount": app.proposed_amount})) if may_decide else None,
        "payment_form": (payment_form or PaymentForm(initial={"paid_on": timezone.localdate()}))
        if manages and granted else None,
        "attachment_form": (attachment_form or AttachmentForm()) if editable else None,
        "payments": app.payments.all(), "follow_ups": app.follow_ups.prefetch_related("result_reports"),
        "reports_follow_up": applicant and granted,
    }, status=status)


@login_required
@require_POST
def application_submit(request, pk: int):
    app = get_or_404(selectors.application_get, user=request.user, pk=pk)
    try:
        services.application_submit(user=request.user, application=app,
                                    version=posted_version(request.POST))
    except StaleVersionError as exc:
        current = Application.objects.get(pk=app.pk)
        return _stale_action(request, app, exc, [difference(
            Application._meta.get_field("status").verbose_name, current.get_status_display(),
            Application.Status.IN_REVIEW.label)])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The application is submitted to %(step)s.") % {"step": app.current_step.name})
    return redirect(app)


@login_required
@require_POST
def application_decide(request, pk: int):
    app = get_or_404(selectors.application_get, user=request.user, pk=pk)
    step_org = rights.step_organisation(step=app.current_step, application=app) if app.current_step else None
    if not rights.decides(user=request.user, organisation=step_org):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.application_decide(user=request.user, application=app, version=data["version"],
                                        outcome=data["outcome"], text=data["text"], decided_on=data["decided_on"],
                                        amount=data["amount"])
        except StaleVersionError as exc:
            last = Decision.objects.filter(application=app).order_by("-pk").first()
            return _stale_action(request, app, exc, [difference(
                Decision._meta.get_field("outcome").verbose_name, last.get_outcome_display() if last else None,
                Decision.Outcome(data["outcome"]).label)])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect(app)
    return application_detail(request, pk, decision_form=form, status=400)


def _application_post(request, pk: int, form, *, shown_as: str, may, act, field: str | None = None,
                      done: str = ""):
    """A form posted on an application's page: `may(app)` or 403; a valid form runs
    `act(app, data)`. A refusal goes onto the form (on `field`, else the whole form) and the
    page comes again with the form as `shown_as` and status 400."""
    app = get_or_404(selectors.application_get, user=request.user, pk=pk)
    if not may(app):
        raise PermissionDenied
    if form.is_valid():
        try:
            act(app, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(field, _errors(exc))
        else:
            if done:
                messages.success(request, done)
            return redirect(app)
    return application_detail(request, pk, status=400, **{shown_as: form})


@login_required
@require_POST
def attachment_upload(request, pk: int):
    return _application_post(
        request, pk, AttachmentForm(request.POST, request.FILES), shown_as="attachment_form", field="file",
        may=lambda app: rights.acts_for_applicant(user=request.user, application=app),
        act=lambda app, data: services.attachment_add(user=request.user, application=app, file=data["file"]))


@login_required
def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment, pk=pk)
    # The application's readers only.
    application = get_or_404(selectors.application_get, user=request.user, pk=attachment.application_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        # The record outlived its file (lost in a move, or a restore from a backup without files):
        # say so to the reader, and to the operator in the log.
        log.warning("attachment %s of application %s: its file %s is missing", attachment.pk, application.pk,
                    attachment.file.name)
        return render(request, "funding/attachment_missing.html",
                      {"attachment": attachment, "application": application}, status=404)
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def payment_create(request, pk: int):
    return _application_post(
        request, pk, PaymentForm(request.POST), shown_as="payment_form", done=_("The payment is registered."),
        may=lambda app: rights.manages_fund(user=request.user, fund=app.round.fund),
        act=lambda app, data: services.payment_register(user=request.user, application=app, **data))


@login_required
def decision_queue(request):
    return render(request, "funding/decision_queue.html", {
        "section": "funding", "queue": [
            (app, rights.step_organisation(step=app.current_step, application=app))
            for app in selectors.decision_queue(user=request.user)],
    })


@login_required
def followup_list(request):
    today = timezone.localdate()
    follow_ups = list(selectors.followups_for(user=request.user))
    for f in follow_ups:
        f.days_overdue = (today - f.due_on).days
    return render(request, "funding/followup_list.html", {
        "section": "funding", "today": today,
        "overdue": [f for f in follow_ups if f.is_overdue(today)],
        "others": [f for f in follow_ups if not f.is_overdue(today)],
    })


def _followup_stale(request, exc, form, follow_up: FollowUp, app: Application, expected) -> HttpResponse:
    current = FollowUp.objects.get(pk=follow_up.pk)
    return stale_save(request, "funding/followup_form.html", {
        "section": "funding", "form": form, "follow_up": current, "application": app,
    }, error=exc, differences=form_differences(form, _followup_initial(current, expected)), form=form)


@login_required
@require_http_methods(["GET", "POST"])
def followup_edit(request, pk: int):
    follow_up = get_object_or_404(FollowUp.objects.select_related("application"), pk=pk)
    app = get_or_404(selectors.application_get, user=request.user, pk=follow_up.application_id)
    if not rights.acts_for_applicant(user=request.user, application=app):
        raise PermissionDenied
    expected = list(app.expected_results.all())
    status = 200
    if request.method == "POST":
        form = FollowUpForm(request.POST, expected_results=expected)
        if form.is_valid():
            data = form.cleaned_data
            answer = form_save(
                request, form, lambda: services.followup_submit(
                    user=request.user, follow_up=follow_up, version=data["version"], results=data["results"],
                    implementation_plan=data["implementation_plan"], values=form.values()),
                stale=lambda exc: _followup_stale(request, exc, form, follow_up, app, expected),
                saved=_("The follow-up is reported."), to=app)
            if answer:
                return answer
        status = 400
    else:
        form = FollowUpForm(initial=_followup_initial(follow_up, expected), expected_results=expected)
    return render(request, "funding/followup_form.html", {
        "section": "funding", "form": form, "follow_up": follow_up, "application": app,
    }, status=status)
