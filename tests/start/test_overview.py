"""The start pages ("Min översikt"): each section's counts against the records, inside the
membership's scope only (another municipality's or organisation's items never appear), and the
page itself: sign-in lands there, anonymous callers are sent to sign in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from stadsdel.accounts.models import Role
from stadsdel.agreements.models import Agreement, CooperationAgreement, Organisation
from stadsdel.agreements.selectors import districts_in_force
from stadsdel.areas.models import District, Municipality
from stadsdel.followup import services as followup_services
from stadsdel.funding.models import Application, Decision
from stadsdel.plans import services as plan_services
from stadsdel.plans.models import DistrictPlan, PlanComment
from stadsdel.start.selectors import LATE, MISSING, RECEIVED, WAITING, overview_for, working_year

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)  # the agreements end long before: the page works on their latest year
JORDBRO = {"name": "Jordbro", "kind": District.Kind.DISTRICT}


def _districts_2011() -> list[District]:
    return list(districts_in_force(agreements=Agreement.objects.all(), year=2011).select_related("municipality"))


def _comment(plan, text="Bra plan") -> PlanComment:
    return PlanComment.objects.create(plan=plan, text=text, ip_hash="x" * 64)


def test_the_working_year_is_the_latest_year_with_an_agreement_in_force():
    assert working_year(Agreement.objects.all(), today=TODAY) == 2011
    assert working_year(Agreement.objects.all(), today=dt.date(2010, 5, 1)) == 2010
    assert working_year(Agreement.objects.none(), today=TODAY) is None


def test_a_coordinator_sees_their_own_municipality_and_nothing_of_another(haninge_user, malmo_user):
    jordbro = District.objects.get(**JORDBRO)
    plan = plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    _comment(plan)
    _comment(plan, "En till")
    rosengard = District.objects.get(name="Rosengård", kind=District.Kind.DISTRICT)
    malmo_plan = plan_services.plan_create(user=malmo_user, district=rosengard, year=2011, period_end=2014)
    _comment(malmo_plan)

    overview = overview_for(user=haninge_user, today=TODAY)
    assert [s.municipality.name for s in overview.coordinator] == ["Haninge"]
    assert overview.ministry is None and overview.applicant is None and overview.committee is None
    section = overview.coordinator[0]
    assert section.year == 2011
    assert [d.name for d in section.districts] == ["Jordbro"]
    # Plans per district and year: every year Jordbro is under an agreement, the 2011 plan a draft.
    years = sorted({r.year for r in section.plan_rows})
    assert years[0] == 2008 and years[-1] == 2011
    row_2011 = next(r for r in section.plan_rows if r.year == 2011)
    assert row_2011.plan == plan and row_2011.plan.status == DistrictPlan.Status.DRAFT
    assert all(r.district.municipality.name == "Haninge" for r in section.plan_rows)
    # Comments: Haninge's two, never Malmö's one.
    assert section.comment_count == 2
    assert [p for p, _n in section.comments] == [plan]
    # Both 2011 deadlines are long past and unmet.
    assert [(d.kind, d.status) for d in section.deadlines] == [("report", "overdue"), ("plan", "overdue")]
    assert section.deadlines[1].url == plan.get_absolute_url()
    assert section.report is None
    assert "Planen för Jordbro är fortfarande ett utkast" in section.report_missing  # Swedish first
    assert sum(1 for m in section.report_missing if m.startswith("Tomt avsnitt")) == 3

    malmo = overview_for(user=malmo_user, today=TODAY).coordinator[0]
    assert malmo.municipality.name == "Malmö"
    assert malmo.comment_count == 1
    assert all(r.district.municipality.name == "Malmö" for r in malmo.plan_rows)


def test_a_submitted_plan_and_report_are_ticked_done_late(haninge_user):
    jordbro = District.objects.get(**JORDBRO)
    plan = plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    plan = plan_services.plan_transition(user=haninge_user, plan=plan, to="adopted")
    plan = plan_services.plan_transition(user=haninge_user, plan=plan, to="submitted")
    report = followup_services.report_start(user=haninge_user, municipality=jordbro.municipality, year=2011)
    followup_services.report_submit(user=haninge_user, report=report)

    section = overview_for(user=haninge_user, today=TODAY).coordinator[0]
    assert {d.kind: d.status for d in section.deadlines} == {"report": "done_late", "plan": "done_late"}
    assert all(d.done for d in section.deadlines)
    assert section.open_deadlines == 0
    assert section.report.status == "submitted"
    assert not any("Jordbro" in m for m in section.report_missing)


def test_the_ministry_counts_plans_and_reports_per_municipality(ministry_user, haninge_user, malmo_user):
    districts = _districts_2011()
    jordbro = District.objects.get(**JORDBRO)
    rosengard = District.objects.get(name="Rosengård", kind=District.Kind.DISTRICT)
    received = plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    for step in ("adopted", "submitted"):
        received = plan_services.plan_transition(user=haninge_user, plan=received, to=step)
    received = plan_services.plan_transition(user=ministry_user, plan=received, to="received")
    waiting = plan_services.plan_create(user=malmo_user, district=rosengard, year=2011, period_end=2014)
    for step in ("adopted", "submitted"):
        waiting = plan_services.plan_transition(user=malmo_user, plan=waiting, to=step)
    report = followup_services.report_start(user=malmo_user, municipality=rosengard.municipality, year=2011)
    followup_services.report_submit(user=malmo_user, report=report)

    section = overview_for(user=ministry_user, today=TODAY).ministry
    assert section.year == 2011
    assert len(section.agreements) == Agreement.objects.filter(period_start__year__lte=2011,
                                                                period_end__year__gte=2011).count()
    assert sum(r.plan_total for r in section.rows) == len(districts)
    assert section.totals == {RECEIVED: 1, WAITING: 1, MISSING: 0, LATE: len(districts) - 2}
    by_name = {r.municipality.name: r for r in section.rows}
    assert by_name["Haninge"].plans[RECEIVED] == 1
    assert by_name["Malmö"].plans[WAITING] == 1 and by_name["Malmö"].report == WAITING
    assert by_name["Haninge"].report == LATE
    assert section.report_totals[WAITING] == 1
    assert section.report_totals[LATE] == len({d.municipality_id for d in districts}) - 1
    assert section.national is None
    # Before the deadlines the same plans are missing, not late.
    early = overview_for(user=ministry_user, today=dt.date(2011, 6, 1)).ministry
    assert early.totals[MISSING] == len(districts) - 2 and early.totals[LATE] == 0


def test_an_agency_sees_its_own_agreements_and_partnerships(agency_user, member):
    section = overview_for(user=agency_user, today=TODAY).agency[0]
    assert section.organisation.key == "forsakringskassan"
    expected = set(CooperationAgreement.objects.filter(partner__key="forsakringskassan", published=True)
                   .values_list("pk", flat=True))
    assert expected and {c.pk for c in section.cooperation} == expected
    assert {p.key for p in section.partnerships} >= {"jordbro"}
    assert section.report is None and section.year == 2011
    # Another agency's officer sees none of Försäkringskassan's.
    police = member("polis", org_key="polismyndigheten_skane", role=Role.AGENCY)
    other = overview_for(user=police, today=TODAY).agency[0]
    assert not expected & {c.pk for c in other.cooperation}


def test_an_analyst_of_the_municipality_gets_the_statistics_section_an_agency_analyst_does_not(analyst_user, member):
    section = overview_for(user=analyst_user, today=TODAY).analyst
    assert section is not None
    assert [m.active for m in section.index_models] and all(m.active for m in section.index_models)
    assert len(section.levels) == 5
    outsider = member("fk-analyst", org_key="forsakringskassan", role=Role.ANALYST)
    assert overview_for(user=outsider, today=TODAY).analyst is None


@pytest.fixture
def fund_demo(db):
    from stadsdel.demo.funding import demo_funding_create

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        demo_funding_create()


def test_a_committee_member_sees_their_steps_queue_oldest_first_and_this_months_decisions(fund_demo):
    from django.contrib.auth import get_user_model

    today = dt.date.today()
    styrgrupp = get_user_model().objects.get(username="styrgrupp")
    section = overview_for(user=styrgrupp, today=today).committee
    orgs = [o.pk for o in section.organisations]
    assert len(orgs) == 1
    expected = Application.objects.filter(status=Application.Status.IN_REVIEW, current_step__position=1,
                                          area__steering_group_id__in=orgs)
    assert [a.pk for a in section.queue] == list(expected.order_by("submitted_at").values_list("pk", flat=True))
    assert section.queue and all(a.applied_amount > 0 for a in section.queue)
    month = Decision.objects.filter(organisation_id__in=orgs, decided_on__year=today.year,
                                    decided_on__month=today.month, decided_on__lte=today)
    assert len(section.decisions) == month.count()
    # Another area's steering group never sees Rinkeby-Kista's queue.
    other = get_user_model().objects.get(username="demo-stockholm_spanga_tensta_stadsdelsnamnd")
    other_section = overview_for(user=other, today=today).committee
    assert not {a.pk for a in section.queue} & {a.pk for a in other_section.queue}
    assert overview_for(user=styrgrupp, today=today).applicant is None


def test_an_applicant_sees_only_their_organisations_applications_with_the_next_step(fund_demo, other_applicant_user):
    from django.contrib.auth import get_user_model

    sokande = get_user_model().objects.get(username="sokande")
    section = overview_for(user=sokande, today=dt.date.today()).applicant
    own = Application.objects.filter(applicant__key="stockholm_rinkeby_kista_stadsdelsnamnd")
    assert {r.application.pk for r in section.rows} == set(own.values_list("pk", flat=True))
    assert sum(n for _label, n in section.by_status) == own.count()
    for row in section.rows:
        if row.application.status == Application.Status.DRAFT:
            assert row.url.endswith(f"/applications/{row.application.pk}/edit/")
        if row.application.status == Application.Status.IN_REVIEW:
            assert "Rinkeby-Kista" in row.next_step  # the deciding organisation, by name
    assert all(f.application.applicant.key == "stockholm_rinkeby_kista_stadsdelsnamnd" for f in section.followups)
    other = overview_for(user=other_applicant_user, today=dt.date.today()).applicant
    assert not {r.application.pk for r in section.rows} & {r.application.pk for r in other.rows}


def test_several_memberships_give_the_sections_of_each(member):
    user = member("both", org_key="haninge_kommun", role=Role.MUNICIPALITY)
    from stadsdel.accounts.models import Membership

    Membership.objects.create(user=user, organisation=Organisation.objects.get(key="stockholm_spanga_tensta_stadsdelsnamnd"),
                              role=Role.APPLICANT)
    overview = overview_for(user=user, today=TODAY)
    assert [s.municipality.name for s in overview.coordinator] == ["Haninge"]
    assert overview.applicant is not None
    assert [o.key for o in overview.applicant.organisations] == ["stockholm_spanga_tensta_stadsdelsnamnd"]
    # The applicant membership gives no coordinator rights in Stockholm.
    assert not Municipality.objects.filter(name="Stockholm", pk__in=[s.municipality.pk for s in overview.coordinator])


def test_sign_in_lands_on_the_overview_and_anonymous_callers_are_sent_to_sign_in(client, haninge_user):
    response = client.get("/overview/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    response = client.post("/login/", {"username": "haninge", "password": "pw-haninge"})
    assert response.status_code == 302 and response.url == "/overview/"
    page = client.get("/overview/")
    html = page.content.decode()
    assert "Min översikt" in html and "Samordnare, Haninge" in html
    assert 'id="coordinator-0136"' in html
    home = client.get("/").content.decode()
    # The public home keeps its content and links a signed-in user to the overview.
    assert 'href="/overview/"' in home and 'id="figures-heading"' in home


def test_a_user_without_a_working_membership_is_told_so(client, member):
    # An analyst membership of an agency carries no statistics rights (accounts.scoping).
    member("reader", org_key="forsakringskassan", role=Role.ANALYST)
    client.login(username="reader", password="pw-reader")
    html = client.get("/overview/").content.decode()
    assert 'id="overview-empty"' in html and 'class="overview-section"' not in html
