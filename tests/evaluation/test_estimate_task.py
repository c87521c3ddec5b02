"""An evaluation's estimates off the request (issue 20): with a worker running, the page shows the
design at once and a progress bar in place of the estimates, which a task computes and keeps per
edit version and data version; estimates kept at an older version are never shown; the
downloads use the kept estimates; without a worker they are computed in the request, as before."""

from __future__ import annotations

import pytest

from stadsdel.evaluation import services
from stadsdel.evaluation.models import KeptEstimates
from stadsdel.jobs.models import TaskProgress, WorkerBeat
from stadsdel.jobs.services import beat
from task_worker import run_worker

pytestmark = pytest.mark.django_db


def _url(evaluation):
    return f"/evaluation/{evaluation.pk}/"


def test_with_a_worker_the_page_shows_progress_then_the_estimates(client, evaluation, ministry_user):
    run_worker()  # the reports' recomputation the imports queued: out of the way
    beat("test-worker")
    client.force_login(ministry_user)
    first = client.get(_url(evaluation))
    html = first.content.decode()
    task = first.context["estimate_task"]
    assert task is not None and first.context["outcomes"] == []
    assert KeptEstimates.objects.count() == 0  # nothing fitted in the request
    assert "Skattningarna beräknas" in html and 'id="estimate-bar"' in html
    assert f'data-poll-progress="/tasks/{task.id}/state/"' in html
    assert "Avtalen 2008" in html and "Rinkeby" in html  # the design at once
    # A visitor polls the same state (the evaluation is published).
    visitor = client.__class__()
    assert visitor.get(f"/tasks/{task.id}/state/").json()["status"] == "READY"

    run_worker()
    state = client.get(f"/tasks/{task.id}/state/").json()
    assert state["status"] == "SUCCESSFUL" and state["percent"] == 100
    assert TaskProgress.objects.get(task_id=task.id).detail["step_values"] == {"done": 1, "total": 1}

    done = client.get(_url(evaluation))
    assert done.context["estimate_task"] is None
    (outcome,) = done.context["outcomes"]
    assert outcome["r"].did is not None and outcome["r"].synth is not None
    assert "data-poll-progress" not in done.content.decode()
    kept = KeptEstimates.objects.get()
    assert kept.evaluation_version == evaluation.version
    # The downloads are made of the kept estimates: nothing fitted again.
    from stadsdel.evaluation import selectors

    fits = []
    original = selectors._outcome_result
    selectors._outcome_result = lambda *a, **k: fits.append(1) or original(*a, **k)
    try:
        from django.core.cache import cache

        cache.clear()
        html_file = client.get(_url(evaluation), {"format": "html"})
        assert html_file.status_code == 200 and "Husby" in html_file.content.decode()
        assert client.get(_url(evaluation), {"format": "csv"}).status_code == 200
    finally:
        selectors._outcome_result = original
    assert fits == []


def test_an_edit_or_a_data_change_hides_the_kept_estimates(client, evaluation, ministry_user,
                                                           django_capture_on_commit_callbacks):
    run_worker()
    beat("test-worker")
    client.force_login(ministry_user)
    client.get(_url(evaluation))
    run_worker()
    assert client.get(_url(evaluation)).context["estimate_task"] is None
    # An edit of the design: the estimates of the old design are not shown.
    evaluation = services.evaluation_update(user=ministry_user, evaluation=evaluation, version=evaluation.version,
                                            fields={"title": "Avtalen 2008 (ändrad)"})
    edited = client.get(_url(evaluation))
    assert edited.context["estimate_task"] is not None and edited.context["outcomes"] == []
    run_worker()
    assert client.get(_url(evaluation)).context["estimate_task"] is None
    version_before = KeptEstimates.objects.get().data_version
    # A change of the data (an indicator edited counts as any import does).
    from stadsdel.indicators.models import Indicator

    with django_capture_on_commit_callbacks(execute=True):
        indicator = Indicator.objects.get(code=evaluation.outcomes.get().code)
        indicator.name += " (ändrad)"
        indicator.save()
    changed = client.get(_url(evaluation))
    assert changed.context["estimate_task"] is not None and changed.context["outcomes"] == []
    run_worker()
    assert client.get(_url(evaluation)).context["estimate_task"] is None
    assert KeptEstimates.objects.get().data_version > version_before


def test_without_a_worker_the_estimates_are_computed_in_the_request_and_kept(client, evaluation):
    response = client.get(_url(evaluation))  # a visitor; the evaluation is published
    assert response.context["estimate_task"] is None
    (outcome,) = response.context["outcomes"]
    assert outcome["r"].did is not None
    assert KeptEstimates.objects.count() == 1
    # A worker that stopped long ago is no worker.
    beat("gone")
    WorkerBeat.objects.update(seen_at="2000-01-01T00:00:00Z")
    assert client.get(_url(evaluation)).context["estimate_task"] is None
