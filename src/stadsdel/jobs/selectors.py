"""Reads about background tasks: one task's state as its page shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from stadsdel.jobs.models import TaskProgress
from stadsdel.jobs.services import FAILED, READY, RUNNING, SUCCESSFUL, WorkerDied


@dataclass
class TaskState:
    id: str
    label: str
    status: str
    percent: float
    step: str
    error: str  # in words, when failed
    result_url: str
    owner_id: int | None

    @property
    def finished(self) -> bool:
        return self.status in (FAILED, SUCCESSFUL)

    @property
    def state_text(self) -> str:
        return {READY: _("Queued"), RUNNING: _("Running"), FAILED: _("Failed"),
                SUCCESSFUL: _("Done")}.get(self.status, self.status)

    @property
    def percent_text(self) -> str:
        return f"{self.percent:.0f} %"

    def as_json(self) -> dict:
        return {"status": self.status, "state_text": self.state_text, "percent": round(self.percent, 1),
                "percent_text": self.percent_text, "step": self.step, "finished": self.finished,
                "error": self.error, "result_url": self.result_url}


def task_state(task_id: str) -> TaskState | None:
    result = DBTaskResult.objects.filter(pk=task_id).first()
    if result is None:
        return None
    progress = TaskProgress.objects.filter(task_id=str(task_id)).first()
    error = ""
    if result.status == FAILED:
        if result.exception_class_path.endswith(WorkerDied.__qualname__):
            error = _("The worker running the task stopped before it finished. Nothing it had begun to "
                      "write was kept; the task can be run again.")
        else:
            last = (result.traceback.strip().splitlines() or [""])[-1]
            error = _("The task stopped with an error: %(error)s") % {"error": last}
    percent = 100.0 if result.status == SUCCESSFUL else (progress.percent if progress else 0.0)
    return TaskState(
        id=str(result.pk), label=_(progress.label) if progress and progress.label else result.task_name,
        status=result.status, percent=percent, step=progress.step if progress else "", error=error,
        result_url=progress.result_url if progress else "", owner_id=progress.owner_id if progress else None,
    )
