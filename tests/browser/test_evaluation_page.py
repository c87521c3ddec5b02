"""The evaluation page in a real browser: the event study, the synthetic control and its placebo
lines are drawn from the app's own Vega bundle, and nothing is fetched from elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def published_evaluation(db):
    """The seed registry, simulated district figures with an effect from 2008, and a published
    evaluation of three Stockholm districts with a synthetic control for Husby."""
    from stadsdel.seeds.loader import seeds_load

    seeds_load()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "evaluation"))
    try:
        from evaluation_data import INDICATOR, START, district_figures
    finally:
        sys.path.pop(0)
    from stadsdel.agreements.models import Organisation
    from stadsdel.areas.models import District
    from stadsdel.evaluation.models import Evaluation
    from stadsdel.evaluation.selectors import candidate_districts
    from stadsdel.indicators.models import Indicator

    treated = list(District.objects.filter(kind=District.Kind.DISTRICT, name__in=["Rinkeby", "Tensta", "Husby"])
                   .order_by("name"))
    comparison = list(candidate_districts().order_by("name")[:12])
    district_figures(treated=treated, comparison=comparison)
    evaluation = Evaluation.objects.create(
        title="Avtalen 2008 i Järva", start_year=START, pool=Evaluation.Pool.MANUAL, synth_district=treated[0],
        published=True, owner=Organisation.objects.get(key="arbetsmarknadsdepartementet"),
    )
    evaluation.treated_districts.set(treated)
    evaluation.outcomes.set([Indicator.objects.get(code=INDICATOR)])
    evaluation.comparison_districts.set(comparison)
    return evaluation




def test_evaluation_page_draws_event_study_and_synthetic_control(page, outside, live_server, published_evaluation):
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/evaluation/")
    page.get_by_role("link", name="Avtalen 2008 i Järva").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Avtalen 2008 i Järva")
    for kind in ("event", "synth", "placebo"):
        chart = page.locator(f'[data-chart="chart-{kind}-0-employment_rate_20_64"]')
        expect(chart.locator("svg").first).to_be_visible()
        expect(chart).to_have_class("chart chart-drawn")
    # The placebo chart has one line per comparison district plus the treated one.
    placebo = page.locator('[data-chart="chart-placebo-0-employment_rate_20_64"] svg path[aria-roledescription="line mark"]')
    expect(placebo).to_have_count(13)
    expect(page.locator(".estimates").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "evaluation.png"), full_page=True)
    assert errors == [] and outside == []
