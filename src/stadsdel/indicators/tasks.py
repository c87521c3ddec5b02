"""The statistics pages' background task: import a file a user uploaded, with progress."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_noop
from django_tasks import task

from stadsdel.jobs.services import progress_report, task_detail_set

# The importer's own lines (Swedish, for the command line) mapped to the task's steps, kept as
# msgids so the page says them in its reader's language, and to how far the import has come.
READING = gettext_noop("Reading the file")
CHECKING = gettext_noop("Checking indicators and areas, then writing the figures (all or nothing)")
FINISHING = gettext_noop("Finishing")
REFUSED = gettext_noop("The file %(file)s could not be imported: nothing has been saved. Every problem is "
                       "listed below with its row or cell.")


@task(takes_context=True)
def import_upload(context, *, path: str, fmt: str, indicator: str | None, dry_run: bool, user_id: int | None,
                  source_name: str, channel: str) -> dict:
    """Import the uploaded file at `path` as `stadsdel import` would (one transaction: all or
    nothing), as the user who sent it. A refused file is recorded (RefusedImport) and its faults
    kept for the task's page; the task then fails, with nothing written. The file is removed
    once it is imported or refused (a dead worker's file stays, for the task's retry)."""
    from stadsdel.indicators.importers.base import ImportFileError
    from stadsdel.indicators.services.imports import TASK_TEMPLATE, observations_import

    task_id = context.task_result.id
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    # What the task reports inside the import's transaction would be seen by no one before it
    # commits (and be rolled back with it on a fault): only the steps outside it are reported.
    depth = len(transaction.get_connection().atomic_blocks)

    def progress(message: str) -> None:
        if len(transaction.get_connection().atomic_blocks) != depth:
            return
        if message.startswith("läser"):
            progress_report(task_id, percent=5, step=READING)
        elif "kontrollerar" in message:
            progress_report(task_id, percent=35, step=CHECKING)

    base = {"template": TASK_TEMPLATE, "file": source_name, "dry_run": dry_run}
    try:
        outcome = observations_import(path=Path(path), fmt=fmt, indicator=indicator, user=user, dry_run=dry_run,
                                      progress=progress, source_name=source_name, channel=channel)
    except ImportFileError as exc:
        task_detail_set(task_id, detail={
            **base, "refused": True, "retry": False, "error": REFUSED, "error_values": {"file": source_name},
            "problems": [[problem.location, problem.message] for problem in exc.problems]})
        _remove(path)
        raise
    progress_report(task_id, percent=100, step=FINISHING)
    batch_id = outcome.batch.pk if outcome.batch else None
    task_detail_set(task_id, detail={
        **base, "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
        "batch_id": batch_id}, result_url=reverse("indicators:import_detail", args=[batch_id]) if batch_id else "")
    _remove(path)
    return {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
            "dry_run": outcome.dry_run, "batch_id": batch_id}


def _remove(path: str) -> None:
    # Each upload has a folder of its own (services.imports.observations_import_upload_queue).
    shutil.rmtree(Path(path).parent, ignore_errors=True)
