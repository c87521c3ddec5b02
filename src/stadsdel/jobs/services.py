"""Writes about background tasks: progress, the workers' heartbeats, dead workers' tasks, retries."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stadsdel.jobs.models import KeptResult, TaskProgress, WorkerBeat

READY, RUNNING, FAILED, SUCCESSFUL = "READY", "RUNNING", "FAILED", "SUCCESSFUL"


class WorkerDied(RuntimeError):
    """The worker running the task stopped saying it was alive (killed, or its machine gone)."""


def progress_report(task_id: str, *, percent: float, step: str, label: str | None = None,
                    values: dict | None = None) -> None:
    """Say how far the task has come (0–100) and what it is doing. Each report is committed at
    once, so the task's page sees it while the work goes on. A step with `values` is a msgid
    with placeholders ("%(done)s of %(total)s draws"), filled in each reader's language."""
    defaults = {"percent": max(0.0, min(100.0, percent)), "step": step[:300], "updated_at": timezone.now()}
    if label is not None:
        defaults["label"] = label[:200]
    if values is not None:
        row = TaskProgress.objects.filter(task_id=str(task_id)).only("detail").first()
        defaults["detail"] = {**(row.detail if row else {}), "step_values": values}
    TaskProgress.objects.update_or_create(task_id=str(task_id), defaults=defaults)


def task_detail_set(task_id: str, *, detail: dict, result_url: str | None = None) -> None:
    """Keep what the task's page shows when the task has ended (see TaskProgress.detail)."""
    defaults = {"detail": detail, "updated_at": timezone.now()}
    if result_url is not None:
        defaults["result_url"] = result_url[:300]
    TaskProgress.objects.update_or_create(task_id=str(task_id), defaults=defaults)


def task_enqueue(task, *args, owner, label: str, detail: dict | None = None, **kwargs) -> str:
    """Queue a user's task (an upload) with its owner and label, in one transaction: no worker
    can start it, and no one else can see its page, before its owner is recorded. The label is
    an untranslated msgid (the page translates it for each reader). Returns the task's id."""
    with transaction.atomic():
        result = task.enqueue(*args, **kwargs)
        TaskProgress.objects.update_or_create(task_id=str(result.id), defaults={
            "owner": owner, "label": label[:200], "percent": 0.0, "step": "", "detail": detail or {},
            "updated_at": timezone.now()})
    return str(result.id)


def task_enqueue_keyed(task, *, key: str, label: str, public: bool = False, priority: int = 0, **kwargs) -> str:
    """Queue a system task that computes the one thing `key` names (an index's sensitivity
    analysis, an evaluation's estimates), unless one for the same key is queued or running
    already; returns the task's id either way. `key` is passed to the task as a keyword. A
    `public` task's state may be read by visitors too (the page it serves is public; its label
    and steps say nothing of what they may not see). Its `priority` puts a reader's waiting
    page ahead of the work no one waits for (the reports' recomputation)."""
    from stadsdel.jobs.selectors import task_latest

    latest = task_latest(task, key=key)
    if latest is not None and latest.status in (READY, RUNNING):
        return str(latest.pk)
    with transaction.atomic():
        result = task.using(priority=priority).enqueue(key=key, **kwargs)
        TaskProgress.objects.update_or_create(task_id=str(result.id), defaults={
            "owner": None, "label": label[:200], "percent": 0.0, "step": "", "detail": {"public": public},
            "updated_at": timezone.now()})
    return str(result.id)


def keep_newest(model: type[KeptResult], *, lookup: dict, versions: dict, payload: bytes, seconds: float,
                values: dict | None = None) -> None:
    """Keep a computed result (`payload`, which took `seconds`, and any other `values`) in the one
    row of `model` for `lookup`, unless the row holds one computed at a newer version already
    (`versions`, each compared field by field): a slow task for older data that ends after a
    quicker one for newer data does not overwrite it."""
    from django.db import IntegrityError

    values = {**(values or {}), "payload": payload, "seconds": seconds, "computed_at": timezone.now()}
    older = {f"{name}__lte": value for name, value in versions.items()}
    if model.objects.filter(**lookup, **older).update(**versions, **values):
        return
    if model.objects.filter(**lookup).exists():
        return  # a newer result is kept
    try:
        with transaction.atomic():
            model.objects.create(**lookup, **versions, **values)
    except IntegrityError:
        pass  # another task kept its result meanwhile


def beat(worker_id: str, *, host: str = "", pid: int = 0) -> None:
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": timezone.now(), "host": host,
                                                                       "pid": pid})


def workers_alive() -> int:
    return WorkerBeat.objects.filter(seen_at__gte=timezone.now() - _timeout()).count()


def _timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.STADSDEL_WORKER_TIMEOUT_SECONDS)


def fail_dead_tasks() -> list[str]:
    """Mark failed every running task whose worker is dead (silent past the timeout, or never
    seen). What such a task wrote inside its transaction was rolled back with the worker's
    connection; it can be retried. Returns the tasks' ids."""
    alive = set(WorkerBeat.objects.filter(seen_at__gte=timezone.now() - _timeout()).values_list("worker_id", flat=True))
    failed = []
    for result in DBTaskResult.objects.filter(status=RUNNING):
        worker = result.worker_ids[-1] if result.worker_ids else ""
        if worker in alive:
            continue
        # Only when still running: a worker finishing it meanwhile wins.
        updated = DBTaskResult.objects.filter(pk=result.pk, status=RUNNING).update(
            status=FAILED, finished_at=timezone.now(),
            exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
            traceback=f"WorkerDied: worker {worker or '?'} stopped while running the task.\n")
        if updated:
            failed.append(str(result.pk))
    WorkerBeat.objects.filter(seen_at__lt=timezone.now() - 10 * _timeout()).delete()
    return failed


def retry(task_id: str) -> str:
    """Queue a failed task again with its arguments; returns the new task's id."""
    result = DBTaskResult.objects.get(pk=task_id, status=FAILED)
    new = result.task.enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    old = TaskProgress.objects.filter(task_id=str(task_id)).first()
    if old is not None:
        TaskProgress.objects.update_or_create(task_id=str(new.id), defaults={
            # What the task's page showed of it before it ran (an import's file name) is kept;
            # what a failed run wrote of its end is not.
            "label": old.label, "owner": old.owner, "result_url": "",
            "detail": {} if "error" in old.detail else old.detail, "percent": 0.0,
            "step": "", "updated_at": timezone.now()})
    return str(new.id)


# -- files sent for a task ---------------------------------------------------------------------

# A failed task's file is kept this long for its retry (the task's page offers one); after that,
# and at once for a task that ended any other way, the file goes.
UPLOAD_KEEP = dt.timedelta(days=7)
# A folder this new may belong to a task being queued at this moment.
UPLOAD_GRACE = dt.timedelta(hours=1)


def upload_dir() -> Path:
    """Where files sent for a background task (an uploaded import) wait for it, a folder each:
    under the data directory, which every worker of a single-machine installation shares with
    the web server."""
    return Path(settings.DATA_DIR) / "uploads"


def uploads_prune(*, now: dt.datetime | None = None) -> list[Path]:
    """Remove the folders under `upload_dir` that no task will read: those no queued or running
    task names, nor a task that failed less than UPLOAD_KEEP ago (it may be retried). A task
    removes its own file when it ends; this catches the files of tasks whose worker died and
    that no one retried. Returns the folders removed."""
    root = upload_dir()
    if not root.is_dir():
        return []
    now = now or timezone.now()
    named: set[str] = set()
    waiting = DBTaskResult.objects.filter(
        models.Q(status__in=[READY, RUNNING]) | models.Q(status=FAILED, finished_at__gte=now - UPLOAD_KEEP))
    for args_kwargs in waiting.values_list("args_kwargs", flat=True):
        for value in (args_kwargs or {}).get("kwargs", {}).values():
            if isinstance(value, str) and Path(value).is_relative_to(root):
                named.add(Path(value).relative_to(root).parts[0])
    removed = []
    for folder in root.iterdir():
        modified = dt.datetime.fromtimestamp(folder.stat().st_mtime, tz=dt.UTC)
        if folder.name in named or now - modified < UPLOAD_GRACE:
            continue
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.unlink(missing_ok=True)
        removed.append(folder)
    return removed
