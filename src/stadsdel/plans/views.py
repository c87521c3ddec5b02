"""The plan pages: plans the user may read, a plan with its goals per goal area and each goal's
SMART result, the goal form (the SMART result follows the form live, by htmx), the status steps,
revision, the programme's goals by goal area and responsible body, and the deadlines (also as an
iCalendar feed). Views stay thin: selectors read through the user's scope, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.agreements.services import StaleVersionError
from stadsdel.plans import deadlines as deadline_math
from stadsdel.plans import selectors, services
from stadsdel.plans.compute import smart_check
from stadsdel.plans.forms import GoalForm, PlanCreateForm, ReviseForm
from stadsdel.plans.models import DistrictPlan, Goal, Programme
from stadsdel.plans.smart import goal_input, goal_smart, smart_history

LETTERS = ("S", "M", "A", "R", "T")


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "sv"


def _plan_or_404(request, pk: int) -> DistrictPlan:
    try:
        return selectors.plan_get(user=request.user, pk=pk)
    except DistrictPlan.DoesNotExist:
        raise Http404 from None


def plan_list(request):
    scope = scope_for(request.user)
    form = None
    if scope.municipality_ids:
        form = PlanCreateForm(municipality_ids=scope.municipality_ids,
                              initial={"year": timezone.localdate().year, "period_end": timezone.localdate().year})
        if not form.fields["district"].queryset.exists():
            form = None
    return render(request, "plans/plan_list.html", {
        "section": "plans", "plans": selectors.plan_list(user=request.user), "create_form": form,
    })


@login_required
@require_POST
def plan_create(request):
    scope = scope_for(request.user)
    form = PlanCreateForm(request.POST, municipality_ids=scope.municipality_ids)
    if form.is_valid():
        try:
            plan = services.plan_create(user=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(plan)
    return render(request, "plans/plan_list.html", {
        "section": "plans", "plans": selectors.plan_list(user=request.user), "create_form": form,
    }, status=400)


def _goal_rows(plan: DistrictPlan):
    rows = []
    lang = _lang()
    for goal in selectors.plan_goals(plan=plan):
        result = goal_smart(goal=goal, lang=lang)
        rows.append({"goal": goal, "smart": [(letter, result[letter]) for letter in LETTERS]})
    return rows


def plan_detail(request, pk: int):
    plan = _plan_or_404(request, pk)
    scope = scope_for(request.user)
    editable = scope.edits_own_municipality(plan.district.municipality_id)
    rows = _goal_rows(plan)
    areas = [(area, [r for r in rows if r["goal"].goal_area_id == area.pk]) for area in plan.programme.goal_areas.all()]
    step = services.TRANSITIONS.get(plan.status)
    can_step = step is not None and (scope.national if step[1] == "ministry" else editable)
    return render(request, "plans/plan_detail.html", {
        "section": "plans", "plan": plan, "areas": areas, "editable": editable,
        "next_status": step[0] if can_step else None,
        "next_status_label": DistrictPlan.Status(step[0]).label if can_step else "",
        "changes": selectors.plan_changes_since_submission(plan=plan),
        "revise_form": ReviseForm(initial={"year": plan.year + 1}) if editable else None,
        "versions": _versions(plan),
    })


def _versions(plan: DistrictPlan) -> list[DistrictPlan]:
    chain = []
    current = plan
    while current.previous_id is not None:
        current = current.previous
        chain.append(current)
    later = []
    current = plan
    while hasattr(current, "next_version"):
        current = current.next_version
        later.append(current)
    return [*reversed(later), plan, *chain]


@login_required
@require_POST
def plan_transition(request, pk: int):
    plan = _plan_or_404(request, pk)
    try:
        services.plan_transition(user=request.user, plan=plan, to=request.POST.get("to", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except StaleVersionError:
        messages.error(request, _("The plan changed while you were looking at it; look again and retry."))
    else:
        messages.success(request, _("The plan is now %(status)s.") % {"status": plan.get_status_display()})
    return redirect(plan)


@login_required
@require_POST
def plan_revise(request, pk: int):
    plan = _plan_or_404(request, pk)
    form = ReviseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the year of the revised plan."))
        return redirect(plan)
    try:
        new = services.plan_revise(user=request.user, plan=plan, year=form.cleaned_data["year"])
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(plan)
    messages.success(request, _("The plan was copied into version %(version)s for %(year)s; the earlier version "
                                "is kept as it was.") % {"version": new.plan_version, "year": new.year})
    return redirect(new)


def _smart_from_form(form: GoalForm, plan: DistrictPlan):
    d = form.cleaned_data
    indicator = d.get("indicator")
    return smart_check(goal_input(
        plan=plan, goal_area=d.get("goal_area"), scope_districts=d.get("scope_districts") or [],
        population_group=d.get("population_group", ""), indicator=indicator,
        baseline_value=d.get("baseline_value"), baseline_year=d.get("baseline_year"),
        target_value=d.get("target_value"), target_year=d.get("target_year"), responsible=form.responsible(),
        accepted_by=d.get("accepted_by", ""), accepted_on=d.get("accepted_on"), text=d.get("text", ""),
    ), smart_history(indicator=indicator), lang=_lang())


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, plan_pk: int, goal_pk: int | None = None):
    plan = _plan_or_404(request, plan_pk)
    if not scope_for(request.user).edits_own_municipality(plan.district.municipality_id):
        raise PermissionDenied
    goal = get_object_or_404(Goal, pk=goal_pk, plan=plan) if goal_pk else None
    if request.method == "GET":
        form = GoalForm(plan=plan, initial=GoalForm.initial_for(goal) if goal else {"number": ""})
        smart = goal_smart(goal=goal, lang=_lang()) if goal else None
        return _goal_page(request, plan, goal, form, smart)
    form = GoalForm(request.POST, plan=plan)
    if not form.is_valid():
        return _goal_page(request, plan, goal, form, None, status=400)
    relations = {"scope_districts": list(form.cleaned_data["scope_districts"]),
                 "indicators": [form.cleaned_data["indicator"]] if form.cleaned_data["indicator"] else [],
                 "responsible": form.responsible()}
    try:
        if goal is None:
            goal = services.goal_create(user=request.user, plan=plan, fields=form.service_fields(), **relations)
        else:
            goal = services.goal_update(user=request.user, goal=goal, version=form.cleaned_data["version"] or 0,
                                        fields=form.service_fields(), **relations)
    except StaleVersionError:
        form.add_error(None, _("Someone saved this goal after you opened it. Your changes were not saved; "
                               "open the goal again to see the current version."))
        return _goal_page(request, plan, goal, form, None, status=409)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _goal_page(request, plan, goal, form, None, status=400)
    messages.success(request, _("The goal %(number)s was saved.") % {"number": goal.number})
    return redirect(f"{plan.get_absolute_url()}#goal-{goal.pk}")


def _goal_page(request, plan, goal, form, smart, status=200):
    if smart is None and form.is_bound and form.is_valid():
        smart = _smart_from_form(form, plan)
    return render(request, "plans/goal_form.html", {
        "section": "plans", "plan": plan, "goal": goal, "form": form,
        "smart": [(letter, smart[letter]) for letter in LETTERS] if smart else None,
    }, status=status)


@login_required
@require_POST
def smart_preview(request, plan_pk: int):
    """The SMART result of the goal form as it is now (an htmx fragment; nothing is saved)."""
    plan = _plan_or_404(request, plan_pk)
    form = GoalForm(request.POST, plan=plan)
    smart = _smart_from_form(form, plan) if form.is_valid() else None
    return render(request, "plans/_smart.html", {
        "smart": [(letter, smart[letter]) for letter in LETTERS] if smart else None, "form": form,
    })


def programme_goals(request, key: str):
    """A programme's goals by goal area, filterable by responsible body ("which goals does the
    housing company answer for?")."""
    programme = get_object_or_404(Programme, key=key)
    goals = programme.goals.filter(plan__isnull=True).select_related("goal_area", "follow_up", "parent").prefetch_related(
        "responsibilities__organisation", "sub_commitments__responsibilities__organisation",
    )
    bodies = Organisation.objects.filter(
        Q(responsibilities__goal__programme=programme) | Q(responsibilities__sub_commitment__goal__programme=programme),
    ).distinct().order_by("name")
    chosen = request.GET.get("responsible") or ""
    body = bodies.filter(key=chosen).first() if chosen else None
    if body is not None:
        goals = goals.filter(
            Q(responsibilities__organisation=body) | Q(sub_commitments__responsibilities__organisation=body),
        ).distinct()
    areas = [(area, [g for g in goals if g.goal_area_id == area.pk]) for area in programme.goal_areas.all()]
    return render(request, "plans/programme_goals.html", {
        "section": "plans", "programme": programme, "areas": areas, "bodies": bodies, "body": body,
    })


def _deadline_list(request, year: int, municipality: str | None):
    return selectors.plan_deadlines(user=request.user, year=year, today=timezone.localdate(),
                                    municipality_code=municipality)


def deadline_overview(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = selectors.deadline_default_year(today=today)
    municipality = request.GET.get("municipality") or None
    items = _deadline_list(request, year, municipality)
    return render(request, "plans/deadlines.html", {
        "section": "plans", "year": year, "items": items, "municipality": municipality,
        "counts": {status: sum(1 for d in items if d.status == status) for status in
                   (deadline_math.DONE, deadline_math.DONE_LATE, deadline_math.DUE, deadline_math.OVERDUE)},
        "years": list(range(year - 3, year + 2)),
    })


def deadline_feed(request):
    """The deadlines as an iCalendar feed (subscribe in any calendar); `?municipality=0136`."""
    today = timezone.localdate()
    municipality = request.GET.get("municipality") or None
    items = []
    for year in range(today.year - 1, today.year + 2):
        items += selectors.plan_deadlines(user=request.user, year=year, today=today, municipality_code=municipality,
                                          with_reports=True)
    body = deadline_math.ical(items, name=_("Stadsdel: deadlines"), stamp=dt.datetime.now(dt.UTC),
                              host=request.get_host().split(":")[0] or "stadsdel")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="stadsdel-deadlines.ics"'
    return response
