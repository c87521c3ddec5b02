"""The state the task queue (django-tasks-db's `DBTaskResult`) does not keep: which workers are
alive, how far a running task has come, and (`KeptResult`) what the long computations kept."""

from __future__ import annotations

import pickle
import zlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    """A running `stadsdel worker`: it says it is alive every few seconds. A worker that has been
    silent longer than STADSDEL_WORKER_TIMEOUT_SECONDS is dead (killed, its machine gone), and the
    task it was running is marked failed by the next worker that looks."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class TaskProgress(models.Model):
    """How far a background task has come, as its page shows it: a percentage and the step it is
    at, in words. Written by the task as it goes (outside the task's own transaction, so the page
    sees it while the work is under way)."""

    task_id = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("task"), max_length=200, blank=True)
    percent = models.FloatField(_("progress"), default=0.0)
    step = models.CharField(_("step"), max_length=300, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    result_url = models.CharField(max_length=300, blank=True)
    # What the task's page shows beside its state, written by the task when it ends: the template
    # ("template", included by jobs/task_detail.html) and its values (an import's counts, or the
    # faults of a refused file with "error" in words and "retry": false). JSON, so any kind of
    # task can say what it did without a model of its own.
    detail = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("task progress")
        verbose_name_plural = _("task progress")

    def __str__(self) -> str:
        return f"{self.label}: {self.percent:.0f} % {self.step}"


class KeptResult(models.Model):
    """What every kept result of a long computation shares (a report's content, an index run,
    a sensitivity analysis, an evaluation's estimates, a report's file): it is kept so a page
    need not compute it again while the data are unchanged, at the data version it was computed
    from (`followup.DataVersion`, read before the data). A result at an older version is never
    used; the next computation replaces it, unless it was made from older data still
    (`services.keep_newest`). Each concrete model declares what names its result (a key, an
    evaluation and its edit version) and what it is in the domain.

    `payload` is the result as bytes: pickled and compressed (`pack`, `unpack`), or a file as it
    is served. `seconds` is how long the computation took: the slow ones are computed again in
    the background after a change, ahead of their readers."""

    data_version = models.PositiveBigIntegerField()
    payload = models.BinaryField()
    computed_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0.0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Most kept results are named by a `key` of their own.
        return f"{getattr(self, 'key', self.pk)} @ {self.data_version}"

    @staticmethod
    def pack(value) -> bytes:
        # zlib's fastest level: a result is often written while its reader waits for the page.
        return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)

    def unpack(self):
        return pickle.loads(zlib.decompress(bytes(self.payload)))
