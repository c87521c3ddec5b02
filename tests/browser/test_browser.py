"""Real-browser tests: Playwright (sync API) drives Debian's chromium against the live server.

They run in a transactional test database, which pytest-django flushes afterwards, so each test
loads the seed registry itself. Without /usr/bin/chromium they are skipped, unless
STADSDEL_REQUIRE_BROWSER=1 (CI) says the browser must be there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def seeded(db):
    from stadsdel.seeds.loader import seeds_load

    seeds_load()


@pytest.fixture
def coordinator(seeded):
    """Haninge's urban-development coordinator, signing in with a password through the form."""
    from django.contrib.auth import get_user_model

    from stadsdel.accounts.models import Membership, Role
    from stadsdel.agreements.models import Organisation

    user = get_user_model().objects.create_user(username="samordnare", password="haninge-2011", first_name="Sara",
                                                last_name="Samordnare")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(key="haninge_kommun"),
                              role=Role.MUNICIPALITY)
    return user


@pytest.fixture
def page(page, seeded):
    """The shared page (tests/browser/conftest.py), with the data loaded first."""
    return page


def test_coordinator_signs_in_and_finds_jordbros_sams_codes(page, live_server, coordinator):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill("haninge-2011")
    page.get_by_role("button", name="Logga in").click()

    expect(page.get_by_text("Inloggad som Sara Samordnare")).to_be_visible()
    page.get_by_text("Inloggad som Sara Samordnare").click()  # opens the user menu
    expect(page.locator(".memberships")).to_contain_text("Haninge kommun")
    expect(page.locator(".memberships")).to_contain_text("kommunens samordnare")

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Stadsdelar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stadsdelar")
    page.get_by_role("link", name="Jordbro", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Jordbro")
    codes = page.locator("table.data td.code")
    expect(codes).to_have_text(["01360017", "01360018", "01360019"])
    expect(page.locator(".facts")).to_contain_text("Haninge")
    page.screenshot(path=str(ARTIFACTS / "district-jordbro.png"), full_page=True)


def test_hassleholmen_shows_its_source_fault(page, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/districts/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Hässleholmen", exact=True))
    expect(row.get_by_role("link", name="1 källfel")).to_be_visible()
    row.get_by_role("link", name="Hässleholmen", exact=True).click()

    box = page.locator("#source-faults")
    expect(box).to_be_visible()
    expect(box.get_by_role("heading", level=2)).to_have_text("Källfel")
    expect(box).to_contain_text("149041-45")
    expect(box).to_contain_text("Inga koder har gissats")
    page.screenshot(path=str(ARTIFACTS / "district-hassleholmen.png"), full_page=True)


def _alby_employment(tmp_path):
    """Employment 2010–2012 for Alby's four SAMS areas, Botkyrka and Stockholms län, through
    the real CSV import (which sums the areas' counts into Alby's figures)."""
    from stadsdel.indicators.services.imports import observations_import

    rows = ["indicator,area,period,sex,value,numerator,denominator"]
    for year in (2010, 2011, 2012):
        for offset, area in enumerate(("01270001", "01270002", "01270004", "01270005")):
            employed, persons = 500 + 10 * offset + 5 * (year - 2010), 1000
            rows.append(f"employment_rate_20_64,{area},{year},T,{100 * employed / persons},{employed},{persons}")
        rows.append(f"employment_rate_20_64,0127,{year},T,{71.5 + year - 2010},,")
        rows.append(f"employment_rate_20_64,01,{year},T,{77.5 + year - 2010},,")
    path = tmp_path / "alby.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")


def test_district_statistics_draws_its_charts_without_leaving_localhost(page, outside, live_server, tmp_path):

    from playwright.sync_api import expect

    from stadsdel.areas.models import District

    _alby_employment(tmp_path)
    alby = District.objects.get(name="Alby", kind=District.Kind.DISTRICT)

    # Every request must stay on this machine (`outside`): the Vega bundle is the app's own, not a CDN's.
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/districts/{alby.pk}/statistics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik för Alby")
    chart = page.locator('[data-chart="chart-employment_rate_20_64"]')
    expect(chart.locator("svg").first).to_be_visible()
    expect(chart).to_have_class("chart chart-drawn")
    expect(chart).to_contain_text("Botkyrka")  # the legend names the references
    expect(chart.locator(".chart-fallback")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "district-alby-statistics.png"), full_page=True)
    assert outside == []
    assert errors == []


def _stockholm_assistance(tmp_path) -> None:
    """Social assistance and employment for three Bilaga 2 areas and two other Stockholm areas,
    2006 and 2012: enough for the default model's Försörjning domain."""
    from stadsdel.indicators.services.imports import observations_import

    counts = {  # area: (assisted, residents, employed, residents 20-64) in 2006; 2012 a little better
        "01800148": (90, 3000, 1000, 1800), "01800154": (60, 3000, 1100, 1800), "01800151": (140, 3500, 1000, 2000),
        "01800201": (40, 9000, 5200, 6000), "01800202": (30, 9000, 5400, 6000),
    }
    lines = ["indicator,area,period,value,numerator,denominator"]
    for area, (sa, pop, emp, pop2064) in counts.items():
        for year, factor in ((2006, 1.0), (2012, 0.9)):
            n = round(sa * factor)
            e = min(pop2064, round(emp / factor))
            lines.append(f"social_assistance_share,{area},{year},{100 * n / pop!r},{n},{pop}")
            lines.append(f"employment_rate_20_64,{area},{year},{100 * e / pop2064!r},{e},{pop2064}")
    path = tmp_path / "stockholm.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")


def test_risk_index_page_draws_its_charts_and_switches_units(page, live_server, tmp_path):
    from playwright.sync_api import expect

    _stockholm_assistance(tmp_path)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Socialt riskindex").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Socialt riskindex")
    table = page.locator("#index-table")
    # Tensta has the most assistance and the lowest employment: rank 1 among the districts.
    expect(table.locator("tbody tr").first).to_contain_text("Tensta")
    for chart_id in ("chart-index-bar", "chart-index-trend", "chart-rank-interval"):
        chart = page.locator(f'[data-chart="{chart_id}"]')
        expect(chart.locator("svg").first).to_be_visible()
        expect(chart).to_have_class("chart chart-drawn")
    expect(page.locator(".model-definition")).to_contain_text("Västra Götalandsmodellen (Stockholm 2014)")
    expect(page.locator("#priority-summary")).to_contain_text("Minst förbättring 2006–2012")
    page.screenshot(path=str(ARTIFACTS / "risk-index-districts.png"), full_page=True)

    page.get_by_label("Enheter").select_option(label="Stadsdelsnämndsområden")
    page.get_by_role("button", name="Visa").click()
    expect(table.locator("tbody")).to_contain_text("Rinkeby-Kista")
    expect(table.locator("tbody")).not_to_contain_text("Husby")

    page.locator(".model-definition").get_by_role("link", name="Västra Götalandsmodellen (Stockholm 2014)").click()
    expect(page.get_by_role("heading", level=2, name="Modellfilen")).to_be_visible()
    assert errors == []


def test_a_large_index_run_draws_the_highest_units_and_pages_its_table(page, live_server, tmp_path, monkeypatch):
    """The national index page's cut charts and paged table, drawn (issue 21): Stockholm's areas
    stand in for the country's 6 000 with the page sizes made small (the live server runs in
    this process, so the patched sizes are its own)."""
    from playwright.sync_api import expect

    from stadsdel.indices import page_selectors

    monkeypatch.setattr(page_selectors, "TABLE_ROWS", 2)
    monkeypatch.setattr(page_selectors, "CHART_UNITS", 3)
    monkeypatch.setattr(page_selectors, "TREND_UNITS", 2)
    _stockholm_assistance(tmp_path)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/index/?level=area")
    table = page.locator("#index-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    first_rows = table.locator("tbody th").all_inner_texts()
    # The charts draw with their figures in every layer: three bars, three intervals, two lines
    # and the reference.
    for chart_id in ("chart-index-bar", "chart-index-trend", "chart-rank-interval"):
        expect(page.locator(f'[data-chart="{chart_id}"]')).to_have_class("chart chart-drawn")
    bar = page.locator('[data-chart="chart-index-bar"] svg')
    # (`role-mark`: the marks, not the axes' ticks and grid, which Vega draws as rules too)
    expect(bar.locator("g.mark-rect.role-mark path")).to_have_count(3)
    expect(page.locator('[data-chart="chart-rank-interval"] svg g.mark-rule.role-mark line')).to_have_count(3)
    expect(page.locator('[data-chart="chart-index-trend"] svg g.mark-line.role-mark path')).to_have_count(3)
    expect(page.locator('[data-chart="chart-index-bar"]')).to_contain_text("De 3 högsta av 5")

    page.get_by_role("link", name="Nästa rader").click()
    expect(page.locator("#index-table-search-count")).to_contain_text("Rad 3–4 av 5")
    expect(table.locator("tbody tr")).to_have_count(2)
    assert not set(table.locator("tbody th").all_inner_texts()) & set(first_rows)
    page.get_by_label("Hitta en enhet (namn eller kod)").fill(first_rows[0].strip())
    page.get_by_role("button", name="Sök").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    assert errors == []


def test_coordinator_writes_a_goal_and_sees_its_smart_result(page, live_server, coordinator):
    from playwright.sync_api import expect

    from stadsdel.areas.models import District
    from stadsdel.plans.services import plan_create

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_create(user=coordinator, district=jordbro, year=2011, period_end=2014)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/login/?next=/plans/{plan.pk}/")
    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill("haninge-2011")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategisk stadsdelsplan för Jordbro 2011")
    page.get_by_role("link", name="Nytt mål").click()

    smart = page.locator("#smart-result")
    expect(smart).to_contain_text("Fyll i målområde")
    page.get_by_label("Målområde").select_option(label="Arbete")
    page.get_by_label("Nummer").fill("1.1")
    page.locator("#id_text").fill("Fler vuxna i Jordbro ska ha ett arbete.")
    page.get_by_label("Jordbro").check()
    # htmx asks the server for the check as the form changes; nothing is saved yet.
    expect(smart.locator('[data-letter="S"]')).to_have_class("smart-pass")
    expect(smart.locator('[data-letter="A"]')).to_have_class("smart-fail")
    page.get_by_label("Huvudansvarig").select_option(label="Haninge kommun")
    page.get_by_label("Beslutat av").fill("Kommunstyrelsen")
    page.get_by_label("Beslutat den").fill("2011-03-01")
    expect(smart.locator('[data-letter="A"]')).to_have_class("smart-pass")
    page.screenshot(path=str(ARTIFACTS / "plan-goal-smart.png"), full_page=True)

    page.get_by_role("button", name="Spara").click()
    goal = page.locator("article.goal")
    expect(goal).to_contain_text("Fler vuxna i Jordbro ska ha ett arbete.")
    expect(goal.locator('[data-letter="S"]')).to_have_class("smart-pass")
    expect(goal.locator('[data-letter="M"]')).to_have_class("smart-fail")  # no indicator or baseline
    assert errors == []


def test_national_report_opens_with_its_map(page, live_server, tmp_path):
    """The national report as a reader meets it: the district table, the downloads, and the map
    of the districts' areas once boundaries are loaded."""
    from types import SimpleNamespace

    from playwright.sync_api import expect

    from stadsdel.areas.services import boundaries_load
    from stadsdel.demo.boundaries import boundaries_dumps, synthetic_boundaries

    # Employment in Jordbro's three areas (the district figure is their sum), and their shapes.
    from stadsdel.indicators.services.imports import observations_import

    rows = ["indicator,area,period,value,numerator,denominator"]
    for code, num, den in (("01360017", 900, 1500), ("01360018", 800, 1400), ("01360019", 700, 1300)):
        rows.append(f"employment_rate_20_64,{code},2011,{100 * num / den!r},{num},{den}")
    (tmp_path / "figures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    observations_import(path=tmp_path / "figures.csv", fmt="csv")
    areas = [SimpleNamespace(code=c, municipality_code="0136", district="Jordbro")
             for c in ("01360017", "01360018", "01360019")]
    (tmp_path / "jordbro.geojson").write_text(boundaries_dumps(synthetic_boundaries(areas)), encoding="utf-8")
    boundaries_load(path=tmp_path / "jordbro.geojson", code_system="SAMS", code_field="code")
    # The report list shows the public only what the ministry has published (the portal's rule).
    from stadsdel.followup.models import NationalReport

    NationalReport.objects.create(year=2011, published=True)

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    page.get_by_role("link", name="Nationell redovisning 2011").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nationell redovisning 2011")
    expect(page.locator("#stadsdelar")).to_contain_text("Jordbro")
    expect(page.locator("#report-downloads").get_by_role("link", name="PDF")).to_be_visible()
    chart = page.locator('[data-chart="chart-report-map"]')
    expect(chart.locator("svg").first).to_be_visible()
    expect(chart).to_have_class("chart chart-drawn")
    expect(page.locator("#map-note")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "national-report-map.png"), full_page=True)
    assert errors == []
