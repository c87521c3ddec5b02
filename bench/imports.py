"""Benchmark: imports of national DeSO statistics through the importer (issue 21).

    .venv/bin/python bench/imports.py --json                     # 60 k and 600 k values
    .venv/bin/python bench/imports.py --json --sizes 60k,600k,3.6M

What is imported: a generated national table set for SCB's 5 984 DeSO areas (spread over the
registry's 290 municipalities, about 21 each), one file per indicator, every value for sex T:

* `60k`: 1 indicator × 10 years (2016–2025) = 59 840 values, the file of the issue;
* `600k`: 5 indicators × 20 years (2006–2025) = 598 400 values;
* `3.6M`: 30 indicators × 20 years = 3 590 400 values (the national table set of bench/load.py).

in two formats: `pxweb` (SCB's json-stat2: Region × ContentsCode × Tid, values only) and `csv`
(long form `indicator,area,period,sex,value,numerator,denominator`, one file per indicator, so
each stays under the default STADSDEL_IMPORT_MAX_ROWS of 200 000). The files are written once
into `bench/.data/imports/` and reused. The indicators are synthetic shares (`bench_share_NN`,
valid range 0–100) added to the catalogue of the benchmark's own database.

Each backend gets a database of its own, built afresh: SQLite `bench/.data/imports.sqlite3`
and PostgreSQL `stadsdel_bench_imports` (or `--pg-database`) on 127.0.0.1:5432 (user postgres), migrated and loaded
with the seed registry, in a child process per backend. Every file goes through
`observations_import` (what `stadsdel import`, the import page and the API call), each in its
own transaction, with every check on.

For each format and size, from no figures of the bench indicators (earlier ones, their history
and batches deleted, not timed):

1. `new`: every file imported; every value is new;
2. `unchanged`: the same files again; nothing is written;
3. `changed`: files with every value changed (json-stat: +0.1; CSV: numerator + 1), so every
   figure is updated and its earlier value goes to the history.

`*_values_per_s` = values / seconds of the phase (all its files, wall time), and
`*_cpu_values_per_s` = values / CPU seconds of the phase: of the benchmark's process and, on
PostgreSQL, of its server process (from /proc), so that a machine busy with other work (2 cores
shared) still shows what the import itself costs. The DeSO areas are registered
by the very first import of a backend (the 60 k json-stat file when it runs first); that
import is timed apart as `first_import_seconds` and its values are then deleted, so every
`new` phase measures figures for known areas.

The last line of output is one JSON object when `--json` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
FILES = DATA / "imports"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_NAME = "stadsdel_bench_imports"
BACKENDS = {
    "sqlite": f"sqlite:///{DATA / 'imports.sqlite3'}",
    "postgresql": f"postgres://postgres@127.0.0.1:5432/{PG_NAME}",
}
# size name -> (indicators, first year, years)
SIZES = {"60k": (1, 2016, 10), "600k": (5, 2006, 20), "3.6M": (30, 2006, 20)}
FORMATS = ("pxweb", "csv")
DESO_AREAS = 5984
SEED = 21
TARGETS = {"new": 50_000, "unchanged": 200_000}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the files ------------------------------------------------------------------------------------

def deso_codes(municipality_codes: list[str]) -> list[str]:
    """5 984 DeSO-shaped codes (`0180C1090`: municipality, category A/B/C, number), spread over
    the municipalities in turn."""
    codes = []
    for i in range(DESO_AREAS):
        municipality = municipality_codes[i % len(municipality_codes)]
        number = i // len(municipality_codes)
        codes.append(f"{municipality}{'ABC'[number % 3]}{number:04d}")
    return codes


def _counts(indicator: int, areas: int, years: int, changed: bool) -> list[tuple[int, int]]:
    """(numerator, denominator) per area and year, area-major; `changed` adds one to every
    numerator (and keeps it within the denominator)."""
    rng = random.Random(SEED * 1000 + indicator)
    result = []
    for _ in range(areas):
        den = rng.randint(300, 3000)
        share = rng.uniform(0.05, 0.9)
        for _ in range(years):
            num = max(0, min(den - 1, round(den * (share + rng.uniform(-0.02, 0.02)))))
            result.append((num + 1 if changed else num, den))
    return result


def write_pxweb(path: Path, *, code: str, areas: list[str], first: int, years: int, changed: bool) -> None:
    counts = _counts(int(code[-2:]), len(areas), years, changed)
    data = {
        "version": "2.0", "class": "dataset", "label": f"Syntetisk andel ({code})", "source": "bench/imports.py",
        "id": ["Region", "ContentsCode", "Tid"], "size": [len(areas), 1, years],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "dimension": {
            "Region": {"label": "region", "category": {"index": {a: i for i, a in enumerate(areas)}}},
            "ContentsCode": {"label": "tabellinnehåll", "category": {"index": {"BE0101X1": 0},
                                                                       "label": {"BE0101X1": "Andel"}}},
            "Tid": {"label": "år", "category": {"index": {str(first + y): y for y in range(years)}}},
        },
        "value": [round(100 * num / den, 4) for num, den in counts],
    }
    path.write_text(json.dumps(data, separators=(",", ":")))


def write_csv(path: Path, *, code: str, areas: list[str], first: int, years: int, changed: bool) -> None:
    counts = _counts(int(code[-2:]), len(areas), years, changed)
    lines = ["indicator,area,period,sex,value,numerator,denominator"]
    k = 0
    for area in areas:
        for y in range(years):
            num, den = counts[k]
            k += 1
            lines.append(f"{code},{area},{first + y},T,{100 * num / den!r},{num},{den}")
    path.write_text("\n".join(lines) + "\n")


def file_set(fmt: str, size: str, areas: list[str], *, changed: bool) -> list[tuple[Path, str, int]]:
    """The files of one size: (path, indicator code, values), written when missing."""
    indicators, first, years = SIZES[size]
    FILES.mkdir(parents=True, exist_ok=True)
    result = []
    for k in range(1, indicators + 1):
        code = f"bench_share_{k:02d}"
        suffix = "json" if fmt == "pxweb" else "csv"
        path = FILES / f"{code}_{first}_{years}{'_changed' if changed else ''}.{suffix}"
        if not path.exists():
            (write_pxweb if fmt == "pxweb" else write_csv)(path, code=code, areas=areas, first=first, years=years,
                                                            changed=changed)
        result.append((path, code, len(areas) * years))
    return result


# -- one backend, in a child process ---------------------------------------------------------------

def database_create(backend: str, pg_name: str = PG_NAME) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / 'imports.sqlite3'}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{pg_name}"')


def child(backend: str, formats: list[str], sizes: list[str], profile: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadsdel.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from stadsdel.areas.models import Municipality
    from stadsdel.indicators.models import ImportBatch, Indicator, Observation
    from stadsdel.indicators.services.imports import observations_import
    from stadsdel.seeds.loader import seeds_load

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seeds_load()
    for k in range(1, SIZES["3.6M"][0] + 1):
        Indicator.objects.get_or_create(code=f"bench_share_{k:02d}", defaults={
            "name": f"Syntetisk andel {k}", "name_en": f"Synthetic share {k}",
            "definition": "Syntetisk andel (bench/imports.py)", "unit": Indicator.Unit.PERCENT, "scale": 100,
            "is_share": True, "direction": Indicator.Direction.HIGHER_WORSE, "source": Indicator.Source.SCB,
            "value_min": 0, "value_max": 100, "position": 900 + k})
    say(f"[{backend}] database ready in {time.perf_counter() - started:.0f} s")
    areas = deso_codes(sorted(Municipality.objects.values_list("code", flat=True)))
    bench_indicators = Indicator.objects.filter(code__startswith="bench_share_")

    def reset() -> None:
        # Raw deletes (`_raw_delete`): through the ORM every deleted figure wrote a history row
        # of its deletion, minutes per reset on a busy machine; none of it is timed.
        with transaction.atomic():
            Observation.history.filter(indicator__in=bench_indicators)._raw_delete(using="default")
            batches = set(Observation.objects.filter(indicator__in=bench_indicators).values_list("batch_id", flat=True))
            Observation.objects.filter(indicator__in=bench_indicators)._raw_delete(using="default")
            ImportBatch.objects.filter(pk__in=batches).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE indicators_observation")
                cursor.execute("VACUUM ANALYZE indicators_historicalobservation")

    def cpu() -> float:
        """CPU seconds of this process and, on PostgreSQL, of its server process: on a machine
        other work keeps busy, the cost of the import itself."""
        own = time.process_time()
        if connection.vendor != "postgresql":
            return own
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return own + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def run(files: list[tuple[Path, str, int]], fmt: str) -> tuple[float, float, dict]:
        totals = {"created": 0, "updated": 0, "unchanged": 0}
        seconds = cpu_seconds = 0.0
        for path, code, _ in files:
            c0, t0 = cpu(), time.perf_counter()
            outcome = observations_import(path=path, fmt=fmt, indicator=code if fmt == "pxweb" else None)
            seconds += time.perf_counter() - t0
            cpu_seconds += cpu() - c0
            for name in totals:
                totals[name] += getattr(outcome, name)
        return seconds, cpu_seconds, totals

    result: dict = {}
    first_path = file_set(formats[0], "60k", areas, changed=False)
    t0 = time.perf_counter()
    observations_import(path=first_path[0][0], fmt=formats[0],
                        indicator=first_path[0][1] if formats[0] == "pxweb" else None)
    result["first_import_seconds"] = round(time.perf_counter() - t0, 3)
    say(f"[{backend}] first import (registers {DESO_AREAS} DeSO areas): {result['first_import_seconds']} s")
    for size in sizes:
        for fmt in formats:
            new_files = file_set(fmt, size, areas, changed=False)
            changed_files = file_set(fmt, size, areas, changed=True)
            values = sum(n for *_, n in new_files)
            reset()
            entry: dict = {"values": values, "files": len(new_files)}
            for phase, files in (("new", new_files), ("unchanged", new_files), ("changed", changed_files)):
                if profile == f"{size}:{fmt}:{phase}":
                    import cProfile

                    profiler = cProfile.Profile()
                    profiler.enable()
                    seconds, cpu_seconds, totals = run(files, fmt)
                    profiler.disable()
                    profiler.dump_stats(str(DATA / f"imports-{backend}-{size}-{fmt}-{phase}.prof"))
                else:
                    seconds, cpu_seconds, totals = run(files, fmt)
                expected = {"new": "created", "unchanged": "unchanged", "changed": "updated"}[phase]
                if totals[expected] != values:
                    sys.exit(f"[{backend}] {size} {fmt} {phase}: expected {values} {expected}, got {totals}")
                entry[f"{phase}_seconds"] = round(seconds, 3)
                entry[f"{phase}_values_per_s"] = round(values / seconds)
                entry[f"{phase}_cpu_seconds"] = round(cpu_seconds, 3)
                entry[f"{phase}_cpu_values_per_s"] = round(values / cpu_seconds)
                say(f"[{backend}] {size} {fmt} {phase}: {values:,} values in {seconds:.2f} s "
                    f"({values / seconds:,.0f}/s; CPU {cpu_seconds:.2f} s, {values / cpu_seconds:,.0f}/s)")
            result[f"{size}_{fmt}"] = entry
    reset()
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated: sqlite, postgresql")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: pxweb, csv")
    parser.add_argument("--sizes", default="60k,600k", help=f"comma-separated, of: {', '.join(SIZES)}")
    parser.add_argument("--profile", help="SIZE:FORMAT:PHASE to run under cProfile (stats into bench/.data/)")
    parser.add_argument("--pg-database", default=PG_NAME,
                        help=f"the PostgreSQL database to drop and build afresh (default {PG_NAME})")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    formats, sizes = args.formats.split(","), args.sizes.split(",")
    if args._child:
        child(args._child, formats, sizes, args.profile)
        return
    DATA.mkdir(parents=True, exist_ok=True)
    result: dict = {"sizes": {s: SIZES[s][0] * SIZES[s][2] * DESO_AREAS for s in sizes}}
    load_before = os.getloadavg()[0]
    for backend in args.backends.split(","):
        database_create(backend, args.pg_database)
        url = BACKENDS[backend].replace(PG_NAME, args.pg_database) if backend == "postgresql" else BACKENDS[backend]
        env = {**os.environ, "DATABASE_URL": url}
        command = [sys.executable, __file__, "--_child", backend, "--formats", args.formats, "--sizes", args.sizes]
        if args.profile:
            command += ["--profile", args.profile]
        out = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
        measured = json.loads(out.stdout.strip().splitlines()[-1])
        result[f"{backend}_first_import_seconds"] = measured.pop("first_import_seconds")
        for key, entry in measured.items():
            for name, value in entry.items():
                if name.endswith(("_values_per_s", "_seconds")):
                    result[f"{backend}_{key}_{name}"] = value
    result.update({"cores": os.cpu_count(), "load_1min_before": round(load_before, 2),
                   "load_1min_after": round(os.getloadavg()[0], 2)})
    if "60k" in sizes:
        checks = [result[f"{b}_60k_{f}_{p}_values_per_s"] >= TARGETS[p]
                  for b in args.backends.split(",") for f in formats for p in TARGETS]
        result["targets_met_60k"] = all(checks)
    if args.json:
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
