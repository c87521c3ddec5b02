"""Reports computed ahead of their readers.

Computing a municipality's follow-up (its series, goals, index and some thirty charts) takes
seconds; reading it back takes milliseconds. So every change of the data the reports are built
from counts up the one `DataVersion` (in the change's transaction, see `signals.py`), and once
the change is committed a background task (`tasks.recompute_reports`, run by `stadsdel worker`)
computes every known report again at the new version. A page then shows:

* the stored content when it was computed at the current version (fast);
* otherwise, while the recomputation is queued or running, a notice saying so and when the data
  changed — never the older content, which may be wrong now;
* otherwise (no worker is running, as under a plain `runserver`, or nothing was queued) the
  content computed in the request and stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stadsdel.areas.models import Municipality
from stadsdel.followup.models import (
    DataVersion,
    FollowUpReport,
    NationalReport,
    PrecomputedReport,
    ReportFile,
)
from stadsdel.jobs.services import RUNNING, keep_newest, workers_alive

log = logging.getLogger(__name__)

# The national report's years besides those the ministry has a record for (views.NATIONAL_YEARS).
NATIONAL_YEARS = (2011,)


def _active_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@dataclass(frozen=True)
class ReportKey:
    """One stored report: its kind, year and version, and the language its text and charts are
    written in (the reader's, when a page asks; the site's default when the worker prepares)."""

    kind: str  # "national" or "followup"
    year: int
    public: bool
    code: str = ""  # the municipality's code (follow-up)
    language: str = field(default_factory=_active_language)

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}:{self.year}:{'public' if self.public else 'internal'}:{self.language}"

    def title(self) -> str:
        """The report's name as a reader knows it (a task's current step says it)."""
        if self.kind == "national":
            name = _("National report %(year)s") % {"year": self.year}
        else:
            municipality = Municipality.objects.filter(code=self.code).values_list("name", flat=True).first()
            name = _("Follow-up %(year)s: %(name)s") % {"year": self.year, "name": municipality or self.code}
        variant = _("public version") if self.public else _("internal version")
        if self.language != settings.LANGUAGE_CODE:
            variant += ", " + translation.get_language_info(self.language)["name_translated"]
        return f"{name} ({variant})"

    @classmethod
    def parse(cls, text: str) -> ReportKey:
        kind, code, year, variant, *language = text.split(":")
        return cls(kind, int(year), variant == "public", code, language[0] if language else settings.LANGUAGE_CODE)


@dataclass
class Recomputing:
    """What a page says instead of a report whose recomputation has not finished."""

    changed_at: dt.datetime
    started: bool
    task_id: str = ""


def current_version() -> DataVersion:
    row = DataVersion.objects.filter(pk=1).first()
    if row is None:
        # Numbered from the clock (microseconds), not from 1: after a restore empties the table,
        # a new count starts above every version a report was ever stored at, so no report
        # computed before the restore can pass for current.
        try:
            with transaction.atomic():
                row = DataVersion.objects.create(pk=1, version=time.time_ns() // 1000)
        except IntegrityError:
            row = DataVersion.objects.get(pk=1)
    return row


_held = threading.local()


@contextlib.contextmanager
def changes_held():
    """Count the changes of a bulk load (the demo's build, a restore) as one, at the end."""
    depth = getattr(_held, "depth", 0)
    _held.depth = depth + 1
    try:
        yield
    finally:
        _held.depth = depth
    if depth == 0:
        data_changed()


def data_changed() -> None:
    """Count the data version up in the current transaction; once it commits, queue the
    recomputation (one queued task serves any number of changes before it starts)."""
    if getattr(_held, "depth", 0):
        return
    if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now()):
        current_version()
        DataVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now())
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(c[1] is enqueue_recompute for c in connection.run_on_commit):
        return  # queued already when this transaction commits
    transaction.on_commit(enqueue_recompute)


def enqueue_recompute() -> None:
    from stadsdel.followup import tasks

    if tasks.pending_recompute(started=False).exists():
        return
    tasks.recompute_reports.enqueue()


# -- computing and storing -------------------------------------------------------------------------

def compute(key: ReportKey) -> dict | None:
    """The page's context for the report (its content included), or None when the report has no
    districts (a 404). Its words, numbers and charts in the key's language."""
    with translation.override(key.language):
        return _compute(key)


def _compute(key: ReportKey) -> dict | None:
    from stadsdel.followup import render
    from stadsdel.followup.content import followup_content, national_content
    from stadsdel.followup.maps import national_map

    if key.kind == "national":
        content = national_content(year=key.year, public=key.public)
        if not content.districts:
            return None
        context = render.national_context(content)
        context.update(national_map(content))
        context.pop("chart_locale", None)  # the reader's language, added by the view
        return context
    municipality = Municipality.objects.get(code=key.code)
    content = followup_content(municipality=municipality, year=key.year, public=key.public)
    if not content.districts:
        return None
    return render.followup_context(content)


def store(key: ReportKey, *, version: int) -> dict | None:
    t0 = time.perf_counter()
    context = compute(key)
    payload = PrecomputedReport.pack(context)
    # A request computing at an older version never overwrites what a task kept for newer data.
    keep_newest(PrecomputedReport, lookup={"key": str(key)}, versions={"data_version": version}, payload=payload,
                seconds=time.perf_counter() - t0)
    return context


def report_context(key: ReportKey) -> dict | Recomputing | None:
    """The report's context at the current data version: stored, being recomputed, or computed
    now (see the module's docstring)."""
    version = current_version()
    row = PrecomputedReport.objects.filter(key=str(key)).first()
    if row is not None and row.data_version == version.version:
        return row.unpack()
    if row is not None or key in known_keys():
        state = recompute_state(version)
        if state is not None:
            return state
    return store(key, version=version.version)


def recompute_state(version: DataVersion | None = None) -> Recomputing | None:
    """The recomputation after the latest data change, while it is queued or running and a
    worker is alive to finish it; else None (whoever needs a result computes it)."""
    from stadsdel.followup import tasks

    pending = tasks.pending_recompute(started=None).order_by("enqueued_at").first()
    if pending is None or not workers_alive():
        return None
    version = version or current_version()
    return Recomputing(changed_at=version.changed_at, started=pending.status == RUNNING, task_id=str(pending.pk))


def known_keys() -> list[ReportKey]:
    """Every report worth having ready, in both versions (public and internal): the national
    reports first, then those read before (the most recently computed first), then each
    follow-up report on record and each municipality with a district under an agreement in the
    national report's years."""
    from stadsdel.agreements.models import Agreement
    from stadsdel.agreements.selectors import districts_in_force

    keys: dict[str, ReportKey] = {}

    def add(key: ReportKey) -> None:
        keys.setdefault(str(key), key)

    years = sorted(set(NATIONAL_YEARS) | set(NationalReport.objects.values_list("year", flat=True)), reverse=True)
    for year in years:
        for public in (True, False):
            add(ReportKey("national", year, public))
    for text in PrecomputedReport.objects.order_by("-computed_at").values_list("key", flat=True):
        add(ReportKey.parse(text))
    for code, year in (FollowUpReport.objects.order_by("-year", "municipality__name")
                       .values_list("municipality__code", "year")):
        for public in (True, False):
            add(ReportKey("followup", year, public, code))
    for year in NATIONAL_YEARS:
        codes = sorted(set(districts_in_force(agreements=Agreement.objects.all(), year=year)
                           .values_list("municipality__code", flat=True)))
        for code in codes:
            for public in (True, False):
                add(ReportKey("followup", year, public, code))
    return list(keys.values())


def recompute_all(*, progress=None) -> int:
    """Compute every known report that is older than the data (each stored on its own, so pages
    become ready one by one), then every kept index run (`indices.IndexRunResult`: a national run
    reads over a million figures), then build again every kept report file (`ReportFile`) older
    than the data: a PDF or Excel file someone downloaded is ready for the next reader, visitor or
    signed in, without anyone waiting on it. Returns how many reports, runs and files were built."""
    from stadsdel.indices.selectors import index_run_recompute, index_runs_stale

    version = current_version().version
    done = 0
    keys = known_keys()
    stored = dict(PrecomputedReport.objects.values_list("key", "data_version"))
    runs = index_runs_stale(data_version=version)
    files = list(ReportFile.objects.exclude(data_version=version).order_by("key", "fmt").values_list("key", "fmt"))
    total = len(keys) + len(runs) + len(files)
    for n, key in enumerate(keys, 1):
        if stored.get(str(key)) == version:
            continue
        try:
            store(key, version=version)
        except Municipality.DoesNotExist:
            PrecomputedReport.objects.filter(key=str(key)).delete()
        done += 1
        if progress is not None:
            progress(n, total, key.title())
    for n, run in enumerate(runs, len(keys) + 1):
        index_run_recompute(run, data_version=version)
        done += 1
        if progress is not None:
            progress(n, total, f"{_('Social risk index')}: {run.model}")
    for n, (text, fmt) in enumerate(files, len(keys) + len(runs) + 1):
        key = ReportKey.parse(text)
        try:
            with translation.override(key.language):
                file_build(key, fmt)
        except (Municipality.DoesNotExist, ValueError):
            # The report is gone (its municipality, or every district): so is its file.
            ReportFile.objects.filter(key=text, fmt=fmt).delete()
        done += 1
        if progress is not None:
            progress(n, total, f"{key.title()}: {FILE_NAMES.get(fmt, fmt)}")
    return done


# -- report files (PDF, Excel) -----------------------------------------------------------------

# The formats that take seconds to build for a large municipality (a PDF of 40 pages of charts):
# with a worker alive they are built in the background and kept per data version.
FILE_FORMATS = ("pdf", "xlsx")
# How a task's step names a file it builds (`recompute_all`).
FILE_NAMES = {"pdf": "PDF", "xlsx": "Excel"}


def file_writer(kind: str, fmt: str):
    from stadsdel.followup import render

    return (render.FORMATS if kind == "national" else render.FOLLOWUP_FORMATS)[fmt]


def stored_file(key: ReportKey, fmt: str) -> bytes | None:
    """The report's file in `fmt` as built at the current data version, or None."""
    row = ReportFile.objects.filter(key=str(key), fmt=fmt, data_version=current_version().version).first()
    return None if row is None else bytes(row.payload)


def file_build(key: ReportKey, fmt: str) -> bytes:
    """Build the report's file at the current data version (from the stored report when it is
    current) and keep it."""
    t0 = time.perf_counter()
    version = current_version().version
    row = PrecomputedReport.objects.filter(key=str(key), data_version=version).first()
    context = row.unpack() if row is not None else store(key, version=version)
    if context is None:
        raise ValueError(f"{key}: the report has no districts")
    with translation.override(key.language):
        data = file_writer(key.kind, fmt)(context["c"])
    data = data.encode("utf-8") if isinstance(data, str) else data
    keep_newest(ReportFile, lookup={"key": str(key), "fmt": fmt}, versions={"data_version": version}, payload=data,
                seconds=time.perf_counter() - t0)
    return data
