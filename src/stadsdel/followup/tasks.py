"""The reports' background task: recompute every known report after the data changed."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from stadsdel.jobs.services import READY, RUNNING, progress_report, task_detail_set

TASK_PATH = f"{__name__}.recompute_reports"


@task(takes_context=True)
def recompute_reports(context) -> int:
    """Compute again every report older than the data; returns how many were computed."""
    from stadsdel.followup import precompute

    task_id = context.task_result.id

    def progress(n: int, total: int, title: str) -> None:
        progress_report(task_id, percent=100.0 * n / max(total, 1), step=title)

    # A worker serves no one reader: its words are in the product's first language.
    with translation.override("sv"):
        # The label is kept untranslated and translated for each reader (jobs.selectors).
        progress_report(task_id, percent=0.0, step="", label=gettext_noop("Recomputing the reports"))
        return precompute.recompute_all(progress=progress)


def pending_recompute(*, started: bool | None):
    """The recomputation tasks not finished: only queued (started=False), only running (True),
    or both (None)."""
    statuses = {False: [READY], True: [RUNNING], None: [READY, RUNNING]}[started]
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status__in=statuses)


BUILDING = gettext_noop("Building the file")
FILE_LABEL = gettext_noop("A report file (PDF or Excel)")


@task(takes_context=True)
def build_report_file(context, *, key: str, fmt: str, url: str) -> int:
    """Build a report's PDF or Excel file for its reader and keep it at the data version; the
    task's page then links to the download, which is served from the kept file. Returns its size."""
    from stadsdel.followup import precompute

    task_id = context.task_result.id
    report = precompute.ReportKey.parse(key)
    progress_report(task_id, percent=10, step=BUILDING)
    data = precompute.file_build(report, fmt)
    progress_report(task_id, percent=100, step=BUILDING)
    task_detail_set(task_id, detail={}, result_url=url)
    return len(data)
