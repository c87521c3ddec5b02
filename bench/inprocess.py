"""Shared by the in-process page benchmarks (`district_page.py`, `national_pages.py`): Django set
up with production settings against an existing database, a signed-in test client per user, and
one page timed as a reader meets it (first view, first view after a data change, warm).

Not a benchmark itself. Production settings: DJANGO_ENV=production, a random secret key, static
files collected (their hashed names), no HTTPS redirect. The database is a SQLite data directory
(`data_dir`) or a PostgreSQL database on 127.0.0.1 (`database`, e.g. `bench/load.py`'s
`stadsdel_load`). Times are wall (`time.perf_counter`) and the process's CPU
(`time.process_time`), which the other work on a shared machine inflates less. The cache is the
process's own (Django's local-memory cache), so a fresh process starts cold, as a new server
worker does.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def django_setup(*, data_dir: Path | None = None, database: str | None = None) -> None:
    """Production settings against the given database; static files collected."""
    os.environ["DJANGO_ENV"] = "production"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "stadsdel.config.settings"
    if data_dir:
        os.environ["STADSDEL_DATA_DIR"] = str(data_dir)
    if database:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
        os.environ.setdefault("STADSDEL_DATA_DIR", "/tmp/stadsdel-inprocess-bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # production's hashed names


def signed_in(username: str | None):
    """A test client signed in as `username` (anonymous for None)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


@dataclass
class View:
    wall_ms: float
    cpu_ms: float
    bytes: int


def view(client, url: str, *, expect: str | None = None) -> View:
    """One request, timed; stops the benchmark on anything but 200 (or when the body lacks
    `expect`)."""
    w, c = time.perf_counter(), time.process_time()
    response = client.get(url, secure=True)
    body = response.content
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    if response.status_code != 200:
        sys.exit(f"{url}: HTTP {response.status_code}")
    if expect is not None and expect.encode() not in body:
        sys.exit(f"{url}: the page lacks {expect!r}")
    return View(wall * 1000, cpu * 1000, len(body))


def profile(client, url: str, *, lines: int = 60, stream=sys.stderr) -> None:
    """A cProfile (CPU time: the machine may be shared) of one request, to `stream`."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    view(client, url)
    profiler.disable()
    print(f"== profile of {url}", file=stream)
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(lines)


@dataclass
class Timing:
    """A page's first view, its first view after a data change (optional) and its warm views."""

    url: str
    first: View
    changed: View | None = None
    warm: list[View] = field(default_factory=list)
    queries: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(v.wall_ms for v in self.warm)

    @property
    def median_cpu_ms(self) -> float:
        return statistics.median(v.cpu_ms for v in self.warm)

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "first_ms": round(self.first.wall_ms, 1), "first_cpu_ms": round(self.first.cpu_ms, 1),
            "changed_ms": round(self.changed.wall_ms, 1) if self.changed else None,
            "changed_cpu_ms": round(self.changed.cpu_ms, 1) if self.changed else None,
            "median_ms": round(self.median_ms, 1), "median_cpu_ms": round(self.median_cpu_ms, 1),
            "min_ms": round(min(v.wall_ms for v in self.warm), 1), "max_ms": round(max(v.wall_ms for v in self.warm), 1),
            "repeat": len(self.warm), "queries": self.queries, "bytes": self.warm[-1].bytes,
        }


def warm(client, url: str, *, repeat: int) -> tuple[list[View], int]:
    """`repeat` timed views, then one more under a query counter: the views and the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    views = [view(client, url) for _ in range(repeat)]
    with CaptureQueriesContext(connection) as queries:
        view(client, url)
    return views, len(queries)


def time_page(client, url: str, *, repeat: int, change: Callable[[], None] | None = None) -> Timing:
    """First view; after `change()` (when given) the first view again; then warm."""
    timing = Timing(url=url, first=view(client, url))
    if change is not None:
        change()
        timing.changed = view(client, url)
    timing.warm, timing.queries = warm(client, url, repeat=repeat)
    return timing
