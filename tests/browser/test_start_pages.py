"""The start pages in a real browser, one test per role: each demo login signs in through the
form, lands on "Min översikt", finds its counts equal to the records, and follows each kind of
item one click to the page where the work is done.

The data is the demo's records without its statistics (seeds, the demo's draft partnerships, a
draft plan for Jordbro, Stockholm's fund with applications in every state), plus one comment
awaiting moderation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "stadsdel-demo"


@pytest.fixture
def demo(db):
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from stadsdel.demo.builder import demo_plans_create, demo_records_create
    from stadsdel.demo.funding import demo_funding_create
    from stadsdel.demo.logins import demo_users_create
    from stadsdel.plans.models import DistrictPlan, PlanComment
    from stadsdel.seeds.loader import seeds_load

    seeds_load()  # a transactional test starts from a flushed database
    demo_records_create()
    demo_users_create()
    demo_plans_create()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        demo_funding_create()
    plan = DistrictPlan.objects.get(district__name="Jordbro", year=2011)
    PlanComment.objects.create(plan=plan, text="Fler fritidsgårdar, tack.", ip_hash="0" * 64)
    return get_user_model()


@pytest.fixture
def page(page, demo):
    """The shared page (tests/browser/conftest.py), with the data loaded first."""
    return page


def _sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/overview/", page.url


def _count(page, section: str, name: str) -> int:
    return int(page.locator(f"{section} [data-count={name}]").inner_text())


def _follow(page, base: str, link, pattern: str) -> None:
    """Click the link and check it lands on the page where the work is done, then come back."""
    from playwright.sync_api import expect

    link.click()
    page.wait_for_load_state()
    assert re.search(pattern, page.url), page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{base}/overview/")


def test_coordinator_start_page(page, live_server):
    from playwright.sync_api import expect

    from stadsdel.plans.models import DistrictPlan, PlanComment

    base = live_server.url
    _sign_in(page, base, "haninge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Min översikt")
    s = "#coordinator-0136"
    plan = DistrictPlan.objects.get(district__name="Jordbro", year=2011)
    assert _count(page, s, "districts") == 1
    assert _count(page, s, "comments") == PlanComment.objects.filter(plan__district__municipality__code="0136",
                                                                     status="pending").count() == 1
    assert _count(page, s, "deadlines") == 2  # the 2011 plan and follow-up, both unmet
    expect(page.locator(f"{s} [data-report-status]")).to_have_attribute("data-report-status", "none")
    expect(page.locator(f"{s} [data-list=missing]")).to_contain_text("Planen för Jordbro är fortfarande ett utkast")
    expect(page.locator("#malmo, #coordinator-1280")).to_have_count(0)  # nothing of Malmö
    page.screenshot(path=str(ARTIFACTS / "start-coordinator.png"), full_page=True)

    _follow(page, base, page.locator(f"{s} [data-list=districts] a", has_text="Jordbro"), r"/districts/\d+/$")
    _follow(page, base, page.locator(f"{s} [data-table=plans] a", has_text="utkast"), rf"/plans/{plan.pk}/$")
    _follow(page, base, page.locator(f"{s} [data-list=deadlines] a", has_text="Uppföljning 2011"),
            r"/reports/0136/2011/edit/$")
    _follow(page, base, page.locator(f"{s} [data-list=comments] a").first, rf"/plans/{plan.pk}/comments/moderate/$")


def test_ministry_start_page(page, live_server):
    from playwright.sync_api import expect

    from stadsdel.agreements.models import Agreement
    from stadsdel.agreements.selectors import districts_in_force

    base = live_server.url
    _sign_in(page, base, "departementet")
    districts = districts_in_force(agreements=Agreement.objects.all(), year=2011)
    municipalities = districts.values("municipality").distinct().count()
    assert _count(page, "#ministry", "agreements") == Agreement.objects.filter(
        period_start__year__lte=2011, period_end__year__gte=2011).count()
    # No plan of 2011 is submitted (Jordbro's is a draft) and every deadline has passed.
    assert _count(page, "#ministry", "plans-waiting") == 0
    assert _count(page, "#ministry", "plans-late") == districts.count()
    assert _count(page, "#ministry", "reports-late") == municipalities
    expect(page.locator("[data-table=receipts] tbody tr")).to_have_count(municipalities)
    expect(page.locator("#ministry [data-national]")).to_have_attribute("data-national", "none")
    page.screenshot(path=str(ARTIFACTS / "start-ministry.png"), full_page=True)

    row = page.locator("[data-table=receipts] tr[data-municipality='0136']")
    _follow(page, base, row.locator("th a"), r"/plans/deadlines/\?year=2011&municipality=0136$")
    _follow(page, base, page.locator("[data-table=receipts] tr[data-municipality='0136'] td a"),
            r"/reports/0136/2011/$")
    _follow(page, base, page.locator("#ministry [data-national] a"), r"/reports/national/2011/$")


def test_agency_start_page(page, live_server):
    from playwright.sync_api import expect

    from stadsdel.agreements.models import CooperationAgreement, Partnership

    base = live_server.url
    _sign_in(page, base, "forsakringskassan")
    s = "#agency-forsakringskassan"
    # What Försäkringskassan is party to and may read: published agreements and its own drafts.
    cooperation = CooperationAgreement.objects.filter(partner__key="forsakringskassan").count()
    partnerships = Partnership.objects.filter(members__organisation__key="forsakringskassan").distinct().count()
    assert _count(page, s, "cooperation") == cooperation > 0
    assert _count(page, s, "partnerships") == partnerships > 0
    expect(page.locator(f"{s} [data-report-status]")).to_have_attribute("data-report-status", "none")
    page.screenshot(path=str(ARTIFACTS / "start-agency.png"), full_page=True)

    _follow(page, base, page.locator(f"{s} [data-list=cooperation] a").first, r"/cooperation/\d+/$")
    _follow(page, base, page.locator(f"{s} [data-list=partnerships] a").first, r"/partnerships/\d+/$")
    _follow(page, base, page.locator(f"{s} [data-report-status] a"), r"/reports/agencies/forsakringskassan/2011/$")


def test_analyst_start_page(page, live_server):
    from playwright.sync_api import expect

    from stadsdel.evaluation.models import Evaluation
    from stadsdel.indices.models import IndexModel

    base = live_server.url
    _sign_in(page, base, "analytiker")
    assert _count(page, "#analyst", "models") == IndexModel.objects.filter(active=True).count() > 0
    assert _count(page, "#analyst", "evaluations") == Evaluation.objects.filter(published=False).count() == 0
    # No statistics in this data: the sections say so in words.
    expect(page.locator("#analyst")).to_contain_text("Ingenting har importerats ännu.")
    expect(page.locator("#analyst")).to_contain_text("Inga uppgifter är lagrade ännu.")
    expect(page.locator("#analyst-failed")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "start-analyst.png"), full_page=True)

    _follow(page, base, page.locator("#analyst [data-list=models] a").first, r"/index/models/\d+/$")
    _follow(page, base, page.locator("#analyst-failed a"), r"/statistics/import/$")


def test_committee_start_page(page, live_server, demo):
    from playwright.sync_api import expect

    from stadsdel.funding.models import Application, Decision

    base = live_server.url
    _sign_in(page, base, "styrgrupp")
    organisation = demo.objects.get(username="styrgrupp").memberships.get().organisation
    waiting = Application.objects.filter(status="in_review", current_step__position=1,
                                         area__steering_group=organisation).order_by("submitted_at")
    today = dt.date.today()
    assert _count(page, "#committee", "queue") == waiting.count() > 0
    assert _count(page, "#committee", "decisions") == Decision.objects.filter(
        organisation=organisation, decided_on__year=today.year, decided_on__month=today.month).count()
    rows = page.locator("[data-table=queue] tbody tr")
    expect(rows).to_have_count(waiting.count())
    first = waiting.first()
    expect(rows.first.locator("th a")).to_have_text(first.title)
    expect(rows.first.locator("[data-applied]")).to_have_attribute("data-applied", str(first.applied_amount))
    expect(page.locator("#applicant")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "start-committee.png"), full_page=True)

    rows.first.locator("th a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/funding/applications/{first.pk}/")
    expect(page.locator("#decision-form")).to_be_visible()  # where the decision is made


def test_applicant_start_page(page, live_server):
    from playwright.sync_api import expect

    from stadsdel.funding.models import Application, FollowUp

    base = live_server.url
    _sign_in(page, base, "sokande")
    own = Application.objects.filter(applicant__key="stockholm_rinkeby_kista_stadsdelsnamnd")
    assert _count(page, "#applicant", "applications") == own.count() > 0
    assert _count(page, "#applicant", "followups") == FollowUp.objects.filter(
        application__in=own, submitted_at__isnull=True).count()
    expect(page.locator("[data-table=applications] tbody tr")).to_have_count(own.count())
    page.screenshot(path=str(ARTIFACTS / "start-applicant.png"), full_page=True)

    draft = own.get(status="draft")
    _follow(page, base, page.locator("[data-table=applications] tr[data-status=draft] a.next-step"),
            rf"/funding/applications/{draft.pk}/edit/$")
    _follow(page, base, page.locator("[data-table=applications] tr[data-status=in_review] th a").first,
            r"/funding/applications/\d+/$")
    if FollowUp.objects.filter(application__in=own, submitted_at__isnull=True).exists():
        _follow(page, base, page.locator("#applicant [data-list=followups] a").first, r"/funding/follow-ups/\d+/$")
