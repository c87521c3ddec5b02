"""Reads about background tasks: one task's state as its page shows it, and the results long
computations kept."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from stadsdel.jobs.models import KeptResult, TaskProgress
from stadsdel.jobs.services import FAILED, READY, RUNNING, SUCCESSFUL, WorkerDied, workers_alive


def kept_get(model: type[KeptResult], *, lookup: dict, data_version: int):
    """The result `model` keeps for `lookup` at `data_version`, unpacked; None when none is kept
    at that version (a result at an older one is never used)."""
    row = model.objects.filter(**lookup, data_version=data_version).only("payload").first()
    return None if row is None else row.unpack()


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
    detail: dict = field(default_factory=dict)
    no_worker: bool = False  # queued, and no worker is alive to run it

    @property
    def public(self) -> bool:
        return bool(self.detail.get("public"))

    @property
    def detail_template(self) -> str:
        return self.detail.get("template", "")

    @property
    def retryable(self) -> bool:
        # A refused file fails again as it is: the user corrects it and uploads it anew.
        return self.status == FAILED and self.detail.get("retry", True)

    @property
    def finished(self) -> bool:
        return self.status in (FAILED, SUCCESSFUL)

    @property
    def state_text(self) -> str:
        if self.no_worker:
            return _("Queued; no worker is running")
        return {READY: _("Queued"), RUNNING: _("Running"), FAILED: _("Failed"),
                SUCCESSFUL: _("Done")}.get(self.status, self.status)

    @property
    def percent_text(self) -> str:
        return f"{self.percent:.0f} %"

    def as_json(self) -> dict:
        return {"status": self.status, "state_text": self.state_text, "percent": round(self.percent, 1),
                "percent_text": self.percent_text, "step": self.step, "finished": self.finished,
                "error": self.error, "result_url": self.result_url, "no_worker": self.no_worker}


def _step(progress: TaskProgress | None) -> str:
    if progress is None or not progress.step:
        return ""
    values = progress.detail.get("step_values")
    return _(progress.step) % values if values else _(progress.step)


def task_latest(task, *, key: str) -> DBTaskResult | None:
    """The task of this kind last queued for `key` (see services.task_enqueue_keyed)."""
    return (DBTaskResult.objects.filter(task_path=task.module_path, args_kwargs__kwargs__key=key)
            .order_by("-enqueued_at").first())


def tasks_queued(task) -> int:
    """How many tasks of this kind wait for a worker."""
    return DBTaskResult.objects.filter(task_path=task.module_path, status=READY).count()


def task_state(task_id: str) -> TaskState | None:
    result = DBTaskResult.objects.filter(pk=task_id).first()
    if result is None:
        return None
    progress = TaskProgress.objects.filter(task_id=str(task_id)).first()
    error = ""
    detail = progress.detail if progress else {}
    if result.status == FAILED:
        if detail.get("error"):
            error = _(detail["error"]) % detail.get("error_values", {})
        elif result.exception_class_path.endswith(WorkerDied.__qualname__):
            error = _("The worker running the task stopped before it finished. Nothing it had begun to "
                      "write was kept; the task can be run again.")
        else:
            last = (result.traceback.strip().splitlines() or [""])[-1]
            error = _("The task stopped with an error: %(error)s") % {"error": last}
    percent = 100.0 if result.status == SUCCESSFUL else (progress.percent if progress else 0.0)
    return TaskState(
        id=str(result.pk), label=_(progress.label) if progress and progress.label else result.task_name,
        # Steps are kept as msgids where they can be (an import's), so each reader sees them in
        # their language; a step that is no msgid (a report's title) reads as it was written.
        status=result.status, percent=percent, step=_step(progress),
        error=error, result_url=progress.result_url if progress else "",
        owner_id=progress.owner_id if progress else None, detail=detail,
        no_worker=result.status == READY and not workers_alive(),
    )
