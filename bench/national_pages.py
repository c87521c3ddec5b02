"""Benchmark: the national-scale pages served alone, in-process with production settings (issue 21).

    .venv/bin/python bench/national_pages.py --json                      # against stadsdel_load
    .venv/bin/python bench/national_pages.py --profile typology          # cProfile of one warm view
    .venv/bin/python bench/national_pages.py --pages index,typology --repeat 3

Against `bench/load.py`'s PostgreSQL database `stadsdel_load` (`--database`; build it first with
`bench/load.py`, which grows the demo to 6 000 areas × 30 indicators × 20 years through the
importer), or a SQLite data directory grown the same way (`--data-dir`, e.g. `bench/explore.py`'s).
Each page is requested through Django's test client (`bench/inprocess.py`), signed in as the role
that uses it:

| page | url | signed in as |
|---|---|---|
| `index` | `/index/` (the active model, districts) | analyst |
| `index_model` | `/index/models/<pk>/` | analyst |
| `index_national` | `/index/?model=<pk>&level=area`: a model without a reference municipality, so all 6 000 areas | analyst |
| `typology` | `/index/typology/` (every area of the country) | analyst |
| `exclusion` | `/statistics/exclusion/` | ministry |
| `report_national` | `/reports/national/2011/` | ministry |
| `explore_bar` | 5 indicators × 20 municipalities, bars for 2025, the table of all years | analyst |
| `explore_table` | all 30 indicators × every municipality as a table (capped at 2 000 rows) | analyst |
| `explore_similar` | 1 indicator for the districts of Jordbro's SCB area type (national typology) | analyst |
| `district_statistics` | Jordbro's statistics page | Haninge's coordinator |

`index_national`'s model is made once if missing: an inactive copy of the active model's
definition named "Riket (bench/national_pages.py)" with no reference municipality (an inactive
model changes nothing the other pages show).

For each page, in one fresh process (its cache empty, as a new server worker):
1. **first**: the first view of the page in the process;
2. **changed**: a real data change, then the first view: one figure imported through the importer
   (`observations_import`, one CSV row of a synthetic indicator's area, its numerator moved by
   one up or down by turns), which writes an import batch and counts the data version up, as
   every import does. Each page gets its own change, so no page finds what an earlier one
   computed. The national report is computed in the request here (no worker is running); for it
   the script then also makes another change, computes the report as the background worker
   would (`background_ms`) and times the view after that (`after_recompute_ms`): what a reader
   meets with `stadsdel worker` running;
3. **warm**: `--repeat` views: the medians of the wall and CPU time; queries counted on one more.

Targets (issue 20): every page under 1 s warm, the district statistics page under 150 ms, a
report's first view after a change under 1 s (`after_recompute_ms`). The first view after a
change of the other pages is reported, not targeted. The last line is one JSON object: per
page the times, queries, bytes, target and whether met, `targets_met`, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from inprocess import django_setup, profile, signed_in, time_page, view  # noqa: E402

TARGET_MS = 1000.0
TARGETS_MS = {"district_statistics": 150.0}
NATIONAL_MODEL = "Riket (bench/national_pages.py)"
ANALYST, MINISTRY, COORDINATOR = "analytiker", "departementet", "haninge"
CHANGE_DIR = Path(os.environ.get("TMPDIR", "/tmp")) / "stadsdel-national-pages"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def national_model():
    """An inactive copy of the active model without a reference municipality: the index over
    every area of the country."""
    from stadsdel.indices.models import IndexModel

    existing = IndexModel.objects.filter(name=NATIONAL_MODEL).first()
    if existing is not None:
        return existing
    active = IndexModel.objects.filter(active=True).order_by("pk").first()
    fields = {f.name: getattr(active, f.name) for f in IndexModel._meta.concrete_fields
              if f.name not in ("id", "name", "version", "active", "reference_municipality")}
    return IndexModel.objects.create(name=NATIONAL_MODEL, version=1, active=False, reference_municipality=None,
                                     **fields)


def pages() -> dict[str, tuple[str, str]]:
    """page → (url, user)."""
    from urllib.parse import urlencode

    from stadsdel.areas.models import District, Municipality
    from stadsdel.indicators.models import Indicator
    from stadsdel.indices.models import IndexModel

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT).pk
    active = IndexModel.objects.filter(active=True).order_by("pk").first()
    indicators = list(Indicator.objects.order_by("position", "code").values_list("code", flat=True)[:30])
    municipalities = list(Municipality.objects.order_by("code").values_list("code", flat=True)[:20])

    def explore(**params) -> str:
        return "/statistics/explore/?" + urlencode(params, doseq=True)

    return {
        "index": ("/index/", ANALYST),
        "index_model": (f"/index/models/{active.pk}/", ANALYST),
        "index_national": (f"/index/?model={national_model().pk}&level=area", ANALYST),
        "typology": ("/index/typology/", ANALYST),
        "exclusion": ("/statistics/exclusion/", MINISTRY),
        "report_national": ("/reports/national/2011/", MINISTRY),
        "explore_bar": (explore(indicator=indicators[:5], municipality=municipalities, view="bar", year="2025"),
                        ANALYST),
        "explore_table": (explore(indicator=indicators, municipality="all", view="table"), ANALYST),
        "explore_similar": (explore(indicator=indicators[0], similar_to=jordbro, similar_by="area_type"), ANALYST),
        "district_statistics": (f"/districts/{jordbro}/statistics/", COORDINATOR),
    }


class DataChange:
    """One figure of a synthetic indicator's area imported again with its numerator moved by one
    (up, then down, by turns), through the importer: a new batch, a new data version."""

    def __init__(self):
        from stadsdel.indicators.models import Level, Observation

        figure = (Observation.objects.filter(level=Level.AREA, indicator__code__startswith="bench_share_",
                                             sex=Observation.Sex.TOTAL, numerator__isnull=False)
                  .select_related("indicator", "statistical_area").order_by("-period", "indicator__code", "id").first())
        if figure is None:
            sys.exit("no synthetic figure to change: build the database with bench/load.py first")
        self.key = (figure.indicator.code, figure.statistical_area.code, figure.period)
        # Read back by unit key, which the unique key's index has (the figures have no index by area).
        self.unit_key = figure.unit_key
        self.denominator = int(figure.denominator)
        CHANGE_DIR.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self) -> None:
        from stadsdel.indicators.models import Observation
        from stadsdel.indicators.services.imports import observations_import

        code, area, period = self.key
        current = int(Observation.objects.get(indicator__code=code, unit_key=self.unit_key, period=period,
                                              sex=Observation.Sex.TOTAL).numerator)
        new = current + 1 if current < self.denominator else current - 1
        path = CHANGE_DIR / "change.csv"
        path.write_text(f"indicator,area,period,sex,value,numerator,denominator\n"
                        f"{code},{area},{period},T,,{new},{self.denominator}\n")
        outcome = observations_import(path=path, fmt="csv", source_name="bench/national_pages.py change")
        if not outcome.changed:
            sys.exit("the data change changed nothing")
        self.count += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="stadsdel_load", help="PostgreSQL database on 127.0.0.1")
    parser.add_argument("--data-dir", type=Path, help="a SQLite data directory instead of --database")
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-change", action="store_true", help="skip the first views after a data change")
    parser.add_argument("--profile", metavar="PAGE", help="print a cProfile of one warm view of the page and stop")
    parser.add_argument("--json", action="store_true", help="end with one JSON line (always printed)")
    args = parser.parse_args()

    django_setup(data_dir=args.data_dir, database=None if args.data_dir else args.database)
    from django.db import connection

    from stadsdel.followup import precompute
    from stadsdel.indicators.models import Observation

    load_before = os.getloadavg()[0]
    urls = pages()
    chosen = args.pages.split(",") if args.pages else list(urls)
    unknown = set(chosen) - set(urls)
    if unknown:
        sys.exit(f"unknown pages: {', '.join(sorted(unknown))}; the pages are {', '.join(urls)}")
    clients: dict[str, object] = {}

    def client_for(user: str):
        if user not in clients:
            clients[user] = signed_in(user)
        return clients[user]

    if args.profile:
        url, user = urls[args.profile]
        view(client_for(user), url)  # the first view imports and fills the caches a running server has
        profile(client_for(user), url, lines=80)
        return

    change = None if args.no_change else DataChange()
    result: dict[str, dict] = {}
    for page in chosen:
        url, user = urls[page]
        say(f"== {page}: {url} as {user}")
        timing = time_page(client_for(user), url, repeat=args.repeat, change=change)
        row = timing.as_dict()
        row["user"] = user
        if page == "report_national" and change is not None:
            change()
            key = precompute.ReportKey("national", 2011, True)
            t0, c0 = time.perf_counter(), time.process_time()
            precompute.store(key, version=precompute.current_version().version)  # what the worker does
            row["background_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            row["background_cpu_ms"] = round((time.process_time() - c0) * 1000, 1)
            after = view(client_for(user), url)
            row["after_recompute_ms"] = round(after.wall_ms, 1)
            row["after_recompute_cpu_ms"] = round(after.cpu_ms, 1)
        target = TARGETS_MS.get(page, TARGET_MS)
        row["target_ms"] = target
        row["target_met"] = row["median_ms"] < target and (
            page != "report_national" or change is None or row["after_recompute_ms"] < TARGET_MS)
        say(f"   first {row['first_ms']:.0f} ms, changed {row['changed_ms']} ms, warm {row['median_ms']:.0f} ms "
            f"(CPU {row['median_cpu_ms']:.0f} ms), {row['queries']} queries; target {target:.0f} ms: "
            f"{'met' if row['target_met'] else 'missed'}")
        result[page] = row
    print(json.dumps({
        "backend": connection.vendor, "database": None if args.data_dir else args.database,
        "observations": Observation.objects.count(), "pages": result,
        "data_changes": change.count if change else 0,
        "targets": {"warm_ms": TARGET_MS, **{f"{k}_warm_ms": v for k, v in TARGETS_MS.items()},
                    "report_after_change_ms": TARGET_MS},
        "targets_met": all(r["target_met"] for r in result.values()),
        "load_1min_before": round(load_before, 2), "load_1min_after": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
