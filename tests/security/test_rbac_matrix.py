"""The RBAC matrix: every role against every page and every API operation, with the outcome each
must get. The first two tests fail when a page or an API operation exists without an entry here,
so a new endpoint cannot ship without someone deciding who may use it.

Besides the roles of SPEC.md's table, `applicant` is an applicant for project funds (a member in
the applicant role of Rinkeby-Kista's district administration, which owns the draft application
of the world) and `other_applicant` an applicant of another organisation of the same municipality
(Spånga-Tensta): rights come from each membership, so neither acts for the municipality, and the
other applicant sees nothing of Rinkeby-Kista's applications.

Outcomes: `OK` the request is served (2xx, or a redirect after a successful POST); `DENY` refused
or not revealed (403/404); `LOGIN` an anonymous caller is sent to sign in (302 to /login/) or, in
the API, told to authenticate (401)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLResolver, get_resolver

from stadsdel.api.api import api

ROLES = ("anonymous", "ministry", "municipality_a", "municipality_b", "agency", "analyst", "committee", "applicant",
         "other_applicant")
OK, DENY, LOGIN, FORM = "ok", "deny", "login", "form"  # FORM: the request reached the form and was refused as invalid

ALL_OK = dict.fromkeys(ROLES, OK)


def only(allowed: set[str], *, anonymous: str = LOGIN, others: str = DENY) -> dict[str, str]:
    return {r: (OK if r in allowed else anonymous if r == "anonymous" else others) for r in ROLES}


OWNER = only({"municipality_a"})
OWNER_OR_MINISTRY = only({"municipality_a", "ministry"})
SIGNED_IN = only(set(ROLES) - {"anonymous"})
# A draft of municipality A is its own: anyone else is told it does not exist.
OWN_DRAFT = only({"municipality_a"}, anonymous=DENY)

# (method, url template, data) → outcome per role. Templates use the objects of the `world` fixture.
PAGES: dict[str, tuple[str, str, dict, dict[str, str]]] = {
    "start:home": ("GET", "/", {}, ALL_OK),
    "start:overview": ("GET", "/overview/", {}, SIGNED_IN),  # each sees the sections of their own memberships
    # Everyone signed in sets their own deadline reminders (only their own: the form names no user).
    "reminders:setting": ("POST", "/reminders/", {"deadline_reminders": "on", "language": "sv"}, SIGNED_IN),
    # A background task's page is its owner's (here municipality A's failed task); the system's own
    # tasks, with no owner, any signed-in user's (tests/jobs).
    "jobs:task_detail": ("GET", "/tasks/{task}/", {}, OWNER),
    "jobs:task_state": ("GET", "/tasks/{task}/state/", {}, OWNER),
    "jobs:task_retry": ("POST", "/tasks/{task}/retry/", {}, OWNER),
    "ops:health": ("GET", "/health/", {}, ALL_OK),
    "areas:municipality_list": ("GET", "/municipalities/", {}, ALL_OK),
    "areas:municipality_detail": ("GET", "/municipalities/0136/", {}, ALL_OK),
    "areas:district_list": ("GET", "/districts/", {}, ALL_OK),
    "areas:district_detail": ("GET", "/districts/{jordbro}/", {}, ALL_OK),
    "indicators:district_statistics": ("GET", "/districts/{jordbro}/statistics/", {}, ALL_OK),
    "agreements:agreement_list": ("GET", "/agreements/", {}, ALL_OK),
    "agreements:agreement_detail": ("GET", "/agreements/{agreement}/", {}, ALL_OK),
    "agreements:commission_list": ("GET", "/commissions/", {}, ALL_OK),
    "agreements:commission_detail": ("GET", "/commissions/{commission}/", {}, ALL_OK),
    "agreements:partnership_list": ("GET", "/partnerships/", {}, ALL_OK),
    "agreements:partnership_detail": ("GET", "/partnerships/{partnership}/", {}, ALL_OK),
    "agreements:partnership_edit": ("GET", "/partnerships/{partnership}/edit/", {}, OWNER_OR_MINISTRY),
    "agreements:cooperation_create": ("GET", "/partnerships/{partnership}/cooperation/new/", {}, OWNER_OR_MINISTRY),
    "agreements:cooperation_list": ("GET", "/cooperation/", {}, ALL_OK),
    "agreements:cooperation_detail": ("GET", "/cooperation/{cooperation}/", {}, ALL_OK),
    "agreements:cooperation_edit": ("GET", "/cooperation/{cooperation}/edit/", {}, OWNER_OR_MINISTRY),
    "indicators:indicator_list": ("GET", "/statistics/indicators/", {}, ALL_OK),
    "indicators:indicator_detail": ("GET", "/statistics/indicators/employment_rate_20_64/", {}, ALL_OK),
    "indicators:exclusion_overview": ("GET", "/statistics/exclusion/", {}, ALL_OK),
    # Public aggregates, for everyone (import authors only for the signed-in, as on the import pages).
    "indicators:explore": ("GET", "/statistics/explore/?indicator=employment_rate_20_64&district={jordbro}&country=1",
                           {}, ALL_OK),
    "indicators:statistics_import": ("GET", "/statistics/import/", {}, only({"ministry", "analyst"})),
    "indicators:import_detail": ("GET", "/statistics/imports/{batch}/", {}, ALL_OK),
    "ui:vega_bundle": ("GET", "/assets/vega.js", {}, ALL_OK),
    "ops:audit": ("GET", "/audit/", {}, SIGNED_IN),  # each sees the records of what they own
    "login": ("GET", "/login/", {}, {**dict.fromkeys(ROLES, OK)}),  # signed-in callers are sent on (302)
    "logout": ("POST", "/logout/", {}, ALL_OK),
    "indices:overview": ("GET", "/index/", {}, ALL_OK),
    "indices:model_detail": ("GET", "/index/models/{index_model}/", {}, ALL_OK),
    "indices:typology": ("GET", "/index/typology/", {}, ALL_OK),
    "plans:plan_list": ("GET", "/plans/", {}, ALL_OK),
    "plans:plan_create": ("POST", "/plans/new/", {"district": "{jordbro}", "year": "2012", "period_end": "2014"},
                          {**only({"municipality_a"}, others=FORM)}),
    "plans:plan_detail": ("GET", "/plans/{plan}/", {}, OWN_DRAFT),
    "plans:plan_transition": ("POST", "/plans/{plan}/status/", {"to": "adopted"}, OWNER),
    "plans:plan_revise": ("POST", "/plans/{plan}/revise/", {"year": "2012"}, OWNER),
    "plans:goal_create": ("GET", "/plans/{plan}/goals/new/", {}, OWNER),
    "plans:goal_edit": ("GET", "/plans/{plan}/goals/{goal}/", {}, OWNER),
    "plans:smart_preview": ("POST", "/plans/{plan}/smart/", {}, OWNER),
    "plans:programme_goals": ("GET", "/plans/programmes/stockholm_sammanhallen_stad_2015_2020/", {}, ALL_OK),
    "plans:deadlines": ("GET", "/plans/deadlines/", {}, ALL_OK),
    "plans:deadline_feed": ("GET", "/plans/deadlines.ics", {}, ALL_OK),
    "plans:plan_comments": ("GET", "/plans/{plan}/comments/", {}, ALL_OK),  # open for comment: public
    "plans:plan_moderation": ("GET", "/plans/{plan}/comments/moderate/", {}, OWNER),
    "plans:plan_comments_open": ("POST", "/plans/{plan}/comments/open/", {"open": "0", "version": "{plan_version}"},
                                 OWNER),
    "plans:comment_moderate": ("POST", "/plans/{plan}/comments/{comment}/decision/",
                               {"decision": "approved", "version": "1"}, OWNER),
    "plans:comment_answer": ("POST", "/plans/{plan}/comments/{comment}/answer/", {"answer": "Tack", "version": "1"},
                             OWNER),
    "plans:participation_index": ("GET", "/plans/participation/", {}, ALL_OK),
    "plans:participation": ("GET", "/plans/participation/0136/", {}, ALL_OK),
    "plans:dialogue_create": ("GET", "/plans/participation/0136/dialogues/new/", {}, OWNER),
    "plans:dialogue_detail": ("GET", "/plans/dialogues/{dialogue}/", {}, ALL_OK),
    "plans:dialogue_edit": ("GET", "/plans/dialogues/{dialogue}/edit/", {}, OWNER),
    "followup:report_list": ("GET", "/reports/", {}, ALL_OK),
    "followup:national_detail": ("GET", "/reports/national/2011/", {}, ALL_OK),
    "followup:agency_report": ("GET", "/reports/agencies/forsakringskassan/2010/", {},
                               only({"agency"}, anonymous=DENY)),
    "followup:report_detail": ("GET", "/reports/0136/2011/", {}, ALL_OK),
    "followup:report_edit": ("GET", "/reports/0136/2011/edit/", {}, OWNER),
    "followup:report_status": ("POST", "/reports/0136/2011/status/", {"action": "submit"}, OWNER),
    "portal:index": ("GET", "/portal/", {}, ALL_OK),
    "portal:plan_json": ("GET", "/portal/plans/{plan}.json", {}, dict.fromkeys(ROLES, DENY)),  # not published
    "portal:plan_goals_csv": ("GET", "/portal/plans/{plan}/goals.csv", {}, dict.fromkeys(ROLES, DENY)),
    "portal:dialogue_json": ("GET", "/portal/dialogues/{dialogue}.json", {}, ALL_OK),
    # -- funding pages --
    "funding:index": ("GET", "/funding/", {}, ALL_OK),
    "funding:fund_detail": ("GET", "/funding/funds/{fund}/", {}, ALL_OK),  # guidance and budget use are public
    # Applying is for organisations of the fund's municipality (here Rinkeby-Kista's committee member).
    "funding:application_create": ("GET", "/funding/rounds/{fund_round}/apply/", {},
                                   only({"committee", "applicant", "other_applicant"})),
    # Submitted: read by the municipality's staff, the applicant and the ministry; never anonymously.
    "funding:application_detail": ("GET", "/funding/applications/{fund_app}/", {},
                                   only({"ministry", "analyst", "committee", "applicant"}, anonymous=DENY)),
    "funding:application_edit": ("GET", "/funding/applications/{fund_draft}/edit/", {},
                                 only({"committee", "applicant"})),
    "funding:application_submit": ("POST", "/funding/applications/{fund_draft}/submit/",
                                   {"version": "{fund_draft_version}"}, only({"committee", "applicant"})),
    # At the district committee's step: only its committee members decide.
    "funding:application_decide": ("POST", "/funding/applications/{fund_app}/decide/",
                                   {"outcome": "approve", "decided_on": "2020-01-02", "version": "{fund_app_version}"},
                                   only({"committee"})),
    "funding:attachment_upload": ("POST", "/funding/applications/{fund_draft}/attachments/", {},
                                  {**only(set()), "committee": FORM, "applicant": FORM}),  # no file: the form refuses
    "funding:payment_create": ("POST", "/funding/applications/{fund_granted}/payments/",
                               {"amount": "1", "paid_on": "2020-01-02"}, only(set())),  # the fund owner's
    "funding:attachment_download": ("GET", "/funding/attachments/{fund_attachment}/", {},
                                    only({"ministry", "analyst", "committee", "applicant"})),
    "funding:decision_queue": ("GET", "/funding/decisions/", {}, SIGNED_IN),
    "funding:followup_list": ("GET", "/funding/follow-ups/", {}, SIGNED_IN),
    "funding:followup_edit": ("GET", "/funding/follow-ups/{fund_followup}/", {}, only({"committee", "applicant"})),
    # -- evaluation pages --
    "evaluation:evaluation_list": ("GET", "/evaluation/", {}, ALL_OK),
    "evaluation:evaluation_create": ("GET", "/evaluation/new/", {}, only({"ministry", "analyst"})),
    "evaluation:evaluation_detail": ("GET", "/evaluation/{evaluation}/", {}, ALL_OK),  # published
    # The draft is the analyst's organisation's (Stockholm): the ministry and that analyst edit it.
    "evaluation:evaluation_edit": ("GET", "/evaluation/{evaluation_draft}/edit/", {}, only({"ministry", "analyst"})),
    "evaluation:evaluation_publish": ("POST", "/evaluation/{evaluation_draft}/publish/",
                                      {"version": "{evaluation_draft_version}", "published": "1"},
                                      only({"ministry", "analyst"})),
}

API_OWN_DRAFT = only({"municipality_a"}, anonymous=DENY)
# Operations that take a file (multipart/form-data) rather than JSON: the matrix sends this one.
MULTIPART = {"POST /api/indicators/imports": (
    "figurer.csv", b"indicator,area,period,value,numerator,denominator\nemployment_rate_20_64,01360017,2012,61.0,610,1000\n")}
API_WRITE_OWNER = only({"municipality_a"})
API: dict[str, tuple[str, dict, dict[str, str]]] = {
    # A background task's state (an asynchronous import's): its owner's, like its page.
    "GET /api/tasks/{task_id}": ("/api/tasks/{task}", {}, OWNER),
    "GET /api/areas/municipalities": ("/api/areas/municipalities", {}, ALL_OK),
    "GET /api/areas/municipalities/export.csv": ("/api/areas/municipalities/export.csv", {}, ALL_OK),
    "GET /api/areas/districts": ("/api/areas/districts", {}, ALL_OK),
    "GET /api/areas/districts/export.csv": ("/api/areas/districts/export.csv", {}, ALL_OK),
    "GET /api/areas/municipalities/{code}": ("/api/areas/municipalities/0136", {}, ALL_OK),
    "GET /api/areas/districts/{district_id}": ("/api/areas/districts/{jordbro}", {}, ALL_OK),
    "GET /api/agreements/agreements": ("/api/agreements/agreements", {}, ALL_OK),
    "GET /api/agreements/agreements/export.csv": ("/api/agreements/agreements/export.csv", {}, ALL_OK),
    "GET /api/agreements/partnerships": ("/api/agreements/partnerships", {}, ALL_OK),
    "GET /api/agreements/partnerships/export.csv": ("/api/agreements/partnerships/export.csv", {}, ALL_OK),
    "GET /api/agreements/partnerships/{partnership_id}": ("/api/agreements/partnerships/{partnership}", {}, ALL_OK),
    "PATCH /api/agreements/partnerships/{partnership_id}": (
        "/api/agreements/partnerships/{partnership}", {"version": "{partnership_version}", "basis": "Ny grund"},
        only({"municipality_a", "ministry"})),
    "GET /api/indicators/indicators": ("/api/indicators/indicators", {}, ALL_OK),
    "GET /api/indicators/indicators/export.csv": ("/api/indicators/indicators/export.csv", {}, ALL_OK),
    "GET /api/indicators/observations": ("/api/indicators/observations", {}, ALL_OK),
    "GET /api/indicators/explore": ("/api/indicators/explore?indicator=employment_rate_20_64&municipality=0136",
                                    {}, ALL_OK),
    "GET /api/indicators/observations/export.csv": ("/api/indicators/observations/export.csv", {}, ALL_OK),
    "GET /api/indicators/indicators/{code}": ("/api/indicators/indicators/employment_rate_20_64", {}, ALL_OK),
    "GET /api/indices/models": ("/api/indices/models", {}, ALL_OK),
    "GET /api/indices/models/export.csv": ("/api/indices/models/export.csv", {}, ALL_OK),
    "GET /api/indices/models/{model_id}": ("/api/indices/models/{index_model}", {}, ALL_OK),
    # No area figures in this world: every caller gets the same clear 404.
    "GET /api/indices/models/{model_id}/results": ("/api/indices/models/{index_model}/results", {},
                                                  dict.fromkeys(ROLES, DENY)),
    "GET /api/plans/plans": ("/api/plans/plans", {}, ALL_OK),
    "POST /api/plans/plans": ("/api/plans/plans", {"district_id": "{jordbro}", "year": 2013, "period_end": 2014},
                              API_WRITE_OWNER),
    "GET /api/plans/plans/export.csv": ("/api/plans/plans/export.csv", {}, ALL_OK),
    "GET /api/plans/plans/{plan_id}": ("/api/plans/plans/{plan}", {}, API_OWN_DRAFT),
    "PATCH /api/plans/plans/{plan_id}": ("/api/plans/plans/{plan}", {"version": "{plan_version}", "title": "Ny"},
                                         API_WRITE_OWNER),
    "POST /api/plans/plans/{plan_id}/status": ("/api/plans/plans/{plan}/status", {"to": "adopted"}, API_WRITE_OWNER),
    "GET /api/plans/plans/{plan_id}/goals": ("/api/plans/plans/{plan}/goals", {}, API_OWN_DRAFT),
    "POST /api/plans/plans/{plan_id}/goals": (
        "/api/plans/plans/{plan}/goals", {"goal_area": "arbete", "number": "9.9", "text": "Nytt mål"}, API_WRITE_OWNER),
    "GET /api/plans/goals/{goal_id}": ("/api/plans/goals/{goal}", {}, API_OWN_DRAFT),
    "PUT /api/plans/goals/{goal_id}": (
        "/api/plans/goals/{goal}", {"goal_area": "arbete", "number": "1.1", "text": "Ändrat", "version": "{goal_version}"},
        API_WRITE_OWNER),
    "DELETE /api/plans/goals/{goal_id}": ("/api/plans/goals/{goal}?version={goal_version}", {}, API_WRITE_OWNER),
    "GET /api/plans/goals/{goal_id}/smart": ("/api/plans/goals/{goal}/smart", {}, API_OWN_DRAFT),
    "GET /api/followup/reports": ("/api/followup/reports", {}, ALL_OK),
    "GET /api/followup/reports/export.csv": ("/api/followup/reports/export.csv", {}, ALL_OK),
    "GET /api/followup/reports/{code}/{year}": ("/api/followup/reports/0136/2011", {},
                                                only({"municipality_a", "ministry"}, anonymous=DENY)),
    "PUT /api/followup/reports/{code}/{year}/sections/{key}": (
        "/api/followup/reports/0136/2011/sections/results", {"text": "Resultat", "version": "{section_version}"},
        API_WRITE_OWNER),
    "GET /api/agreements/commissions": ("/api/agreements/commissions", {}, ALL_OK),
    "GET /api/agreements/commissions/export.csv": ("/api/agreements/commissions/export.csv", {}, ALL_OK),
    "GET /api/agreements/commissions/{commission_id}": ("/api/agreements/commissions/{commission}", {}, ALL_OK),
    "GET /api/agreements/cooperation": ("/api/agreements/cooperation", {}, ALL_OK),
    "GET /api/agreements/cooperation/export.csv": ("/api/agreements/cooperation/export.csv", {}, ALL_OK),
    "GET /api/agreements/cooperation/{cooperation_id}": ("/api/agreements/cooperation/{cooperation}", {}, ALL_OK),
    "PATCH /api/agreements/cooperation/{cooperation_id}": (
        "/api/agreements/cooperation/{cooperation}", {"version": "{cooperation_version}", "title": "Ny titel"},
        only({"municipality_a", "ministry"})),
    "POST /api/agreements/partnerships/{partnership_id}/cooperation": (
        "/api/agreements/partnerships/{partnership}/cooperation",
        {"title": "Ny överenskommelse", "partner": "arbetsformedlingen", "district_ids": ["{jordbro}"]},
        only({"municipality_a", "ministry"})),
    "GET /api/areas/boundaries": ("/api/areas/boundaries", {}, ALL_OK),
    "GET /api/areas/boundaries/export.csv": ("/api/areas/boundaries/export.csv", {}, ALL_OK),
    "GET /api/areas/boundaries/{code_system}/features": ("/api/areas/boundaries/deso_2018/features", {}, ALL_OK),
    "GET /api/indicators/imports": ("/api/indicators/imports", {}, ALL_OK),
    "GET /api/indicators/imports/export.csv": ("/api/indicators/imports/export.csv", {}, ALL_OK),
    "GET /api/indicators/imports/{import_id}": ("/api/indicators/imports/{batch}", {}, ALL_OK),
    # Multipart (see MULTIPART): statistics staff and the ministry import.
    "POST /api/indicators/imports": ("/api/indicators/imports", {"format": "csv"}, only({"ministry", "analyst"})),
    "GET /api/plans/dialogues": ("/api/plans/dialogues", {}, ALL_OK),
    "GET /api/plans/dialogues/export.csv": ("/api/plans/dialogues/export.csv", {}, ALL_OK),
    "GET /api/plans/dialogues/{dialogue_id}": ("/api/plans/dialogues/{dialogue}", {}, ALL_OK),
    "POST /api/plans/dialogues": (
        "/api/plans/dialogues", {"municipality_code": "0136", "title": "Dialog", "held_on": "2011-06-01"},
        API_WRITE_OWNER),
    "PATCH /api/plans/dialogues/{dialogue_id}": (
        "/api/plans/dialogues/{dialogue}", {"version": "{dialogue_version}", "title": "Dialog", "themes": "Skola"},
        API_WRITE_OWNER),
    "GET /api/plans/plans/{plan_id}/comments": ("/api/plans/plans/{plan}/comments", {}, ALL_OK),  # open for comment
    "POST /api/plans/comments/{comment_id}/decision": (
        "/api/plans/comments/{comment}/decision", {"status": "approved", "version": "{comment_version}"},
        API_WRITE_OWNER),
    "POST /api/plans/comments/{comment_id}/answer": (
        "/api/plans/comments/{comment}/answer", {"answer": "Tack", "version": "{comment_version}"}, API_WRITE_OWNER),
    "POST /api/followup/reports": ("/api/followup/reports", {"municipality_code": "0136", "year": 2012},
                                   API_WRITE_OWNER),
    "POST /api/followup/reports/{code}/{year}/status": ("/api/followup/reports/0136/2011/status",
                                                        {"action": "submit"}, API_WRITE_OWNER),
    "GET /api/followup/agency-reports": ("/api/followup/agency-reports", {}, ALL_OK),
    "GET /api/followup/agency-reports/export.csv": ("/api/followup/agency-reports/export.csv", {}, ALL_OK),
    # A draft: the agency's own.
    "GET /api/followup/agency-reports/{key}/{year}": ("/api/followup/agency-reports/forsakringskassan/2010", {},
                                                      only({"agency"}, anonymous=DENY)),
    "PUT /api/followup/agency-reports/{key}/{year}": (
        "/api/followup/agency-reports/forsakringskassan/2010", {"text": "Rapport", "version": "{agency_report_version}"},
        only({"agency"})),
    "POST /api/followup/agency-reports/{key}/{year}/submit": (
        "/api/followup/agency-reports/forsakringskassan/2010/submit", {}, only({"agency"})),
    "GET /api/followup/national/{year}": ("/api/followup/national/2011", {}, ALL_OK),
    "PUT /api/followup/national/{year}": ("/api/followup/national/2011", {"published": False}, only({"ministry"})),
    # -- funding API --
    "GET /api/funding/funds": ("/api/funding/funds", {}, ALL_OK),
    "GET /api/funding/funds/export.csv": ("/api/funding/funds/export.csv", {}, ALL_OK),
    "GET /api/funding/funds/{fund_id}": ("/api/funding/funds/{fund}", {}, ALL_OK),
    "GET /api/funding/applications": ("/api/funding/applications", {}, ALL_OK),  # each sees what they may
    "GET /api/funding/applications/export.csv": ("/api/funding/applications/export.csv", {}, ALL_OK),
    "GET /api/funding/applications/{application_id}": ("/api/funding/applications/{fund_app}", {},
                                                       only({"ministry", "analyst", "committee", "applicant"},
                                                            anonymous=DENY)),
    "POST /api/funding/applications": (
        "/api/funding/applications", {"round_id": "{fund_round}", "committee": "stockholm_rinkeby_kista_stadsdelsnamnd",
                                      "applicant": "stockholm_rinkeby_kista_stadsdelsnamnd", "title": "Nytt projekt",
                                      "period_start": "{fund_period_start}", "period_end": "{fund_period_end}"},
        only({"committee", "applicant"})),  # the other applicant may not apply in Rinkeby-Kista's name
    "PATCH /api/funding/applications/{application_id}": (
        "/api/funding/applications/{fund_draft}", {"version": "{fund_draft_version}", "title": "Nytt namn"},
        only({"committee", "applicant"})),
    "POST /api/funding/applications/{application_id}/submit": (
        "/api/funding/applications/{fund_draft}/submit?version={fund_draft_version}", {},
        only({"committee", "applicant"})),
    "POST /api/funding/applications/{application_id}/decide": (
        "/api/funding/applications/{fund_app}/decide", {"version": "{fund_app_version}", "outcome": "approve"},
        only({"committee"})),
    # -- evaluation API --
    "GET /api/evaluation/evaluations": ("/api/evaluation/evaluations", {}, ALL_OK),
    "GET /api/evaluation/evaluations/export.csv": ("/api/evaluation/evaluations/export.csv", {}, ALL_OK),
    "POST /api/evaluation/evaluations": (
        "/api/evaluation/evaluations", {"title": "Ny", "start_year": 2009, "treated_district_ids": "{evaluation_treated}",
                                        "outcomes": ["employment_rate_20_64"]}, only({"ministry", "analyst"})),
    "GET /api/evaluation/evaluations/{evaluation_id}": ("/api/evaluation/evaluations/{evaluation}", {}, ALL_OK),
    "PATCH /api/evaluation/evaluations/{evaluation_id}": (
        "/api/evaluation/evaluations/{evaluation_draft}", {"version": "{evaluation_draft_version}", "title": "Ny"},
        only({"ministry", "analyst"})),
    "GET /api/evaluation/evaluations/{evaluation_id}/results": ("/api/evaluation/evaluations/{evaluation}/results", {},
                                                                ALL_OK),
}


def _pages_in_urlconf() -> set[str]:
    names = set()

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("admin/", "api/", "i18n/")):
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            else:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return names


def _api_operations() -> set[str]:
    spec = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops}


def test_every_page_has_an_entry():
    assert _pages_in_urlconf() == set(PAGES)


def test_every_api_operation_has_an_entry():
    assert _api_operations() == set(API)


@pytest.fixture
def world(db, haninge_user, tmp_path):
    """One of each thing the matrix needs, owned by municipality A (Haninge)."""
    from stadsdel.agreements.models import Agreement, Commission, CooperationAgreement, Partnership
    from stadsdel.areas.models import District
    from stadsdel.followup.models import AgencyReport, FollowUpReport, ReportSection
    from stadsdel.indicators.services.imports import observations_import
    from stadsdel.indices.models import IndexModel
    from stadsdel.plans import services as plan_services
    from stadsdel.plans.models import DistrictPlan, GoalArea, PlanComment, ResidentDialogue

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    DistrictPlan.objects.filter(pk=plan.pk).update(comments_open=True)
    goal = plan_services.goal_create(user=haninge_user, plan=plan, fields={
        "goal_area": GoalArea.objects.get(programme=plan.programme, key="arbete"), "number": "1.1", "text": "Mål"})
    comment = PlanComment.objects.create(plan=plan, text="Bra plan", ip_hash="x" * 64,
                                         status=PlanComment.Status.APPROVED)
    dialogue = ResidentDialogue.objects.create(municipality=jordbro.municipality, held_on=dt.date(2011, 5, 1),
                                               themes="Trygghet", outcome="Fler vuxna ute", published=True)
    report = FollowUpReport.objects.create(municipality=jordbro.municipality, year=2011)
    section = ReportSection.objects.create(report=report, key="results")
    ReportSection.objects.create(report=report, key="partnership")
    agency_report = AgencyReport.objects.create(organisation_id=_org("forsakringskassan"), year=2010, text="Utkast")
    path = tmp_path / "f.csv"
    path.write_text("indicator,area,period,value,numerator,denominator\n"
                    "employment_rate_20_64,01360017,2011,60.0,600,1000\n", encoding="utf-8")
    batch = observations_import(path=path, fmt="csv").batch
    partnership = Partnership.objects.get(key="jordbro")
    plan.refresh_from_db()
    return {
        "jordbro": jordbro.pk, "plan": plan.pk, "plan_version": plan.version, "goal": goal.pk,
        "goal_version": goal.version, "comment": comment.pk, "dialogue": dialogue.pk, "section_version": section.version,
        "agreement": Agreement.objects.filter(municipality__code="0136").first().pk,
        "commission": Commission.objects.first().pk, "partnership": partnership.pk,
        "partnership_version": partnership.version,
        "cooperation": CooperationAgreement.objects.get(key="jordbro_forsakringskassan").pk,
        "cooperation_version": CooperationAgreement.objects.get(key="jordbro_forsakringskassan").version,
        "dialogue_version": dialogue.version, "comment_version": comment.version,
        "agency_report_version": agency_report.version,
        "batch": batch.pk, "index_model": IndexModel.objects.first().pk, "task": _failed_task(haninge_user),
        **_funding_world(haninge_user), **_evaluation_world(haninge_user),
    }


def _failed_task(owner) -> str:
    """A task of the owner's whose worker died: its page, its state and its retry."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from stadsdel.followup.tasks import recompute_reports
    from stadsdel.jobs import services as job_services
    from stadsdel.jobs.models import TaskProgress, WorkerBeat

    result = recompute_reports.enqueue()
    job_services.progress_report(result.id, percent=0, step="", label="Import")
    TaskProgress.objects.filter(task_id=str(result.id)).update(owner=owner)
    DBTaskResult.objects.get(pk=result.id).claim("dead-worker")
    WorkerBeat.objects.create(worker_id="dead-worker", seen_at=timezone.now() - dt.timedelta(minutes=5))
    assert job_services.fail_dead_tasks() == [str(result.id)]
    return str(result.id)


def _funding_world(owner) -> dict:
    """The funding objects the matrix needs: Stockholm's fund (default chain) with a complete
    draft of Rinkeby-Kista's committee (the `committee` role acts for it), an application at the
    district committee's step, and a granted one with its follow-up. The deciding members of the
    other steps are users of their own, outside the matrix's roles."""
    from django.core.files.base import ContentFile

    from stadsdel.accounts.models import Role
    from stadsdel.areas.models import District
    from stadsdel.demo.funding import steering_group_key, stockholm_fund_ensure
    from stadsdel.demo.logins import member_create
    from stadsdel.funding import services as funding_services
    from stadsdel.funding.models import Attachment, FundArea

    rk = "stockholm_rinkeby_kista_stadsdelsnamnd"
    year = dt.date.today().year
    fund, round_ = stockholm_fund_ensure(year=year, budget=5_000_000)
    area = FundArea.objects.get(fund=fund, committee__key=rk)
    applicant = member_create("rbac-sokande", rk, Role.APPLICANT)
    deciders = {"steering": member_create("rbac-styrgrupp", steering_group_key(rk)),
                "committee": member_create("rbac-namnd", rk), "board": member_create("rbac-ks", "stockholm_kommunstyrelsen")}
    rinkeby = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)

    def application(title, steps: tuple[str, ...] = (), submit=True):
        app = funding_services.application_create(
            user=applicant, round=round_, area=area, applicant=area.committee,
            fields={"title": title, "description": "Läxhjälp.", "period_start": dt.date(year, 1, 1),
                    "period_end": dt.date(year, 12, 31), "contact_email": "kontakt@example.org"},
            districts=[rinkeby], budget_lines=[{"year": year, "text": "Personal", "amount": 100_000}],
            results=[{"text": "Fler godkända", "measure": "andel", "baseline_value": 60.0, "baseline_year": year - 1,
                      "target_value": 70.0, "target_year": year}],
        )
        if submit:
            funding_services.application_submit(user=applicant, application=app, version=app.version)
        for who in steps:
            funding_services.application_decide(user=deciders[who], application=app, version=app.version,
                                                outcome="approve")
        app.refresh_from_db()
        return app

    draft = application("Utkast", submit=False)
    at_committee = application("Hos nämnden", ("steering",))
    granted = application("Beviljat", ("steering", "committee", "board"))
    attachment = Attachment(application=at_committee, name="budget.txt")
    attachment.file.save("budget.txt", ContentFile(b"Budget"), save=True)
    return {"fund": fund.pk, "fund_round": round_.pk, "fund_draft": draft.pk, "fund_draft_version": draft.version,
            "fund_app": at_committee.pk, "fund_app_version": at_committee.version, "fund_granted": granted.pk,
            "fund_followup": granted.follow_ups.get().pk, "fund_attachment": attachment.pk,
            "fund_period_start": f"{year}-01-01", "fund_period_end": f"{year}-12-31"}


def _evaluation_world(owner) -> dict:
    """The evaluation objects the matrix needs (a draft and a published evaluation)."""
    from stadsdel.agreements.models import Organisation
    from stadsdel.areas.models import District
    from stadsdel.evaluation.models import Evaluation
    from stadsdel.indicators.models import Indicator

    rinkeby = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)
    employment = Indicator.objects.get(code="employment_rate_20_64")
    made = {}
    for key, org, published in (("evaluation", "arbetsmarknadsdepartementet", True),
                                ("evaluation_draft", "stockholms_kommun", False)):
        evaluation = Evaluation.objects.create(title=f"Utvärdering {key}", start_year=2008, published=published,
                                               owner=Organisation.objects.get(key=org), synth_district=rinkeby)
        evaluation.treated_districts.set([rinkeby])
        evaluation.outcomes.set([employment])
        made[key] = evaluation
    return {"evaluation": made["evaluation"].pk, "evaluation_draft": made["evaluation_draft"].pk,
            "evaluation_draft_version": made["evaluation_draft"].version, "evaluation_treated": [rinkeby.pk]}


def _org(key):
    from stadsdel.agreements.models import Organisation

    return Organisation.objects.get(key=key).pk


@pytest.fixture
def users(ministry_user, haninge_user, malmo_user, agency_user, analyst_user, committee_user, applicant_user,
          other_applicant_user):
    return {"anonymous": None, "ministry": ministry_user, "municipality_a": haninge_user,
            "municipality_b": malmo_user, "agency": agency_user, "analyst": analyst_user,
            "committee": committee_user, "applicant": applicant_user, "other_applicant": other_applicant_user}


def _fill(template: str, world: dict) -> str:
    return template.format(**world)


def _fill_data(data: dict, world: dict) -> dict:
    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return world[value[1:-1]]
        return value

    return {key: fill(value) for key, value in data.items()}


def _outcome(status: int, location: str, *, api_call: bool) -> str:
    if status in (401,) and api_call:
        return LOGIN
    if status == 302 and "/login/" in location:
        return LOGIN
    if status in (403, 404):
        return DENY
    if status == 400:
        return FORM
    if status < 400:
        return OK
    return f"HTTP {status}"


def _as(client, users, role):
    client.logout()
    if users[role] is not None:
        client.force_login(users[role])


def _page_call(client, world, name):
    method, template, data, _expected = PAGES[name]
    url = _fill(template, world)
    response = client.get(url) if method == "GET" else client.post(url, _fill_data(data, world))
    return response, f"{method} {url}"


def _api_call(client, world, operation):
    method = operation.split()[0]
    template, data, _expected = API[operation]
    url = _fill(template, world)
    body = _fill_data(data, world)
    call = getattr(client, method.lower())
    if operation in MULTIPART:
        from django.core.files.uploadedfile import SimpleUploadedFile

        name, content = MULTIPART[operation]
        response = call(url, {**body, "file": SimpleUploadedFile(name, content, content_type="text/csv")})
    elif method in ("GET", "DELETE"):
        response = call(url)
    else:
        response = call(url, body, content_type="application/json")
    return response, f"{operation} ({url})"


def _wrong_outcomes(client, users, role, world, entries: dict, call, *, api_call: bool) -> list[str]:
    """Every entry as `role`, each request in a transaction rolled back afterwards (and signed in
    afresh), so one write (the owner's POST, a sign-out) cannot change what the next request
    meets. The world is built once per role: building it is most of the cost."""
    from django.db import transaction

    wrong = []
    for name, entry in sorted(entries.items()):
        expected = entry[-1][role]
        with transaction.atomic():
            _as(client, users, role)
            response, label = call(client, world, name)
            transaction.set_rollback(True)
        got = _outcome(response.status_code, response.get("Location", ""), api_call=api_call)
        if got != expected:
            wrong.append(f"{role}: {label} gave HTTP {response.status_code}, expected {expected}")
    return wrong


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, world, users, role):
    assert _wrong_outcomes(client, users, role, world, PAGES, _page_call, api_call=False) == []


@pytest.mark.parametrize("role", ROLES)
def test_api(client, world, users, role):
    assert _wrong_outcomes(client, users, role, world, API, _api_call, api_call=True) == []
