"""The index page's sensitivity analysis off the request (issue 20): with a worker running, the
page shows the ranks at once and a progress bar in place of the rank intervals, which a task
draws and keeps per model version, data version, level, year, threshold, draws and seed; an
analysis kept at an older data version is never shown; without a worker it is drawn in the
request, as before."""

from __future__ import annotations

from stadsdel.indices.models import SensitivityResult
from stadsdel.indices.tasks import sensitivity_run
from stadsdel.jobs.models import TaskProgress
from stadsdel.jobs.selectors import task_latest
from stadsdel.jobs.services import beat
from task_worker import run_worker


def _page(client, model, **extra):
    return client.get("/index/", {"model": model.pk, "level": "district", "year": 2012, **extra})


def _intervals(page):
    return {r.unit: (r.median_rank, r.rank_p05, r.rank_p95, r.selection_frequency) for r in page.rows if r.rank}


def test_with_a_worker_the_page_shows_progress_then_the_kept_intervals(client, stockholm_statistics, test_model):
    run_worker()  # the reports' recomputation the imports queued: out of the way
    beat("test-worker")
    first = _page(client, test_model)
    page = first.context["page"]
    html = first.content.decode()
    # The ranks at once; the intervals not drawn in the request, a task queued for them.
    assert page.rows[0].unit == "Tensta" and page.rows[0].rank == 1
    assert page.sensitivity is None and page.sensitivity_task is not None
    assert all(r.median_rank is None for r in page.rows)
    assert SensitivityResult.objects.count() == 0
    assert 'data-poll-progress="/tasks/' in html and 'id="sensitivity-bar"' in html
    assert "Känslighetsanalysen beräknas" in html and 'id="chart-rank-interval"' not in html
    task_id = page.sensitivity_task.id
    # A second view waits for the same task rather than queueing another.
    assert _page(client, test_model).context["page"].sensitivity_task.id == task_id
    # The state the bar polls, readable by a visitor (the index page is public).
    state = client.get(f"/tasks/{task_id}/state/").json()
    assert state["status"] == "READY" and state["finished"] is False

    run_worker()
    state = client.get(f"/tasks/{task_id}/state/").json()
    assert state["status"] == "SUCCESSFUL" and state["finished"] and state["percent"] == 100
    # The draws were reported as they went, in words.
    progress = TaskProgress.objects.get(task_id=task_id)
    assert progress.detail["step_values"] == {"done": 1000, "total": 1000}
    assert "1000 av 1000 dragningar" in state["step"]

    done = _page(client, test_model)
    page = done.context["page"]
    assert page.sensitivity_task is None and page.sensitivity is not None
    assert all(r.rank_p05 <= r.median_rank <= r.rank_p95 for r in page.rows if r.rank)
    assert 'id="chart-rank-interval"' in done.content.decode()
    assert "data-poll-progress" not in done.content.decode()
    # The same figures as drawn in the request without a worker.
    from stadsdel.jobs.models import WorkerBeat

    kept = _intervals(page)
    WorkerBeat.objects.all().delete()
    SensitivityResult.objects.all().delete()
    assert _intervals(_page(client, test_model).context["page"]) == kept


def test_a_data_change_hides_the_kept_analysis(client, stockholm_statistics, test_model,
                                               django_capture_on_commit_callbacks):
    run_worker()
    beat("test-worker")
    task_id = _page(client, test_model).context["page"].sensitivity_task.id
    run_worker()
    assert _page(client, test_model).context["page"].sensitivity is not None
    kept = SensitivityResult.objects.get()

    from stadsdel.indicators.models import Indicator

    with django_capture_on_commit_callbacks(execute=True):
        indicator = Indicator.objects.first()
        indicator.name += " (ändrad)"
        indicator.save()  # counts as a change of the data the index is computed from
    after = _page(client, test_model).context["page"]
    assert after.sensitivity is None and after.sensitivity_task is not None
    assert after.sensitivity_task.id != task_id
    run_worker()
    page = _page(client, test_model).context["page"]
    assert page.sensitivity is not None
    assert SensitivityResult.objects.get().data_version > kept.data_version


def test_each_threshold_and_model_version_has_its_own_analysis(client, stockholm_statistics, test_model):
    run_worker()
    beat("test-worker")
    _page(client, test_model)
    run_worker()
    assert _page(client, test_model).context["page"].sensitivity is not None
    # Another threshold sizes the selection differently: its own analysis.
    other = _page(client, test_model, threshold=120).context["page"]
    assert other.sensitivity is None and other.sensitivity_task is not None
    assert SensitivityResult.objects.count() == 1


def test_without_a_worker_the_analysis_is_drawn_in_the_request_and_kept(client, stockholm_statistics, test_model):
    page = _page(client, test_model).context["page"]
    assert page.sensitivity is not None and page.sensitivity_task is None
    assert SensitivityResult.objects.count() == 1
    assert task_latest(sensitivity_run, key=SensitivityResult.objects.get().key) is None  # no task
    # The next view reads it back: the same figures.
    again = _page(client, test_model).context["page"]
    assert _intervals(again) == _intervals(page)


def test_the_csv_has_the_intervals_even_while_a_task_would_draw_them(client, stockholm_statistics, test_model):
    run_worker()
    beat("test-worker")
    response = _page(client, test_model, format="csv")
    rows = response.content.decode().splitlines()
    header = rows[0].split(",")
    tensta = next(r.split(",") for r in rows[1:] if r.startswith("Tensta"))
    assert tensta[header.index("median_rank")] != ""


def test_a_failed_analysis_is_said_in_words_and_not_queued_again(client, stockholm_statistics, test_model,
                                                                  monkeypatch):
    run_worker()
    beat("test-worker")
    task_id = _page(client, test_model).context["page"].sensitivity_task.id

    from stadsdel.indices import sensitivity

    def broken(*args, **kwargs):
        raise RuntimeError("no memory left")

    monkeypatch.setattr(sensitivity, "sensitivity_analyse", broken)
    run_worker()
    response = _page(client, test_model)
    page = response.context["page"]
    assert page.sensitivity_task.id == task_id and page.sensitivity_task.status == "FAILED"
    html = response.content.decode()
    assert 'id="sensitivity-bar-failed"' in html and "no memory left" in html
    assert "data-poll-progress" not in html  # no reload loop


def test_a_flood_of_thresholds_is_drawn_in_the_request_past_the_queue_limit(client, stockholm_statistics,
                                                                             test_model, monkeypatch):
    from stadsdel.indices import sensitivity

    run_worker()
    beat("test-worker")
    monkeypatch.setattr(sensitivity, "MAX_QUEUED", 2)
    queued = [_page(client, test_model, threshold=t).context["page"] for t in (101, 102)]
    assert all(p.sensitivity_task is not None for p in queued)
    # The queue is full: the next threshold's analysis is drawn here, as before; those waiting
    # still show their bars.
    third = _page(client, test_model, threshold=103).context["page"]
    assert third.sensitivity is not None and third.sensitivity_task is None
    assert _page(client, test_model, threshold=101).context["page"].sensitivity_task.id == queued[0].sensitivity_task.id


def test_an_older_analysis_ending_late_does_not_replace_a_newer_one(stockholm_statistics, test_model):
    from stadsdel.indices import sensitivity
    from stadsdel.indices.selectors import index_run

    key = sensitivity.SensitivityKey(model_id=test_model.pk, level="district", year=2012, threshold=100.0,
                                     draws=50, seed=0)
    result = index_run(model=test_model, level="district").result
    sensitivity.compute_and_keep(key, result=result, data_version=7)
    sensitivity.compute_and_keep(key, result=result, data_version=5)  # a slow task for older data
    assert SensitivityResult.objects.get().data_version == 7
    assert sensitivity.kept(key, data_version=5) is None and sensitivity.kept(key, data_version=7) is not None
    sensitivity.compute_and_keep(key, result=result, data_version=8)
    assert SensitivityResult.objects.get().data_version == 8
