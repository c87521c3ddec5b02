"""Benchmark: the national report for all 38 seed districts from the demo data, in HTML, PDF and
Excel.

    .venv/bin/python bench/reports.py --json

The demo database (`stadsdel demo --no-serve`: the seed registry, 400 000 synthetic persons ×
2006–2012 aggregated to areas and districts, synthetic crimes and boundaries) is built once into
`bench/.data/demo.sqlite3` and reused; building it is not timed. Timed, each `--repeat` times
(the best counts, as in the other benchmarks): gathering the report's content from the database
(`content_seconds`), then each format from that content — HTML (`html_seconds`, including the
distribution charts rendered to SVG), PDF (`pdf_seconds`: the HTML, then WeasyPrint) and Excel
(`xlsx_seconds`). A format's total is its own time plus the content's. The last line of output is
one JSON object. Targets (issue 6): PDF under 30 s and HTML under 3 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DB = HERE / ".data" / "demo.sqlite3"
TARGETS = {"pdf": 30.0, "html": 3.0}


def say(message: str) -> None:
    print(message, flush=True)


def build_demo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    say(f"Bygger demodatabasen {path} (tar ungefär en halv minut, görs en gång) …")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([sys.executable, "-m", "stadsdel.cli", "demo", "--no-serve"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="the demo database (built when missing)")
    parser.add_argument("--year", type=int, default=2011)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args(argv)
    if not args.db.exists():
        build_demo(args.db)
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadsdel.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a database built by an older version catches up
    from stadsdel.followup import render
    from stadsdel.followup.content import national_content

    best: dict[str, float] = {}
    sizes: dict[str, int] = {}
    districts = 0
    for run in range(1, args.repeat + 1):
        started = time.perf_counter()
        content = national_content(year=args.year, public=True)
        timings = {"content": time.perf_counter() - started}
        districts = len(content.districts)
        for fmt in ("html", "pdf", "xlsx"):
            started = time.perf_counter()
            data = render.FORMATS[fmt](content)
            timings[fmt] = time.perf_counter() - started
            sizes[fmt] = len(data)
        say(f"körning {run}: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
        for key, value in timings.items():
            best[key] = min(best.get(key, value), value)
    result = {
        "districts": districts,
        "year": args.year,
        "content_seconds": round(best["content"], 3),
        "seconds": {fmt: round(best["content"] + best[fmt], 3) for fmt in ("html", "pdf", "xlsx")},
        "html_seconds": round(best["html"], 3),
        "pdf_seconds": round(best["pdf"], 3),
        "xlsx_seconds": round(best["xlsx"], 3),
        "bytes": sizes,
        "repeat": args.repeat,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cores": os.cpu_count(),
    }
    result["targets_met"] = all(result["seconds"][fmt] < limit for fmt, limit in TARGETS.items())
    say(f"{districts} stadsdelar; HTML {result['seconds']['html']:.2f} s (mål < 3), PDF {result['seconds']['pdf']:.2f} s "
        f"(mål < 30), Excel {result['seconds']['xlsx']:.2f} s")
    if args.json:
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
