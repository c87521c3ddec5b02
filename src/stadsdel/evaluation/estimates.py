"""An evaluation's estimates, off the request.

Fitting every outcome's difference-in-differences and synthetic control with its placebo runs
takes from a second to many (more outcomes, more comparison districts), so the estimates are kept
once computed (`KeptEstimates`, for the evaluation's edit version and the data version) and,
when a worker is running, computed by a background task (`tasks.estimate`) while the page shows
the design at once and a progress bar (outcomes done) in place of the estimates. Estimates at an
older version are never shown: the data version is read before the figures, so kept estimates
are at most as new as the figures they rest on. Without a worker (tests, a plain runserver) the
estimates are computed in the request, as they always were, and kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.utils.translation import gettext_noop

from stadsdel.evaluation.models import Evaluation, KeptEstimates
from stadsdel.evaluation.selectors import OutcomeResult, evaluation_results
from stadsdel.jobs.selectors import TaskState, kept_get, task_latest, task_state
from stadsdel.jobs.services import FAILED, keep_newest, task_enqueue_keyed, workers_alive

LABEL = gettext_noop("Estimating the evaluation")
OUTCOMES_STEP = gettext_noop("%(done)s of %(total)s outcomes estimated")
# Ahead of the reports' recomputation (priority 0): someone is looking at the page.
PRIORITY = 10


def kept(evaluation: Evaluation, *, data_version: int) -> list[OutcomeResult] | None:
    return kept_get(KeptEstimates, lookup={"evaluation": evaluation, "evaluation_version": evaluation.version},
                    data_version=data_version)


def compute_and_keep(evaluation: Evaluation, *, data_version: int,
                     progress: Callable[[int, int], None] | None = None) -> list[OutcomeResult]:
    """Estimate every outcome of `evaluation` (as loaded: its version names its design) and
    keep the results at `data_version`, which must have been read before the figures were."""
    t0 = time.perf_counter()
    results = evaluation_results(evaluation=evaluation, progress=progress)
    keep_newest(KeptEstimates, lookup={"evaluation": evaluation},
                versions={"evaluation_version": evaluation.version, "data_version": data_version},
                payload=KeptEstimates.pack(results), seconds=time.perf_counter() - t0)
    return results


def estimates_for(evaluation: Evaluation, *, data_version: int, background: bool = True
                  ) -> list[OutcomeResult] | TaskState:
    """The estimates at the evaluation's version and the current data version: kept; or, with
    a worker running (and `background`), the state of the task computing them (queued now if
    none is); or computed now and kept. A task that failed for these versions is shown as
    failed (it may be run again), not queued anew on every view."""
    found = kept(evaluation, data_version=data_version)
    if found is not None:
        return found
    if background and workers_alive():
        from stadsdel.evaluation import tasks

        key = f"{evaluation.pk}:{evaluation.version}@{data_version}"
        latest = task_latest(tasks.estimate, key=key)
        if latest is not None and latest.status == FAILED:
            state = task_state(str(latest.pk))
            if state is not None:
                return state
        # Public: a published evaluation's page is; the label and steps name nothing of a draft.
        task_id = task_enqueue_keyed(tasks.estimate, key=key, label=LABEL, public=True, priority=PRIORITY,
                                     evaluation_id=evaluation.pk, data_version=data_version)
        state = task_state(task_id)
        if state is not None:
            return state
    return compute_and_keep(evaluation, data_version=data_version)
