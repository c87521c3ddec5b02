"""The index page at national scale (issue 21): a run with more units than a page shows (the
6 000 areas of the country) has its table paged with a search, its charts cut to the
highest-ranked units and said so, and the CSV of every unit; the run is kept per model version
and level while the data is unchanged, and computed again after a change. The five test areas
stand in for 6 000 with the page sizes made small."""

from __future__ import annotations

import csv
import io

import pytest

from stadsdel.indices import page_selectors, selectors
from stadsdel.indices.models import IndexRunResult

AREAS = ["01800148", "01800151", "01800154", "01800201", "01800202"]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(page_selectors, "TABLE_ROWS", 2)
    monkeypatch.setattr(page_selectors, "CHART_UNITS", 3)
    monkeypatch.setattr(page_selectors, "TREND_UNITS", 2)


def _area_page(client, model, **extra):
    return client.get("/index/", {"model": model.pk, "level": "area", "year": 2012, **extra})


def _bar_units(spec) -> list[str]:
    bars = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")
    return [v["unit"] for v in bars["data"]["values"]]


def test_a_large_run_shows_a_page_of_rows_and_the_way_to_the_rest(client, stockholm_statistics, test_model,
                                                                    small_pages):
    response = _area_page(client, test_model)
    assert response.status_code == 200
    page, table = response.context["page"], response.context["table"]
    ranked = [r.unit for r in page.rows]
    assert sorted(ranked) == AREAS
    # Two rows of five, highest risk first; the rest a page away.
    assert [r.unit for r in table.rows] == ranked[:2] and table.pages == 3
    html = response.content.decode()
    body = html.split('<tbody>')[1].split('</tbody>')[0]
    assert body.count("<tr") == 2 and ranked[2] not in body
    assert 'rel="next"' in html and "page=2" in html and 'id="f-q"' in html
    assert "Rad 1–2 av 5" in html
    # The next page, and the last one (a number past the end gives the last).
    second = _area_page(client, test_model, page=2).context["table"]
    assert [r.unit for r in second.rows] == ranked[2:4]
    last = _area_page(client, test_model, page=99)
    assert [r.unit for r in last.context["table"].rows] == ranked[4:]
    assert 'rel="prev"' in last.content.decode() and 'rel="next"' not in last.content.decode()
    # A search by code finds the one area, wherever it ranks.
    found = _area_page(client, test_model, q=ranked[-1][-3:]).context["table"]
    assert [r.unit for r in found.rows] == [ranked[-1]] and found.matches == 1 and found.pages == 1
    # The charts draw the three highest and say so; the trend the two highest and the reference,
    # each area by its label (these have no names: their code and municipality).
    labels = [r.label for r in page.rows]
    assert labels == [f"{code} (Stockholm)" for code in ranked]
    assert _bar_units(response.context["bar_spec"]) == labels[:3]
    assert "De 3 högsta av 5 år 2012" in response.context["bar_spec"]["title"]
    trend_series = {v["series"] for v in response.context["trend_spec"]["data"]["values"]}
    assert trend_series == {*labels[:2], "Stockholm"}
    assert "tabellen och CSV-filen" in response.context["bar_spec"]["description"]


def test_the_csv_of_a_large_run_holds_every_unit(client, stockholm_statistics, test_model, small_pages):
    response = _area_page(client, test_model, format="csv", page=2, q="0180")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(r["unit"] for r in rows) == AREAS  # the code, to join on
    assert {r["label"] for r in rows} == {f"{code} (Stockholm)" for code in AREAS}


def test_district_pages_stay_whole(client, stockholm_statistics, test_model):
    response = client.get("/index/", {"model": test_model.pk, "level": "district", "year": 2012})
    page, table = response.context["page"], response.context["table"]
    assert table.rows == page.rows and table.pages == 1 and not page.charts_cut
    html = response.content.decode()
    assert 'id="index-table-search"' not in html and 'class="pager"' not in html
    assert len(_bar_units(response.context["bar_spec"])) == page.ranked_count
    assert "title" not in response.context["bar_spec"]


def test_the_run_is_kept_until_the_data_changes(client, stockholm_statistics, test_model, monkeypatch,
                                                django_capture_on_commit_callbacks):
    computed = []
    compute = selectors.index_run

    def counting(**kwargs):
        computed.append(kwargs["level"])
        return compute(**kwargs)

    monkeypatch.setattr(selectors, "index_run", counting)
    first = _area_page(client, test_model).context["page"]
    assert computed == ["area"] and IndexRunResult.objects.count() == 1
    kept = IndexRunResult.objects.get()
    # Another view, year, threshold or page reads the kept run: nothing computed again, and the
    # same figures as computed.
    again = _area_page(client, test_model).context["page"]
    _area_page(client, test_model, year=2010, threshold=90, page=2)
    assert computed == ["area"]
    assert [(r.unit, r.rank, r.total, r.domains, r.coverage_partial) for r in again.rows] == [
        (r.unit, r.rank, r.total, r.domains, r.coverage_partial) for r in first.rows]
    assert again.sensitivity is not None  # kept beside it, read back
    # Another level is its own run.
    client.get("/index/", {"model": test_model.pk, "level": "district"})
    assert computed == ["area", "district"]

    from stadsdel.indicators.models import Observation

    with django_capture_on_commit_callbacks(execute=True):
        figure = Observation.objects.get(statistical_area__code=AREAS[0], period=2012,
                                         indicator__code=test_model.spec().codes[0])
        figure.numerator += 1
        figure.save()  # a changed figure counts the data version up
    changed = _area_page(client, test_model).context["page"]
    assert computed == ["area", "district", "area"]
    assert IndexRunResult.objects.get(key=kept.key).data_version > kept.data_version
    before = next(r.total for r in first.rows if r.unit == AREAS[0])
    assert next(r.total for r in changed.rows if r.unit == AREAS[0]) != before


def test_a_kept_run_still_draws_a_missing_sensitivity_analysis(client, stockholm_statistics, test_model):
    from stadsdel.indices.models import SensitivityResult

    drawn = _area_page(client, test_model).context["page"]
    SensitivityResult.objects.all().delete()
    page = _area_page(client, test_model).context["page"]  # a kept, slim run; the analysis drawn anew
    assert IndexRunResult.objects.count() == 1
    assert [(r.median_rank, r.rank_p05, r.rank_p95) for r in page.rows] == [
        (r.median_rank, r.rank_p05, r.rank_p95) for r in drawn.rows]


def test_districts_are_computed_in_their_own_code_system_beside_more_numerous_deso_figures(
        client, stockholm_statistics, test_model, tmp_path):
    """A national database holds Stockholm's DeSO figures beside the SAMS areas its districts
    are drawn in: the district page still uses SAMS; the area page the system with most figures."""
    from index_data import ROWS

    from stadsdel.indicators.services.imports import observations_import

    lines = ["indicator,area,period,value,numerator,denominator"]
    for copy in (1, 2):  # every SAMS figure twice over, in DeSO areas of Stockholm
        lines += [f"{code},0180C{copy}{area[-3:]},{year},{100 * num / den!r},{num},{den}"
                  for area, year, code, num, den in ROWS]
    path = tmp_path / "deso.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")

    districts = client.get("/index/", {"model": test_model.pk, "level": "district", "year": 2012}).context
    assert "error" not in districts
    assert districts["page"].run.code_system == "SAMS" and districts["page"].rows[0].unit == "Tensta"
    areas = client.get("/index/", {"model": test_model.pk, "level": "area", "year": 2012}).context["page"]
    assert areas.run.code_system == "DeSO" and len(areas.rows) == 10


def test_the_model_choice_names_an_inactive_model_being_shown(client, stockholm_statistics, test_model):
    # bench/national_pages.py shows an inactive copy; the choice must not claim another model.
    from stadsdel.indices.models import IndexModel

    copy = IndexModel.objects.get(pk=test_model.pk)
    copy.pk, copy.active, copy.version = None, False, test_model.version + 1
    copy.save()
    html = client.get("/index/", {"model": copy.pk}).content.decode()
    choice = html.split('id="f-model"')[1].split("</select>")[0]
    assert f'<option value="{copy.pk}" selected>' in choice
    assert f'<option value="{test_model.pk}">' in choice
    assert "inte den aktiva versionen" in choice


def _change_a_figure(model, capture):
    from stadsdel.indicators.models import Observation

    with capture(execute=True):
        figure = Observation.objects.get(statistical_area__code=AREAS[0], period=2012,
                                         indicator__code=model.spec().codes[0])
        figure.numerator += 1
        figure.save()  # counts the data version up and queues the recomputation


def test_a_slow_run_is_recomputed_by_the_worker_while_the_page_says_so(client, stockholm_statistics, test_model,
                                                                        django_capture_on_commit_callbacks):
    from django.utils import timezone

    from stadsdel.followup.models import DataVersion
    from stadsdel.jobs.services import beat
    from task_worker import run_worker

    first = _area_page(client, test_model).context["page"]
    kept = IndexRunResult.objects.get()
    # As a national run: seconds to compute, so a reader is not made to wait for it in the request.
    IndexRunResult.objects.filter(pk=kept.pk).update(seconds=selectors.WAIT_FOR_WORKER_SECONDS + 5)
    beat("test-worker")
    _change_a_figure(test_model, django_capture_on_commit_callbacks)
    waiting = _area_page(client, test_model)
    html = waiting.content.decode()
    assert waiting.status_code == 200 and "data-recomputing-index" in html and "<tbody>" not in html
    changed_at = timezone.localtime(DataVersion.objects.get(pk=1).changed_at).strftime("%Y-%m-%d %H:%M:%S")
    assert changed_at in html and waiting["Cache-Control"] == "no-store"
    assert IndexRunResult.objects.get(pk=kept.pk).data_version == kept.data_version  # not computed in the request
    run_worker()  # the reports' recomputation, then the kept runs
    assert IndexRunResult.objects.get(pk=kept.pk).data_version > kept.data_version
    ready = _area_page(client, test_model)
    assert "data-recomputing-index" not in ready.content.decode()
    before = next(r.total for r in first.rows if r.unit == AREAS[0])
    assert next(r.total for r in ready.context["page"].rows if r.unit == AREAS[0]) != before


def test_a_page_with_its_run_kept_reads_the_kept_runs_once(client, stockholm_statistics, test_model):
    """Whether a stale run is slow to compute again is asked only when no run is kept at the
    current data version: a page with its run kept reads the kept runs once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _area_page(client, test_model)
    with CaptureQueriesContext(connection) as queries:
        assert "<tbody>" in _area_page(client, test_model).content.decode()
    table = IndexRunResult._meta.db_table
    assert len([q for q in queries.captured_queries if table in q["sql"]]) == 1


def test_a_quick_run_or_no_worker_is_computed_in_the_request(client, stockholm_statistics, test_model,
                                                            django_capture_on_commit_callbacks):
    from stadsdel.jobs.services import beat

    _area_page(client, test_model)
    kept = IndexRunResult.objects.get()
    beat("test-worker")
    _change_a_figure(test_model, django_capture_on_commit_callbacks)
    # A run that took well under a second is computed at once, worker or not.
    html = _area_page(client, test_model).content.decode()
    assert "data-recomputing-index" not in html and "<tbody>" in html
    assert IndexRunResult.objects.get(pk=kept.pk).data_version > kept.data_version
