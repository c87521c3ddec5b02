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
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inprocess import django_setup, profile, signed_in, view, warm

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

    django_setup(data_dir=args.data_dir, database=args.database)
    from django.db import connection

    from stadsdel.areas.models import District
    from stadsdel.indicators.models import Observation

    district = District.objects.get(name=args.district, kind=District.Kind.DISTRICT)
    url = f"/districts/{district.pk}/statistics/"
    client = signed_in(args.user)

    load_before = os.getloadavg()[0]
    first = view(client, url)
    changed = None
    if args.changed:
        from stadsdel.followup.precompute import data_changed

        data_changed()
        changed = view(client, url)
    if args.profile:
        profile(client, url, lines=70)
    views, queries = warm(client, url, repeat=args.repeat)
    walls, cpus = [v.wall_ms for v in views], [v.cpu_ms for v in views]
    result = {
        "url": url, "district": args.district, "backend": connection.vendor,
        "observations": Observation.objects.count(),
        "first_ms": round(first.wall_ms, 1), "first_cpu_ms": round(first.cpu_ms, 1),
        "changed_ms": round(changed.wall_ms, 1) if changed else None,
        "changed_cpu_ms": round(changed.cpu_ms, 1) if changed else None,
        "median_ms": round(statistics.median(walls), 1), "median_cpu_ms": round(statistics.median(cpus), 1),
        "min_ms": round(min(walls), 1), "max_ms": round(max(walls), 1), "repeat": args.repeat,
        "queries": queries, "bytes": views[-1].bytes,
        "load_1min_before": round(load_before, 2), "load_1min_after": round(os.getloadavg()[0], 2),
        "target_ms": TARGET_MS, "target_met": statistics.median(walls) < TARGET_MS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
