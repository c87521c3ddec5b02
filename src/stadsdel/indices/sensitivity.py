"""An index page's sensitivity analysis, off the request.

Drawing a thousand weightings and normalisations takes from a fraction of a second (a few
districts) to many seconds (every area of a country), so it is kept once computed
(`SensitivityResult`, per model version, level, year, threshold, draws and seed, at the data
version it was computed from) and, when a worker is running, computed by a background task
(`tasks.sensitivity_run`) while the page shows the ranks at once and a progress bar in place of
the intervals. A result computed at an older data version is never shown: the data version is
read before the figures, so a kept result is at most as new as the figures it rests on. Without a
worker (tests, a plain runserver) the analysis is computed in the request, as it always was, and
kept.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_noop

from stadsdel.indices.models import IndexModel, SensitivityResult
from stadsdel.indices.selectors import index_run
from stadsdel.jobs.selectors import TaskState, kept_get, task_latest, task_state, tasks_queued
from stadsdel.jobs.services import (
    FAILED,
    READY,
    RUNNING,
    keep_newest,
    task_enqueue_keyed,
    workers_alive,
)
from stadsdel.lib.index import IndexResult, Sensitivity, sensitivity_analyse

LABEL = gettext_noop("Sensitivity analysis of the index")
DRAWS_STEP = gettext_noop("%(done)s of %(total)s draws")
# Ahead of the reports' recomputation (priority 0): someone is looking at the page.
PRIORITY = 10
# Past this many waiting analyses (a visitor trying threshold after threshold), a page draws its
# own in the request, as before: the queue is not flooded ahead of the reports' recomputation.
MAX_QUEUED = 10


@dataclass(frozen=True)
class SensitivityKey:
    """What a sensitivity analysis depends on, besides the data: the model version (an
    `IndexModel` row is one version and never changes), the units, the year, the threshold that
    sizes the selection, the number of draws and the seed."""

    model_id: int
    level: str
    year: int
    threshold: float
    draws: int
    seed: int

    def __str__(self) -> str:
        return f"{self.model_id}:{self.level}:{self.year}:{self.threshold:g}:{self.draws}:{self.seed}"


def kept(key: SensitivityKey, *, data_version: int) -> Sensitivity | None:
    return kept_get(SensitivityResult, lookup={"key": str(key)}, data_version=data_version)


def compute_and_keep(key: SensitivityKey, *, result: IndexResult, data_version: int,
                     progress: Callable[[int, int], None] | None = None) -> Sensitivity:
    """Draw the analysis for `result` (the model's run at `key`'s level) and keep it at
    `data_version`, which must have been read before `result`'s figures were."""
    t0 = time.perf_counter()
    sensitivity = sensitivity_analyse(result, year=key.year, draws=key.draws, seed=key.seed,
                                      threshold=key.threshold, progress=progress)
    # The per-draw ranks (draws × units) are only summarised on the page; kept, a national
    # area-level run would weigh tens of megabytes.
    stored = dataclasses.replace(sensitivity, ranks=np.empty((0, len(sensitivity.units))))
    keep_newest(SensitivityResult, lookup={"key": str(key)}, versions={"data_version": data_version},
                payload=SensitivityResult.pack(stored), seconds=time.perf_counter() - t0,
                values={"model_id": key.model_id})
    return sensitivity


def sensitivity_for(key: SensitivityKey, *, result: IndexResult, data_version: int,
                    background: bool = True) -> Sensitivity | TaskState:
    """The analysis at the current data version: kept; or, with a worker running (and
    `background`), the state of the task computing it (queued now if none is); or computed
    now and kept (also when too many analyses wait already). A task that failed at this data
    version is shown as failed (its page may run it again), not queued anew on every view."""
    found = kept(key, data_version=data_version)
    if found is not None and tuple(found.units) == tuple(result.units):
        return found
    if background and workers_alive():
        from stadsdel.indices import tasks

        task_key = f"{key}@{data_version}"
        latest = task_latest(tasks.sensitivity_run, key=task_key)
        if latest is not None and latest.status in (READY, RUNNING, FAILED):
            state = task_state(str(latest.pk))
            if state is not None:
                return state
        if tasks_queued(tasks.sensitivity_run) < MAX_QUEUED:
            state = task_state(task_enqueue_keyed(
                tasks.sensitivity_run, key=task_key, label=LABEL, public=True, priority=PRIORITY,
                model_id=key.model_id, level=key.level, year=key.year, threshold=key.threshold, draws=key.draws,
                seed=key.seed, data_version=data_version))
            if state is not None:
                return state
    if result.rates.size == 0 and len(result.units):
        # A kept run (`selectors.index_run_kept`) has no per-indicator figures to draw from.
        result = index_run(model=model_for(key), level=key.level).result
    return compute_and_keep(key, result=result, data_version=data_version)


def model_for(key: SensitivityKey) -> IndexModel:
    return IndexModel.objects.select_related("reference_municipality").get(pk=key.model_id)
