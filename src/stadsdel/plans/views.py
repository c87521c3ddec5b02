"""The plan pages: plans the user may read, a plan with its goals per goal area and each goal's
SMART result, the goal form (the SMART result follows the form live, by htmx), the status steps,
revision, the programme's goals by goal area and responsible body, and the deadlines (also as an
iCalendar feed); residents' participation: the municipality's resident dialogues, the public
comment page of a plan open for comments and its moderation page. Views stay thin: selectors read
through the user's scope, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.agreements.selectors import district_list_in_force
from stadsdel.areas.models import Municipality
from stadsdel.core.history import record_history
from stadsdel.core.http import difference, form_differences, form_save, get_or_404, stale_save
from stadsdel.core.language import page_language
from stadsdel.core.versions import StaleVersionError

# The deadlines page shows each follow-up report's date too (an upward read, listed in the
# import contract).
from stadsdel.followup import selectors as followup_selectors
from stadsdel.plans import deadlines as deadline_math
from stadsdel.plans import selectors, services
from stadsdel.plans.compute import smart_check
from stadsdel.plans.forms import (
    CommentAnswerForm,
    CommentModerationForm,
    CommentsOpenForm,
    GoalForm,
    PlanCommentForm,
    PlanCreateForm,
    ResidentDialogueForm,
    ReviseForm,
)
from stadsdel.plans.models import DistrictPlan, Goal, PlanComment, Programme, ResidentDialogue
from stadsdel.plans.smart import goal_input, goal_smart, smart_history
from stadsdel.ui import charts
from stadsdel.ui.templatetags.stadsdel import in_language

LETTERS = ("S", "M", "A", "R", "T")


def plan_list(request):
    scope = scope_for(request.user)
    form = None
    if scope.coordinated_municipality_ids:
        form = PlanCreateForm(municipality_ids=scope.coordinated_municipality_ids,
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
    form = PlanCreateForm(request.POST, municipality_ids=scope.coordinated_municipality_ids)
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
    lang = page_language()
    goals = list(selectors.plan_goals(plan=plan))
    progress = selectors.goal_progress(plan=plan, goals=goals)
    for goal in goals:
        result = goal_smart(goal=goal, lang=lang)
        p = progress[goal.pk]
        trend = ""
        if p["indicator"] is not None and any(v is not None for _y, v in p["series"]):
            # A small SVG drawn on the server: the page needs no chart script for it.
            trend = charts.chart_svg(charts.goal_trend_chart(
                [{"year": y, "value": v} for y, v in p["series"]], target=goal.target_value,
                decimals=p["indicator"].decimals,
                description=_("%(indicator)s in %(district)s per year; the dashed line is the target.") % {
                    "indicator": in_language(p["indicator"]), "district": plan.district.name}))
        rows.append({"goal": goal, "smart": [(letter, result[letter]) for letter in LETTERS],
                     "progress": p, "trend_svg": trend})
    return rows


def plan_detail(request, pk: int):
    plan = get_or_404(selectors.plan_get, user=request.user, pk=pk)
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
    plan = get_or_404(selectors.plan_get, user=request.user, pk=pk)
    try:
        services.plan_transition(user=request.user, plan=plan, to=request.POST.get("to", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except StaleVersionError as exc:
        current = DistrictPlan.objects.get(pk=plan.pk)
        to = request.POST.get("to", "")
        return _stale_action(request, plan, exc, [difference(
            DistrictPlan._meta.get_field("status").verbose_name, current.get_status_display(),
            DistrictPlan.Status(to).label if to in DistrictPlan.Status.values else to)])
    else:
        messages.success(request, _("The plan is now %(status)s.") % {"status": plan.get_status_display()})
    return redirect(plan)


def _stale_action(request, plan: DistrictPlan, error: StaleVersionError, differences, back_url: str = ""):
    """A button on a plan (a step, a moderation) pressed over a newer version: the shared 409 page
    with the state saved now beside the user's, and the button again."""
    return stale_save(request, "ui/conflict.html",
                      {"section": "plans", "back_url": back_url or plan.get_absolute_url()},
                      error=error, differences=differences)


@login_required
@require_POST
def plan_revise(request, pk: int):
    plan = get_or_404(selectors.plan_get, user=request.user, pk=pk)
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
        lang=page_language(),
    ), smart_history(indicator=indicator), lang=page_language())


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, plan_pk: int, goal_pk: int | None = None):
    plan = get_or_404(selectors.plan_get, user=request.user, pk=plan_pk)
    if not scope_for(request.user).edits_own_municipality(plan.district.municipality_id):
        raise PermissionDenied
    goal = get_object_or_404(Goal, pk=goal_pk, plan=plan) if goal_pk else None
    if request.method == "GET":
        form = GoalForm(plan=plan, initial=GoalForm.initial_for(goal) if goal else {"number": ""})
        smart = goal_smart(goal=goal, lang=page_language()) if goal else None
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
    except StaleVersionError as exc:
        current = Goal.objects.get(pk=goal.pk)
        return stale_save(request, "plans/goal_form.html", _goal_context(plan, goal, form, None), error=exc,
                          differences=form_differences(form, GoalForm.initial_for(current)), form=form)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _goal_page(request, plan, goal, form, None, status=400)
    messages.success(request, _("The goal %(number)s was saved.") % {"number": goal.number})
    return redirect(f"{plan.get_absolute_url()}#goal-{goal.pk}")


def _goal_context(plan, goal, form, smart) -> dict:
    if smart is None and form.is_bound and form.is_valid():
        smart = _smart_from_form(form, plan)
    return {
        "section": "plans", "plan": plan, "goal": goal, "form": form,
        "smart": [(letter, smart[letter]) for letter in LETTERS] if smart else None,
    }


def _goal_page(request, plan, goal, form, smart, status=200):
    return render(request, "plans/goal_form.html", _goal_context(plan, goal, form, smart), status=status)


@login_required
@require_POST
def smart_preview(request, plan_pk: int):
    """The SMART result of the goal form as it is now (an htmx fragment; nothing is saved)."""
    plan = get_or_404(selectors.plan_get, user=request.user, pk=plan_pk)
    form = GoalForm(request.POST, plan=plan)
    smart = _smart_from_form(form, plan) if form.is_valid() else None
    baseline, fill = None, None
    if form.is_valid():
        d = form.cleaned_data
        baseline = selectors.stored_baseline(indicator=d.get("indicator"), districts=d.get("scope_districts") or [],
                                             year=d.get("baseline_year"))
        if baseline is not None:
            typed = d.get("baseline_value")
            baseline["typed"] = typed
            baseline["differs"] = typed is not None and abs(typed - baseline["value"]) > 10 ** -(baseline["decimals"] + 1)
            if typed is None:
                # An empty baseline is filled from the stored figure (htmx swaps the field in).
                data = request.POST.copy()
                data["baseline_value"] = str(round(baseline["value"], baseline["decimals"] + 1))
                fill = GoalForm(data, plan=plan)["baseline_value"].as_widget(attrs={"hx-swap-oob": "true"})
    return render(request, "plans/_smart.html", {
        "smart": [(letter, smart[letter]) for letter in LETTERS] if smart else None, "form": form,
        "baseline": baseline, "baseline_fill": fill,
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


def _municipality_choice(request) -> str | None:
    """The municipality the deadlines show: `?municipality=` (empty or "all": every one the user
    may read); without it a coordinator's own municipality, everyone else all."""
    if "municipality" in request.GET:
        code = request.GET["municipality"]
        return None if code in ("", "all") else code
    own = Municipality.objects.filter(pk__in=scope_for(request.user).coordinated_municipality_ids).order_by("name")
    first = own.first()
    return first.code if first else None


def deadline_overview(request):
    """What is due when: each district's plan (31 December) and each municipality's follow-up
    (1 December), done on time, late, due or overdue. Opens on the latest year with agreements in
    force and, for a coordinator, on their own municipality."""
    today = timezone.localdate()
    years = selectors.deadline_years(user=request.user)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = selectors.deadline_default_year(user=request.user, today=today)
    municipality = _municipality_choice(request)
    items = selectors.plan_deadlines(user=request.user, year=year, today=today, municipality_code=municipality,
                                     with_reports=True,
                                     reports_submitted=followup_selectors.reports_submitted_on(year=year))
    return render(request, "plans/deadlines.html", {
        "section": "plans", "year": year, "items": items, "municipality": municipality,
        "counts": {status: sum(1 for d in items if d.status == status) for status in
                   (deadline_math.DONE, deadline_math.DONE_LATE, deadline_math.DUE, deadline_math.OVERDUE)},
        "years": sorted(set(years) | {year}),
        "municipalities": Municipality.objects.filter(
            pk__in=district_list_in_force(user=request.user, year=year).values("municipality_id"),
        ).order_by("name"),
    })


def deadline_feed(request):
    """The deadlines as an iCalendar feed (subscribe in any calendar); `?municipality=0136`."""
    today = timezone.localdate()
    municipality = request.GET.get("municipality") or None
    items = []
    for year in range(today.year - 1, today.year + 2):
        items += selectors.plan_deadlines(user=request.user, year=year, today=today, municipality_code=municipality,
                                          with_reports=True,
                                          reports_submitted=followup_selectors.reports_submitted_on(year=year))
    body = deadline_math.ical(items, name=_("Stadsdel: deadlines"), stamp=dt.datetime.now(dt.UTC),
                              host=request.get_host().split(":")[0] or "stadsdel")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="stadsdel-deadlines.ics"'
    return response


# -- residents' participation ---------------------------------------------------------------------


def participation_index(request):
    """Where residents take part: each municipality with dialogues the user may read or plans
    open for comments, and the user's own municipalities."""
    scope = scope_for(request.user)
    ids = set(selectors.dialogue_list(user=request.user).values_list("municipality_id", flat=True))
    ids |= set(selectors.plans_open_for_comment().values_list("district__municipality_id", flat=True))
    ids |= set(scope.municipality_ids)
    return render(request, "plans/participation_index.html", {
        "section": "plans", "municipalities": Municipality.objects.filter(pk__in=ids).order_by("name"),
    })


def participation(request, code: str):
    """A municipality's resident dialogues and its plans open for comments; its coordinators also
    find the forms and the moderation of comments here."""
    municipality = get_object_or_404(Municipality, code=code)
    editable = scope_for(request.user).edits_own_municipality(municipality.pk)
    moderated = []
    if editable:
        # Every plan of the municipality: any of them can be opened for comments from its page.
        moderated = selectors.plan_list(user=request.user).filter(district__municipality=municipality).annotate(
            pending=Count("comments", filter=Q(comments__status=PlanComment.Status.PENDING)),
        )
    return render(request, "plans/participation.html", {
        "section": "plans", "municipality": municipality, "editable": editable,
        "dialogues": selectors.dialogue_list(user=request.user, municipality_id=municipality.pk),
        "open_plans": selectors.plans_open_for_comment(municipality_id=municipality.pk),
        "moderated": moderated,
    })


def dialogue_detail(request, pk: int):
    dialogue = get_or_404(selectors.dialogue_get, user=request.user, pk=pk)
    scope = scope_for(request.user)
    return render(request, "plans/dialogue_detail.html", {
        "section": "plans", "dialogue": dialogue,
        "goals": selectors.dialogue_goals(user=request.user, dialogue=dialogue),
        "editable": scope.edits_own_municipality(dialogue.municipality_id),
        # Who edited is staff information; the public reads the dialogue itself.
        "history": record_history(record=dialogue) if scope.reads_municipality(dialogue.municipality_id) else None,
    })


def _dialogue_relations(form: ResidentDialogueForm) -> dict:
    return {"districts": list(form.cleaned_data["districts"]), "goals": list(form.cleaned_data["goals"])}


@login_required
@require_http_methods(["GET", "POST"])
def dialogue_create(request, code: str):
    municipality = get_object_or_404(Municipality, code=code)
    if not scope_for(request.user).edits_own_municipality(municipality.pk):
        raise PermissionDenied
    form = ResidentDialogueForm(request.POST or None, municipality_id=municipality.pk)
    if request.method == "POST" and form.is_valid():
        answer = form_save(request, form, lambda: services.dialogue_create(
            user=request.user, municipality=municipality, fields=form.service_fields(), **_dialogue_relations(form)),
            saved=_("The resident dialogue was saved."))
        if answer:
            return answer
    return render(request, "plans/dialogue_form.html", {
        "section": "plans", "municipality": municipality, "dialogue": None, "form": form,
    }, status=400 if form.is_bound else 200)


def _dialogue_stale(request, exc, form, dialogue: ResidentDialogue):
    current = ResidentDialogue.objects.get(pk=dialogue.pk)
    return stale_save(request, "plans/dialogue_form.html", {
        "section": "plans", "municipality": current.municipality, "dialogue": current, "form": form,
    }, error=exc, differences=form_differences(form, ResidentDialogueForm.initial_for(current)), form=form)


@login_required
@require_http_methods(["GET", "POST"])
def dialogue_edit(request, pk: int):
    dialogue = get_or_404(selectors.dialogue_get, user=request.user, pk=pk)
    if not scope_for(request.user).edits_own_municipality(dialogue.municipality_id):
        raise PermissionDenied
    if request.method == "GET":
        form = ResidentDialogueForm(initial=ResidentDialogueForm.initial_for(dialogue),
                                    municipality_id=dialogue.municipality_id)
    else:
        form = ResidentDialogueForm(request.POST, municipality_id=dialogue.municipality_id)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            answer = form_save(request, form, lambda: services.dialogue_update(
                user=request.user, dialogue=dialogue, version=form.cleaned_data["version"] or 0,
                fields=form.service_fields(), **_dialogue_relations(form)),
                stale=lambda exc: _dialogue_stale(request, exc, form, dialogue),
                saved=_("The resident dialogue was saved."), to=dialogue)
            if answer:
                return answer
    return render(request, "plans/dialogue_form.html", {
        "section": "plans", "municipality": dialogue.municipality, "dialogue": dialogue, "form": form,
    }, status=status)


def _client_ip(request) -> str:
    # The socket's peer. Behind a reverse proxy this is the proxy, so every client would share one
    # limit; such a deployment must have the proxy set REMOTE_ADDR (e.g. nginx's realip module).
    return request.META.get("REMOTE_ADDR", "")


def _comment_page(request, plan, form, status=200, refusal=""):
    return render(request, "plans/plan_comments.html", {
        "section": "plans", "plan": plan, "form": form, "refusal": refusal,
        "comments": selectors.comments_public(plan=plan),
        "goals": selectors.plan_goals(plan=plan) if plan.comments_open else None,
        "limit_per_hour": services.COMMENTS_PER_CLIENT_PER_HOUR,
    }, status=status)


@require_http_methods(["GET", "POST"])
def plan_comments(request, pk: int):
    """The public comment page of a plan: anyone, without an account, reads the plan open for
    comments and its approved comments with the answers, and sends a comment for moderation."""
    plan = get_or_404(selectors.plan_commentable_get, pk=pk)
    if request.method == "GET":
        return _comment_page(request, plan, PlanCommentForm() if plan.comments_open else None)
    if not plan.comments_open:
        raise PermissionDenied
    form = PlanCommentForm(request.POST)
    if not form.is_valid():
        return _comment_page(request, plan, form, status=400)
    thanks = _("Thank you. Your comment will be shown here once the municipality has read it.")
    if form.is_bot():
        # Answer the bot as if it had succeeded, so it learns nothing; nothing is stored.
        messages.success(request, thanks)
        return redirect("plans:plan_comments", pk=plan.pk)
    try:
        services.comment_create(plan=plan, text=form.cleaned_data["text"], name=form.cleaned_data["name"],
                                ip=_client_ip(request))
    except services.CommentsClosed:
        raise PermissionDenied from None
    except services.CommentRateLimited as exc:
        if exc.per == "client":
            refusal = _("You have sent %(n)s comments in the last hour, which is as many as we accept from one "
                        "connection. Please wait an hour and send your comment again.") % {
                "n": services.COMMENTS_PER_CLIENT_PER_HOUR}
            retry = 3600
        else:
            refusal = _("The plan has received as many comments today as we can moderate. Please send your comment "
                        "again tomorrow.")
            retry = 24 * 3600
        response = _comment_page(request, plan, form, status=429, refusal=refusal)
        response["Retry-After"] = str(retry)
        return response
    except ValidationError as exc:
        form.add_error(None, exc)
        return _comment_page(request, plan, form, status=400)
    messages.success(request, thanks)
    return redirect("plans:plan_comments", pk=plan.pk)


def _moderated_plan(request, pk: int) -> DistrictPlan:
    plan = get_or_404(selectors.plan_get, user=request.user, pk=pk)
    if not scope_for(request.user).edits_own_municipality(plan.district.municipality_id):
        raise PermissionDenied
    return plan


@login_required
def plan_moderation(request, pk: int):
    """The municipality's coordinators: open or close the plan for comments, approve or reject
    each comment, and answer the approved ones."""
    plan = _moderated_plan(request, pk)
    comments = list(selectors.comments_for_moderation(plan=plan))
    for comment in comments:
        comment.answer_form = CommentAnswerForm(initial={"answer": comment.answer, "version": comment.version},
                                                auto_id=f"id_c{comment.pk}_%s")
    return render(request, "plans/plan_moderation.html", {
        "section": "plans", "plan": plan, "comments": comments,
        "pending": sum(1 for c in comments if c.status == PlanComment.Status.PENDING),
    })


def _moderated_comment(request, pk: int, comment_pk: int) -> tuple[DistrictPlan, PlanComment]:
    plan = _moderated_plan(request, pk)
    return plan, get_object_or_404(PlanComment.objects.select_related("plan__district"), pk=comment_pk, plan=plan)


def _moderation_url(plan: DistrictPlan, comment: PlanComment) -> str:
    return f"{reverse('plans:plan_moderation', args=[plan.pk])}#comment-{comment.pk}"


def _comment_action(request, pk: int, comment_pk: int, *, form_class, field: str, act, done, shown=None):
    """Moderate or answer a comment: `act(comment, data)` runs the service with the valid form's
    data; a stale version shows the comment's saved `field` against the submitted one (each value
    as `shown` names it), a refusal its reasons, success the `done(comment)` message."""
    shown = shown or (lambda value: value)
    plan, comment = _moderated_comment(request, pk, comment_pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(comment, form.cleaned_data)
        except StaleVersionError as exc:
            current = PlanComment.objects.get(pk=comment.pk)
            return _stale_action(request, plan, exc, [difference(
                PlanComment._meta.get_field(field).verbose_name, shown(getattr(current, field)),
                shown(form.cleaned_data[field]))],
                back_url=_moderation_url(plan, comment))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, done(comment))
    return redirect(_moderation_url(plan, comment))


def _status_name(status: str) -> str:
    return PlanComment.Status(status).label if status in PlanComment.Status.values else status


@login_required
@require_POST
def comment_moderate(request, pk: int, comment_pk: int):
    return _comment_action(
        request, pk, comment_pk, form_class=CommentModerationForm, field="status", shown=_status_name,
        act=lambda comment, data: services.comment_moderate(
            user=request.user, comment=comment, version=data["version"], status=data["status"]),
        done=lambda comment: _("The comment is now %(status)s.") % {"status": comment.get_status_display()},
    )


@login_required
@require_POST
def comment_answer(request, pk: int, comment_pk: int):
    return _comment_action(
        request, pk, comment_pk, form_class=CommentAnswerForm, field="answer",
        act=lambda comment, data: services.comment_answer(
            user=request.user, comment=comment, version=data["version"], answer=data["answer"]),
        done=lambda comment: _("The answer was saved."),
    )


@login_required
@require_POST
def plan_comments_open(request, pk: int):
    plan = _moderated_plan(request, pk)
    form = CommentsOpenForm(request.POST)
    if form.is_valid():
        try:
            services.plan_update(user=request.user, plan=plan, version=form.cleaned_data["version"],
                                 fields={"comments_open": form.cleaned_data["comments_open"]})
        except StaleVersionError as exc:
            current = DistrictPlan.objects.get(pk=plan.pk)
            return _stale_action(request, plan, exc, [difference(
                DistrictPlan._meta.get_field("comments_open").verbose_name, current.comments_open,
                form.cleaned_data["comments_open"])], back_url=reverse("plans:plan_moderation", args=[plan.pk]))
        else:
            messages.success(request, _("The plan is now open for comments.") if plan.comments_open
                             else _("The plan is now closed for comments."))
    return redirect("plans:plan_moderation", pk=plan.pk)
