"""The public portal's pages and downloads. No login anywhere; every read goes through
`portal.selectors`, which only ever returns published material, so a guessed URL of an
unpublished plan or dialogue answers 404."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from stadsdel.core.http import get_or_404
from stadsdel.core.tabular_export import csv_writer
from stadsdel.plans.selectors import plan_snapshot
from stadsdel.portal import selectors

GOAL_COLUMNS = (
    "goal_area", "number", "title", "text", "scope", "population_group", "indicators", "baseline_value",
    "baseline_year", "target_value", "target_year", "responsible", "accepted_by", "accepted_on", "follow_up",
    "sub_commitments", "activities",
)


def _url(name: str, *args) -> str:
    # The report pages belong to the follow-up app; where a deployment has none, the portal still
    # lists the report (municipality and year) without a link.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@require_GET
def index(request):
    """Everything published, in one list per kind, filtered by one search box `q`."""
    q = selectors.clean_query(request.GET.get("q"))
    reports = list(selectors.published_followup_reports(q=q))
    for report in reports:
        report.portal_url = _url("followup:report_detail", report.municipality.code, report.year)
    national = list(selectors.published_national_reports(q=q))
    for report in national:
        report.portal_url = _url("followup:national_detail", report.year)
    sections = {
        "plans": selectors.published_plans(q=q),
        "open_plans": selectors.plans_open_for_comment(q=q),
        "reports": reports,
        "national": national,
        "dialogues": selectors.published_dialogues(q=q),
        "indicators": selectors.statistics_catalogue(q=q),
        "evaluations": selectors.published_evaluations(q=q),
    }
    return render(request, "portal/index.html", {
        "section": "portal", "q": q, **sections,
        "found": sum(len(items) for items in sections.values()),
    })


def _json_download(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def plan_json(request, pk: int):
    """A published plan and its goals as JSON: the same record a submission keeps
    (`plans.selectors.plan_snapshot`), with where it comes from."""
    plan = get_or_404(selectors.published_plan_get, pk=pk)
    data = {
        "id": plan.pk,
        "url": request.build_absolute_uri(plan.get_absolute_url()),
        "district": plan.district.name,
        "municipality": plan.district.municipality.name,
        "municipality_code": plan.district.municipality.code,
        "programme": plan.programme.key,
        "plan_version": plan.plan_version,
        "status": plan.status,
        **plan_snapshot(plan=plan),
    }
    return _json_download(data, f"stadsdelsplan-{plan.pk}-{plan.year}.json")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value  # numbers stay numbers; the writer makes text safe


@require_GET
def plan_goals_csv(request, pk: int):
    """A published plan's goals as CSV, one row a goal; lists (districts, indicators, responsible
    bodies in order) are joined with "; "."""
    plan = get_or_404(selectors.published_plan_get, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stadsdelsplan-{plan.pk}-{plan.year}-mal.csv"'
    writer = csv_writer(response)
    writer.writerow(GOAL_COLUMNS)
    for goal in plan_snapshot(plan=plan)["goals"]:
        writer.writerow([_cell(goal[column]) for column in GOAL_COLUMNS])
    return response


@require_GET
def dialogue_json(request, pk: int):
    """A published resident dialogue as JSON (the goals it fed, as far as they are public)."""
    dialogue = get_or_404(selectors.published_dialogue_get, pk=pk)
    data = {
        "id": dialogue.pk,
        "url": request.build_absolute_uri(dialogue.get_absolute_url()),
        "title": dialogue.title,
        "municipality": dialogue.municipality.name,
        "municipality_code": dialogue.municipality.code,
        "districts": sorted(d.name for d in dialogue.districts.all()),
        "held_on": dialogue.held_on,
        "organiser": dialogue.organiser_display,
        "participants": dialogue.participants,
        "participants_description": dialogue.participants_description,
        "themes": dialogue.themes,
        "outcome": dialogue.outcome,
        "goals": [
            {"plan_id": g.plan_id, "programme": g.programme.key, "goal_area": g.goal_area.key, "number": g.number,
             "title": g.title, "text": g.text}
            for g in selectors.public_goals(dialogue=dialogue)
        ],
    }
    return _json_download(data, f"boendedialog-{dialogue.pk}.json")
