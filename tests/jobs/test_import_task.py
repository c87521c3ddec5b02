"""An uploaded statistics file is imported by a background task, never in the request (issue 20):
the upload is kept under the data directory and queued as its uploader's task; the task's page
shows its progress, then the counts and a link to the import, or every fault in the file (nothing
written, the refusal recorded); a task whose worker died is failed with nothing half-written and
runs again; with no worker alive the page says so."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stadsdel.indicators import tasks as import_tasks
from stadsdel.indicators.models import ImportBatch, Observation, RefusedImport
from stadsdel.jobs import services
from stadsdel.jobs.models import WorkerBeat
from task_worker import run_worker

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "indicator,area,period,sex,value,numerator,denominator\n"
    "employment_rate_20_64,01270001,2010,T,55.5,555,1000\n"
    "employment_rate_20_64,01270002,2010,T,60,600,1000\n"
    "employment_rate_20_64,0127,2010,T,70.125,7012.5,10000\n"
)
BAD_CSV = GOOD_CSV.replace("60,600", "sextio,600")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def upload(content: str, name: str = "botkyrka_2010.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def send(client, content: str, **extra) -> str:
    """Upload through the import page; returns the task's id (the page redirects to it)."""
    response = client.post(reverse("indicators:statistics_import"), {"format": "csv", "file": upload(content), **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/tasks/([0-9a-f-]{36})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def uploads(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "uploads").rglob("*") if p.is_file()] if (data_dir / "uploads").exists() else []


def test_an_upload_is_queued_not_imported_and_its_progress_and_counts_reach_the_page(
        client, analyst_user, data_dir, monkeypatch):
    client.force_login(analyst_user)
    task_id = send(client, GOOD_CSV)
    # Nothing imported in the request: the file waits under the data directory for the worker.
    assert not ImportBatch.objects.exists() and not Observation.objects.exists()
    assert [p.name for p in uploads(data_dir)] == ["botkyrka_2010.csv"]
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert "<h1>Import av en statistikfil</h1>" in page and "botkyrka_2010.csv" in page
    assert "data-poll-progress" in page

    # What the page reads while the task runs: each step as the task reports it.
    seen = []
    report = import_tasks.progress_report

    def watched(*args, **kwargs):
        report(*args, **kwargs)
        seen.append(client.get(f"/tasks/{task_id}/state/").json())

    monkeypatch.setattr(import_tasks, "progress_report", watched)
    run_worker()
    assert [(s["percent"], s["step"], s["state_text"]) for s in seen] == [
        (5, "Läser filen", "Pågår"),
        (35, "Kontrollerar indikatorer och områden, skriver sedan siffrorna (allt eller inget)", "Pågår"),
        (100, "Avslutar", "Pågår")]

    batch = ImportBatch.objects.get()
    assert batch.source_name == "botkyrka_2010.csv" and batch.created_by == analyst_user
    assert Observation.objects.filter(batch=batch).count() == 3
    state = client.get(f"/tasks/{task_id}/state/").json()
    assert state["finished"] and state["status"] == "SUCCESSFUL" and state["percent"] == 100
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert "Filen har importerats" in page and "data-poll-progress" not in page
    assert '<dd class="num" id="import-created">3</dd>' in page
    assert reverse("indicators:import_detail", args=[batch.pk]) in page
    assert uploads(data_dir) == []  # the kept upload is removed once imported

    client.cookies["django_language"] = "en"
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert "<h1>Import of a statistics file</h1>" in page and "The file has been imported" in page
    assert "State: <strong data-state>Done</strong>" in page


def test_a_dry_run_in_the_background_counts_and_saves_nothing(client, analyst_user):
    client.force_login(analyst_user)
    task_id = send(client, GOOD_CSV, dry_run="on")
    run_worker()
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert "Provkörning: ingenting har sparats" in page and '<dd class="num" id="import-created">3</dd>' in page
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()


def test_a_bad_file_fails_its_task_naming_row_and_field_writes_nothing_and_is_recorded(
        client, analyst_user, data_dir):
    client.force_login(analyst_user)
    task_id = send(client, BAD_CSV)
    run_worker()
    assert DBTaskResult.objects.get(pk=task_id).status == "FAILED"
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()
    refused = RefusedImport.objects.get()
    assert refused.source_name == "botkyrka_2010.csv" and refused.channel == RefusedImport.Channel.PAGE
    assert refused.created_by == analyst_user and "rad 3" in refused.message
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert "Misslyckades" in page
    assert "Filen botkyrka_2010.csv kunde inte importeras: ingenting har sparats." in page
    assert re.search(r'<th scope="row">rad 3[^<]*</th><td>[^<]*sextio', page), page
    assert "Kör den igen" not in page  # the same file would fail again: correct it and upload anew
    assert reverse("indicators:statistics_import") in page
    assert client.post(f"/tasks/{task_id}/retry/").status_code == 404
    assert uploads(data_dir) == []
    client.cookies["django_language"] = "en"
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert "The file botkyrka_2010.csv could not be imported: nothing has been saved." in page
    assert "State: <strong data-state>Failed</strong>" in page


def test_what_the_form_refuses_is_answered_at_once_and_queues_nothing(client, analyst_user):
    client.force_login(analyst_user)
    response = client.post(reverse("indicators:statistics_import"), {"format": "pxweb", "file": upload("{}", "scb.json")})
    assert response.status_code == 400 and "En PxWeb-fil behöver" in response.content.decode()
    assert not DBTaskResult.objects.filter(task_path=f"{import_tasks.__name__}.import_upload").exists()
    assert RefusedImport.objects.get().source_name == "scb.json"


def test_a_write_stopped_midway_leaves_nothing(client, analyst_user, monkeypatch):
    """The import's writes are one transaction: a stop after the observations were written and
    before the aggregates (here an error standing in for the worker's end) keeps none of them."""
    from stadsdel.indicators.services import imports

    def stop(**kwargs):
        assert Observation.objects.exists()  # written, inside the transaction
        raise SystemExit("stopped")

    monkeypatch.setattr(imports, "aggregates_refresh", stop)
    client.force_login(analyst_user)
    task_id = send(client, GOOD_CSV)
    run_worker()
    assert DBTaskResult.objects.get(pk=task_id).status == "FAILED"
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()


def test_a_killed_workers_import_is_failed_and_runs_again_from_the_kept_file(client, analyst_user, data_dir):
    client.force_login(analyst_user)
    task_id = send(client, GOOD_CSV)
    # A worker claimed the import and was killed inside its transaction: its writes went with
    # its connection, and the upload is still where the task finds it.
    DBTaskResult.objects.get(pk=task_id).claim("killed-worker")
    WorkerBeat.objects.create(worker_id="killed-worker", seen_at=timezone.now() - dt.timedelta(minutes=5))
    assert services.fail_dead_tasks() == [task_id]
    assert not ImportBatch.objects.exists() and not Observation.objects.exists()
    assert len(uploads(data_dir)) == 1
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert "Misslyckades" in page and "Arbetsprocessen som körde uppgiften stannade" in page and "Kör den igen" in page
    response = client.post(f"/tasks/{task_id}/retry/")
    new_id = response["Location"].rstrip("/").split("/")[-1]
    assert "botkyrka_2010.csv" in client.get(f"/tasks/{new_id}/").content.decode()  # the same file, queued again
    run_worker()
    assert DBTaskResult.objects.get(pk=new_id).status == "SUCCESSFUL"
    assert ImportBatch.objects.count() == 1 and Observation.objects.count() == 3
    assert "Filen har importerats" in client.get(f"/tasks/{new_id}/").content.decode()


def test_the_page_says_when_no_worker_is_running(client, analyst_user):
    client.force_login(analyst_user)
    task_id = send(client, GOOD_CSV)
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert 'id="task-no-worker"' in page and "ingen arbetsprocess" in page and 'data-no-worker="1"' in page
    assert client.get(f"/tasks/{task_id}/state/").json()["no_worker"] is True
    client.cookies["django_language"] = "en"
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert "The task is queued, but no worker is running" in page
    services.beat("a-worker")
    page = client.get(f"/tasks/{task_id}/").content.decode()
    assert 'id="task-no-worker"' not in page and 'data-no-worker="0"' in page and "You may leave this page" in page


def test_an_import_task_is_its_uploaders_alone(client, analyst_user, malmo_user, ministry_user):
    client.force_login(analyst_user)
    task_id = send(client, GOOD_CSV)
    for other in (malmo_user, ministry_user):
        client.force_login(other)
        assert client.get(f"/tasks/{task_id}/").status_code == 403
        assert client.get(f"/tasks/{task_id}/state/").status_code == 403


def test_uploads_no_task_will_read_are_removed_and_the_others_kept(client, analyst_user, data_dir):
    """`stadsdel worker` removes (at start and hourly) the uploaded files of tasks that ended
    while keeping those of queued tasks and of failed ones that may still be retried."""
    import os

    client.force_login(analyst_user)
    queued, failed_lately, failed_long_ago = (send(client, GOOD_CSV) for _ in range(3))
    now = timezone.now()
    for task_id, finished in ((failed_lately, now - dt.timedelta(days=2)), (failed_long_ago, now - dt.timedelta(days=8))):
        DBTaskResult.objects.filter(pk=task_id).update(status="FAILED", finished_at=finished)
    folder = {task_id: Path(DBTaskResult.objects.get(pk=task_id).args_kwargs["kwargs"]["path"]).parent
              for task_id in (queued, failed_lately, failed_long_ago)}
    left_behind = data_dir / "uploads" / "0123abcd"  # a file whose task is gone
    left_behind.mkdir()
    (left_behind / "x.csv").write_text(GOOD_CSV)
    just_sent = data_dir / "uploads" / "4567ef01"  # a folder whose task is being queued right now
    just_sent.mkdir()
    old = (now - dt.timedelta(hours=2)).timestamp()
    for path in (*folder.values(), left_behind):
        os.utime(path, (old, old))
    removed = services.uploads_prune(now=now)
    assert set(removed) == {folder[failed_long_ago], left_behind}
    assert folder[queued].is_dir() and folder[failed_lately].is_dir() and just_sent.is_dir()
    assert not folder[failed_long_ago].exists() and not left_behind.exists()
    run_worker()  # the queued one is imported from its kept file
    assert DBTaskResult.objects.get(pk=queued).status == "SUCCESSFUL"
