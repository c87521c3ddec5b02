"""The index's background task: a page's sensitivity analysis (see `sensitivity`)."""

from __future__ import annotations

from django_tasks import task

from stadsdel.jobs.services import progress_report


@task(takes_context=True)
def sensitivity_run(context, *, key: str, model_id: int, level: str, year: int, threshold: float, draws: int,
                    seed: int, data_version: int) -> int:
    """Run the model at `level`, draw its sensitivity analysis and keep it at `data_version` (read
    by the page that queued the task, before these figures were read: the kept result is never
    newer than its label). Reports the draws done after every chunk. Returns the units ranked."""
    from stadsdel.indices import sensitivity
    from stadsdel.indices.selectors import index_run

    task_id = context.task_result.id

    def progress(done: int, total: int) -> None:
        progress_report(task_id, percent=100.0 * done / max(total, 1), step=sensitivity.DRAWS_STEP,
                        values={"done": done, "total": total})

    progress(0, draws)
    what = sensitivity.SensitivityKey(model_id=model_id, level=level, year=year, threshold=threshold, draws=draws,
                                      seed=seed)
    run = index_run(model=sensitivity.model_for(what), level=level)
    result = sensitivity.compute_and_keep(what, result=run.result, data_version=data_version, progress=progress)
    return len(result.units)
