"""Every versioned write of the API refuses a write to an existing record that does not carry the
record's current version: version 0, no version at all, or an older one is 409 with the version
now stored, and nothing changes (issue 15, finding 6: `PUT /api/followup/agency-reports/…` with
`"version": 0` used to overwrite a newer version). A write that creates the record (an agency's
or the national report for a new year) needs no version."""

from __future__ import annotations

import datetime as dt

import funding_cast
import pytest
from django.core import serializers
from django.db.models import F

from stadsdel.api.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _record, token = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _plan(user):
    from stadsdel.areas.models import District
    from stadsdel.plans import services as plan_services

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    return plan_services.plan_create(user=user, district=jordbro, year=2011, period_end=2014)


def _goal(user):
    from stadsdel.plans import services as plan_services
    from stadsdel.plans.models import GoalArea

    plan = _plan(user)
    return plan_services.goal_create(user=user, plan=plan, fields={
        "goal_area": GoalArea.objects.get(programme=plan.programme, key="arbete"), "number": "1.1", "text": "Mål"})


def _comment(user):
    from stadsdel.plans.models import PlanComment

    return PlanComment.objects.create(plan=_plan(user), text="Bra plan", ip_hash="x" * 64,
                                      status=PlanComment.Status.APPROVED)


def _dialogue(user):
    from stadsdel.areas.models import Municipality
    from stadsdel.plans.models import ResidentDialogue

    return ResidentDialogue.objects.create(municipality=Municipality.objects.get(code="0136"),
                                           held_on=dt.date(2011, 5, 1), themes="Trygghet", outcome="Fler vuxna ute")


def _section(user):
    from stadsdel.areas.models import Municipality
    from stadsdel.followup.models import FollowUpReport, ReportSection

    report = FollowUpReport.objects.create(municipality=Municipality.objects.get(code="0136"), year=2011)
    return ReportSection.objects.create(report=report, key="results", text="Skrivet först")


def _agency_report(user):
    from stadsdel.agreements.models import Organisation
    from stadsdel.followup.models import AgencyReport

    return AgencyReport.objects.create(organisation=Organisation.objects.get(key="forsakringskassan"), year=2010,
                                       text="Skrivet först")


def _national(user):
    from stadsdel.followup.models import NationalReport

    return NationalReport.objects.create(year=2011, introduction="Skrivet först")


def _evaluation(user):
    from stadsdel.agreements.models import Organisation
    from stadsdel.areas.models import District
    from stadsdel.evaluation.models import Evaluation
    from stadsdel.indicators.models import Indicator

    rinkeby = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)
    evaluation = Evaluation.objects.create(title="Utvärdering", start_year=2008, synth_district=rinkeby,
                                           owner=Organisation.objects.get(key="stockholms_kommun"))
    evaluation.treated_districts.set([rinkeby])
    evaluation.outcomes.set([Indicator.objects.get(code="employment_rate_20_64")])
    return evaluation


def _application(*, submit: bool):
    cast = funding_cast
    world = cast.world_create()
    app = cast.application_make(world, submit=submit)
    return app, world["steering" if submit else "applicant"]


@pytest.fixture
def record(request, db):
    """Makes the record behind a versioned write (only the one a test needs) and says who may
    write it (the users are made on demand too: each costs a password hash)."""
    from stadsdel.agreements.models import CooperationAgreement, Partnership

    def user(name: str):
        return request.getfixturevalue(name)

    def make(key: str):
        if key == "partnership":
            return Partnership.objects.get(key="jordbro"), user("haninge_user")
        if key == "cooperation":
            return CooperationAgreement.objects.get(key="jordbro_forsakringskassan"), user("haninge_user")
        if key in ("draft", "submitted"):
            return _application(submit=key == "submitted")
        builder = {"plan": _plan, "goal": _goal, "comment": _comment, "dialogue": _dialogue, "section": _section,
                   "agency_report": _agency_report, "national": _national, "evaluation": _evaluation}[key]
        who = user({"agency_report": "agency_user", "national": "ministry_user",
                    "evaluation": "analyst_user"}.get(key, "haninge_user"))
        return builder(who), who

    return make


# (record, method, address, body without the version, where the version goes: body or query)
WRITES = {
    "PATCH partnership": ("partnership", "patch", "/api/agreements/partnerships/{pk}", {"basis": "Skrivet sist"}),
    "PATCH cooperation": ("cooperation", "patch", "/api/agreements/cooperation/{pk}", {"title": "Skrivet sist"}),
    "PATCH plan": ("plan", "patch", "/api/plans/plans/{pk}", {"title": "Skrivet sist"}),
    "PUT goal": ("goal", "put", "/api/plans/goals/{pk}", {"goal_area": "arbete", "number": "1.1",
                                                          "text": "Skrivet sist"}),
    "DELETE goal": ("goal", "delete", "/api/plans/goals/{pk}", None),
    "PATCH dialogue": ("dialogue", "patch", "/api/plans/dialogues/{pk}", {"title": "Skrivet sist"}),
    "POST comment decision": ("comment", "post", "/api/plans/comments/{pk}/decision", {"status": "rejected"}),
    "POST comment answer": ("comment", "post", "/api/plans/comments/{pk}/answer", {"answer": "Skrivet sist"}),
    "PUT report section": ("section", "put", "/api/followup/reports/0136/2011/sections/results",
                           {"text": "Skrivet sist"}),
    "PUT agency report": ("agency_report", "put", "/api/followup/agency-reports/forsakringskassan/2010",
                          {"text": "Skrivet sist"}),
    "PUT national report": ("national", "put", "/api/followup/national/2011",
                            {"published": True, "introduction": "Skrivet sist"}),
    "PATCH evaluation": ("evaluation", "patch", "/api/evaluation/evaluations/{pk}", {"title": "Skrivet sist"}),
    "PATCH application": ("draft", "patch", "/api/funding/applications/{pk}", {"title": "Skrivet sist"}),
    "POST application submit": ("draft", "post", "/api/funding/applications/{pk}/submit", None),
    "POST application decide": ("submitted", "post", "/api/funding/applications/{pk}/decide",
                                {"outcome": "approve"}),
}


def snapshot(record) -> list:
    """The record's row (with its many-to-many lists) and its change history."""
    model = type(record)
    row = serializers.serialize("python", model._base_manager.filter(pk=record.pk))
    history = list(record.history.values_list("history_id", flat=True)) if hasattr(record, "history") else []
    decisions = list(record.decisions.values_list("pk", flat=True)) if hasattr(record, "decisions") else []
    return [row, history, decisions]


def _send(client, method: str, url: str, body: dict | None, version, who):
    """`version` None sends none; a body-less write takes it in the query."""
    if body is None:
        query = "" if version is None else f"?version={version}"
        return getattr(client, method)(url + query, **bearer(who))
    data = dict(body) if version is None else {**body, "version": version}
    return getattr(client, method)(url, data, content_type="application/json", **bearer(who))


@pytest.mark.parametrize("sent", ["zero", "missing", "older"])
@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_without_the_current_version_is_refused_and_changes_nothing(client, record, write, sent):
    key, method, template, body = WRITES[write]
    record, who = record(key)
    model = type(record)
    # Someone else saved after the caller read the record: it moved one version on.
    read = record.version
    model._base_manager.filter(pk=record.pk).update(version=F("version") + 1)
    record.refresh_from_db()
    before = snapshot(record)

    version = {"zero": 0, "missing": None, "older": read}[sent]
    response = _send(client, method, template.format(pk=record.pk), body, version, who)

    assert response.status_code == 409, response.content
    assert response.json()["current_version"] == read + 1
    assert snapshot(record) == before


@pytest.mark.parametrize("write", list(WRITES))
def test_the_current_version_is_accepted(client, record, write):
    """The same writes with the record's current version go through (the refusals above are
    about the version, not about the caller or the body)."""
    key, method, template, body = WRITES[write]
    record, who = record(key)
    response = _send(client, method, template.format(pk=record.pk), body, record.version, who)
    assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize("version", [0, None])
def test_a_new_agency_report_needs_no_version_but_a_second_write_does(client, agency_user, version):
    from stadsdel.followup.models import AgencyReport

    url = "/api/followup/agency-reports/forsakringskassan/2012"
    first = _send(client, "put", url, {"text": "Först"}, version, agency_user)
    assert first.status_code == 200 and first.json()["version"] == 2
    again = _send(client, "put", url, {"text": "Utan att läsa om"}, version, agency_user)
    assert again.status_code == 409 and again.json()["current_version"] == 2
    assert AgencyReport.objects.get(year=2012).text == "Först"
    current = _send(client, "put", url, {"text": "Efter att ha läst"}, 2, agency_user)
    assert current.status_code == 200 and current.json()["text"] == "Efter att ha läst"


def test_the_national_report_gives_its_version_and_needs_it_once_it_exists(client, ministry_user):
    from stadsdel.followup.models import NationalReport

    url = "/api/followup/national/2012"
    first = _send(client, "put", url, {"published": False, "introduction": "Först"}, None, ministry_user)
    assert first.status_code == 200 and first.json()["version"] == 2
    again = _send(client, "put", url, {"published": True, "introduction": "Utan att läsa om"}, None, ministry_user)
    assert again.status_code == 409 and again.json()["current_version"] == 2
    record = NationalReport.objects.get(year=2012)
    assert (record.introduction, record.published) == ("Först", False)
    current = _send(client, "put", url, {"published": True, "introduction": "Sist"}, 2, ministry_user)
    assert current.status_code == 200 and current.json()["version"] == 3


@pytest.mark.parametrize("version", ["0", None, "abc", "1e99"])
def test_the_agency_report_page_refuses_a_save_without_the_version(client, agency_user, version):
    """The page's form has no fallback either: an existing report saved with version 0 or none
    is the page's conflict (409), and the stored text stays."""
    from stadsdel.followup.models import AgencyReport

    report = _agency_report(agency_user)
    client.force_login(agency_user)
    data = {"text": "Skrivet sist"} if version is None else {"text": "Skrivet sist", "version": version}
    response = client.post("/reports/agencies/forsakringskassan/2010/", data)
    assert response.status_code == 409
    assert AgencyReport.objects.get(pk=report.pk).text == "Skrivet först"


@pytest.mark.parametrize("version", ["", "abc", "9" * 40])
def test_the_follow_up_report_page_refuses_a_version_that_is_no_number(client, haninge_user, version):
    """A posted version that is not a number is a stale save (the page's conflict message), not
    a 500, and the stored text stays."""
    from stadsdel.areas.models import Municipality
    from stadsdel.followup import services
    from stadsdel.followup.models import ReportSection

    report = services.report_start(user=haninge_user, municipality=Municipality.objects.get(code="0136"), year=2011)
    section = report.sections.get(key="results")
    services.section_update(user=haninge_user, section=section, version=section.version, text="Sparat först")
    client.force_login(haninge_user)
    response = client.post("/reports/0136/2011/edit/", {"text-results": "Skrivet sist", "version-results": version})
    assert response.status_code in (200, 409)
    assert ReportSection.objects.get(pk=section.pk).text == "Sparat först"
