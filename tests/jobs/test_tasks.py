"""Background tasks (issue 20): a task's progress and result reach its page; a task whose worker
died is marked failed, nothing it began is kept, and it can be run again."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from stadsdel.indicators.models import ImportBatch
from stadsdel.jobs import services
from stadsdel.jobs.models import TaskProgress, WorkerBeat
from task_worker import run_worker


@task(takes_context=True)
def two_steps(context, name: str) -> int:
    """A task for the tests: reports its progress, writes atomically."""
    services.progress_report(context.task_result.id, percent=50, step="Halvvägs", label="Testuppgift")
    with transaction.atomic():
        ImportBatch.objects.create(kind=ImportBatch.Kind.CSV, source_name=name)
    return 2




def test_progress_and_result_reach_the_page(client, haninge_user):
    client.force_login(haninge_user)
    result = two_steps.enqueue("steg.csv")
    page = client.get(f"/tasks/{result.id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-poll-progress" in html and "Köad" in html  # queued, and the bar will move
    services.progress_report(result.id, percent=30, step="Läser filen", label="Import av steg.csv")
    state = client.get(f"/tasks/{result.id}/state/").json()
    assert state["percent"] == 30 and state["step"] == "Läser filen" and not state["finished"]
    run_worker()
    state = client.get(f"/tasks/{result.id}/state/").json()
    assert state["finished"] and state["status"] == "SUCCESSFUL" and state["percent"] == 100
    done = client.get(f"/tasks/{result.id}/").content.decode()
    assert "Klar" in done and "data-poll-progress" not in done
    assert ImportBatch.objects.filter(source_name="steg.csv").exists()


def test_someone_elses_task_is_not_shown(client, haninge_user, malmo_user):
    result = two_steps.enqueue("x.csv")
    services.progress_report(result.id, percent=0, step="", label="Import")
    TaskProgress.objects.filter(task_id=str(result.id)).update(owner=haninge_user)
    client.force_login(malmo_user)
    assert client.get(f"/tasks/{result.id}/").status_code == 403
    assert client.get(f"/tasks/{result.id}/state/").status_code == 403


def test_a_dead_workers_task_is_failed_atomically_and_can_be_retried(client, haninge_user):
    result = two_steps.enqueue("halv.csv")
    # A worker claimed the task and was killed inside the task's transaction: what it wrote there
    # went with its connection, so nothing of it is in the database.
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("killed-worker")
    WorkerBeat.objects.create(worker_id="killed-worker", seen_at=timezone.now() - dt.timedelta(minutes=5))
    WorkerBeat.objects.create(worker_id="alive", seen_at=timezone.now())
    assert services.fail_dead_tasks() == [str(result.id)]
    row.refresh_from_db()
    assert row.status == "FAILED" and not ImportBatch.objects.filter(source_name="halv.csv").exists()
    client.force_login(haninge_user)
    page = client.get(f"/tasks/{result.id}/").content.decode()
    assert "Misslyckades" in page and "Kör den igen" in page
    response = client.post(f"/tasks/{result.id}/retry/")
    assert response.status_code == 302
    new_id = response["Location"].rstrip("/").split("/")[-1]
    assert DBTaskResult.objects.get(pk=new_id).status == "READY"
    run_worker()
    assert DBTaskResult.objects.get(pk=new_id).status == "SUCCESSFUL"
    assert ImportBatch.objects.filter(source_name="halv.csv").count() == 1


def test_a_live_workers_task_is_left_running(db):
    result = two_steps.enqueue("pågår.csv")
    DBTaskResult.objects.get(pk=result.id).claim("busy-worker")
    services.beat("busy-worker")
    assert services.fail_dead_tasks() == []
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
