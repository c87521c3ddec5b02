"""One fund application from draft to granted in a real browser, each step by the right person:
Rinkeby-Kista's coordinator applies and submits, the local steering group approves, the district
committee approves and kommunstyrelsen grants a smaller amount than applied for; on the way, the
district committee cannot decide before the steering group has."""

from __future__ import annotations

import datetime as dt

import pytest

RK = "stockholm_rinkeby_kista_stadsdelsnamnd"
PASSWORD = "projektmedel-2015"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def fund(db):
    from stadsdel.accounts.models import Role
    from stadsdel.demo.funding import steering_group_key, stockholm_fund_ensure
    from stadsdel.demo.logins import member_create
    from stadsdel.seeds.loader import seeds_load

    seeds_load()  # a transactional test starts from a flushed database
    fund, _round = stockholm_fund_ensure(year=dt.date.today().year, budget=2_000_000)
    member_create("sokande", RK, Role.APPLICANT, password=PASSWORD)
    member_create("styrgrupp", steering_group_key(RK), password=PASSWORD)
    member_create("namnd", RK, password=PASSWORD)
    member_create("ks", "stockholm_kommunstyrelsen", password=PASSWORD)
    return fund


@pytest.fixture
def page(page, fund):
    """The shared page (tests/browser/conftest.py), with the data loaded first."""
    return page


def _sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def _decide(page, base: str, app_url: str, *, amount: str = "") -> None:
    page.goto(f"{base}/funding/decisions/")
    page.locator("#queue-table a").first.click()
    assert page.url.endswith(app_url)
    page.locator("#decision-form input[name=outcome][value=approve]").check()
    page.locator("#id_text").fill("Godkänd.")
    if amount:
        page.locator("#id_amount").fill(amount)
    page.locator("#record-decision").click()
    page.wait_for_load_state()


def test_an_application_goes_from_draft_to_granted_through_every_step(page, live_server, fund):
    from playwright.sync_api import expect

    from stadsdel.funding.models import Application

    base = live_server.url
    year = dt.date.today().year
    _sign_in(page, base, "sokande")
    page.goto(f"{base}/funding/funds/{fund.pk}/")
    page.locator("[id^=apply-]").first.click()
    form = page.locator("#application-form")
    form.locator("#id_applicant").select_option(label="Rinkeby-Kista stadsdelsnämnd")
    form.locator("#id_area").select_option(label="Rinkeby-Kista stadsdelsnämnd")
    form.locator("#id_title").fill("Läxhjälp i Husby")
    form.locator("#id_description").fill("Läxhjälp tre kvällar i veckan med bostadsbolaget.")
    form.get_by_label("Husby (Stockholm)", exact=True).check()
    form.locator("#id_period_start").fill(f"{year}-08-01")
    form.locator("#id_period_end").fill(f"{year + 1}-06-30")
    form.locator("#id_contact_name").fill("Alva Exempel")
    form.locator("#id_contact_email").fill("alva@example.org")
    form.locator("#id_budget-0-text").fill("Läxhjälpare")
    form.locator("#id_budget-0-amount").fill("400000")
    form.locator("#id_budget-0-co_financing").fill("100000")
    form.locator("#id_results-0-text").fill("Fler elever med godkända betyg i årskurs 9")
    form.locator("#id_results-0-measure").fill("andel elever med godkända betyg")
    form.locator("#id_results-0-baseline_value").fill("60")
    form.locator("#id_results-0-target_value").fill("70")
    form.locator("#save-application").click()
    expect(page.locator("#application-status .status-draft")).to_be_visible()
    app = Application.objects.get(title="Läxhjälp i Husby")
    app_url = f"/funding/applications/{app.pk}/"
    page.locator("#submit-application").click()
    expect(page.locator("#application-status .status-in_review")).to_be_visible()

    # The district committee is not yet at its step: no decision form, nothing in its queue.
    _sign_in(page, base, "namnd")
    page.goto(base + app_url)
    expect(page.locator("#application-status")).to_contain_text("Lokal styrgrupp")
    expect(page.locator("#decision-form")).to_have_count(0)

    _sign_in(page, base, "styrgrupp")
    _decide(page, base, app_url)
    expect(page.locator("#application-status")).to_contain_text("Stadsdelsnämnd")
    _sign_in(page, base, "namnd")
    _decide(page, base, app_url)
    expect(page.locator("#application-status")).to_contain_text("Kommunstyrelsen")
    _sign_in(page, base, "ks")
    _decide(page, base, app_url, amount="350000")
    expect(page.locator("#application-status .status-granted")).to_be_visible()
    expect(page.locator("#granted-amount")).to_contain_text("350\u00a0000")
    expect(page.locator("#decision-history li")).to_have_count(4)  # submitted + three decisions
    # The history says what was decided ("godkänd"), not the decider's option ("godkänn").
    expect(page.locator("#decision-history li strong.outcome-approve")).to_have_text(["godkänd"] * 3)
    app.refresh_from_db()
    assert app.status == Application.Status.GRANTED and app.granted_amount == 350_000
    assert list(app.decisions.values_list("step__position", flat=True)) == [1, 2, 3]
