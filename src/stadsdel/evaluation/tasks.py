"""The evaluation's background task: an evaluation's estimates (see `estimates`)."""

from __future__ import annotations

from django_tasks import task

from stadsdel.jobs.services import progress_report


@task(takes_context=True)
def estimate(context, *, key: str, evaluation_id: int, data_version: int) -> int:
    """Estimate every outcome of the evaluation as it is now and keep the results at
    `data_version` (read by the page that queued the task, before these figures were read).
    Reports each outcome done. Returns the number of outcomes."""
    from stadsdel.evaluation import estimates
    from stadsdel.evaluation.models import Evaluation

    task_id = context.task_result.id

    def progress(done: int, total: int) -> None:
        progress_report(task_id, percent=100.0 * done / max(total, 1), step=estimates.OUTCOMES_STEP,
                        values={"done": done, "total": total})

    evaluation = Evaluation.objects.select_related("synth_district").get(pk=evaluation_id)
    return len(estimates.compute_and_keep(evaluation, data_version=data_version, progress=progress))
