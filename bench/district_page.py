"""Benchmark: a district's statistics page (`/districts/<id>/statistics/`) served alone, in-process.

    .venv/bin/python bench/district_page.py --data-dir DIR [--district Jordbro] [--repeat 15] [--json]
    .venv/bin/python bench/district_page.py --database stadsdel_load ...      # PostgreSQL instead
    .venv/bin/python bench/district_page.py --data-dir DIR --profile          # cProfile of one view

The page is requested through Django's test client with production settings (DJANGO_ENV=production,
a random secret key), signed in as Haninge's coordinator (as `bench/load.py`'s dashboard), against
an existing database: a SQLite data directory (`--data-dir`, e.g. one `bench/explore.py` built at
national scale) or a PostgreSQL database (`--database`, e.g. `bench/load.py`'s `stadsdel_load`).

1. **First view**: the first request of the process (`first_ms`).
2. **After a data change** (`--changed`, optional): a data change is counted (the data version goes
   up, as after an import), then one request (`changed_ms`): what a reader pays the first time.
3. **Warm**: `--repeat` requests; the medians of the wall time (`median_ms`) and of the process's
   CPU time (`time.process_time`, `median_cpu_ms`), which the other work on a shared machine does
   not inflate as much as the wall time.

Queries are counted on the last warm request. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--database", help="a PostgreSQL database on 127.0.0.1 instead of the data dir's SQLite")
    parser.add_argument("--district", default="Jordbro")
    parser.add_argument("--user", default="haninge")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--changed", action="store_true", help="also time the first view after a data change")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one warm view")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ["DJANGO_ENV"] = "production"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "stadsdel.config.settings"
    if args.data_dir:
        os.environ["STADSDEL_DATA_DIR"] = str(args.data_dir)
    if args.database:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
        os.environ.setdefault("STADSDEL_DATA_DIR", "/tmp/stadsdel-district-page-bench")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stadsdel.areas.models import District
    from stadsdel.indicators.models import Observation

    call_command("collectstatic", interactive=False, verbosity=0)  # production's hashed names
    district = District.objects.get(name=args.district, kind=District.Kind.DISTRICT)
    url = f"/districts/{district.pk}/statistics/"
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))

    def view() -> tuple[float, float, int]:
        w, c = time.perf_counter(), time.process_time()
        response = client.get(url, secure=True)
        wall, cpu = time.perf_counter() - w, time.process_time() - c
        if response.status_code != 200:
            sys.exit(f"{url}: HTTP {response.status_code}")
        return wall * 1000, cpu * 1000, len(response.content)

    load_before = os.getloadavg()[0]
    first_ms, first_cpu_ms, size = view()
    changed = None
    if args.changed:
        from stadsdel.followup.precompute import data_changed

        data_changed()
        changed = view()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU time: the machine may be shared
        profiler.enable()
        view()
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(70)
    walls, cpus = [], []
    for _ in range(args.repeat):
        wall, cpu, size = view()
        walls.append(wall)
        cpus.append(cpu)
    with CaptureQueriesContext(connection) as queries:
        view()
    result = {
        "url": url, "district": args.district, "backend": connection.vendor,
        "observations": Observation.objects.count(),
        "first_ms": round(first_ms, 1), "first_cpu_ms": round(first_cpu_ms, 1),
        "changed_ms": round(changed[0], 1) if changed else None,
        "changed_cpu_ms": round(changed[1], 1) if changed else None,
        "median_ms": round(statistics.median(walls), 1), "median_cpu_ms": round(statistics.median(cpus), 1),
        "min_ms": round(min(walls), 1), "max_ms": round(max(walls), 1), "repeat": args.repeat,
        "queries": len(queries), "bytes": size,
        "load_1min_before": round(load_before, 2), "load_1min_after": round(os.getloadavg()[0], 2),
        "target_ms": TARGET_MS, "target_met": statistics.median(walls) < TARGET_MS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
