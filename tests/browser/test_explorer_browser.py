"""The indicator explorer in a real browser: choose an indicator, units and years in the form,
see the chart drawn and the table beside it, switch to the table and to bars, download the CSV
of what is shown, and open the same address again to find the same view."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INDICATOR = "employment_rate_20_64"
FIGURES = (
    "indicator,area,period,sex,value,numerator,denominator,status\n"
    f"{INDICATOR},0136,2010,T,60,600,1000,ok\n"
    f"{INDICATOR},0136,2011,T,,,,suppressed\n"
    f"{INDICATOR},0136,2012,T,62,620,1000,ok\n"
    f"{INDICATOR},0180,2010,T,70,7000,10000,ok\n"
    f"{INDICATOR},0180,2012,T,71,7100,10000,ok\n"
    f"{INDICATOR},SE,2010,T,68,68000,100000,ok\n"
    f"{INDICATOR},SE,2012,T,69,69000,100000,ok\n"
    f"{INDICATOR},SE,2009,T,67,67000,100000,ok\n"
)


@pytest.fixture
def page(page, tmp_path):
    """The shared page (tests/browser/conftest.py), with the seeds and a few figures loaded."""
    from stadsdel.indicators.services.imports import observations_import
    from stadsdel.seeds.loader import seeds_load

    seeds_load()  # a transactional test starts from a flushed database
    path = tmp_path / "figures.csv"
    path.write_text(FIGURES)
    observations_import(path=path, fmt="csv")
    # The first request builds the chart bundle (seconds on a busy machine).
    page.set_default_timeout(60_000)
    return page


def _table(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        ".explore-table tbody tr", "rows => rows.map(r => [...r.children].map(c => c.textContent.trim()))")


def test_choose_switch_download_and_reload(live_server, page):
    page.goto(f"{live_server.url}/statistics/explore/")
    page.check(f"input[name=indicator][value={INDICATOR}]")
    page.select_option("#explore-municipality", ["0136", "0180"])
    page.check("input[name=country]")
    page.fill("#explore-from", "2010")
    page.fill("#explore-to", "2012")
    page.click("form.explore-form button[type=submit]")
    page.wait_for_selector(".chart-drawn svg")

    # The choice is in the address, the chart is drawn and the table beside it holds the figures.
    assert f"indicator={INDICATOR}" in page.url and "from=2010" in page.url
    rows = _table(page)
    assert [(r[0], r[1]) for r in rows] == [("Haninge", "2010"), ("Haninge", "2011"), ("Haninge", "2012"),
                                            ("Stockholm", "2010"), ("Stockholm", "2012"),
                                            ("Riket", "2010"), ("Riket", "2012")]  # 2009 is outside the years
    suppressed = rows[1]
    assert suppressed[2] == "–" and "undertryckt" in suppressed[5]  # shown as suppressed, not as 0
    assert page.locator(".chart-drawn svg path").count() > 0

    # Switch to the table alone, then to bars for one year.
    page.get_by_role("link", name="Tabell", exact=True).click()
    page.wait_for_load_state()
    assert "view=table" in page.url
    assert page.locator("[data-chart]").count() == 0
    assert _table(page) == rows
    page.get_by_role("link", name="Stapeldiagram", exact=True).click()
    page.wait_for_selector(".chart-drawn svg")
    assert "view=bar" in page.url
    assert page.locator(".chart-drawn svg [aria-roledescription=bar], .chart-drawn svg path").count() > 0

    # The CSV holds exactly what is shown.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    content = download.value.path().read_text(encoding="utf-8")
    lines = list(csv.DictReader(io.StringIO(content)))
    assert [(r["unit"], r["period"]) for r in lines] == [(r[0], r[1]) for r in rows]
    assert [r["value"] for r in lines if r["status"] == "suppressed"] == [""]

    # The same address opens the same view: the same choice in the form, the same figures.
    bookmark = page.url
    page.goto(f"{live_server.url}/")
    page.goto(bookmark)
    page.wait_for_selector(".chart-drawn svg")
    assert page.is_checked(f"input[name=indicator][value={INDICATOR}]")
    assert page.is_checked("input[name=country]")
    assert page.eval_on_selector("#explore-municipality", "s => [...s.selectedOptions].map(o => o.value)") == \
        ["0136", "0180"]
    assert page.input_value("#explore-from") == "2010"
    assert page.is_checked("input[name=view][value=bar]")
    assert _table(page) == rows
