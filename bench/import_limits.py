"""Benchmark: how fast oversized import files are refused, and how much memory that takes.

    .venv/bin/python bench/import_limits.py --json

The files of issue 15 (finding 5), written once into `bench/.data/` by the generators the tests
use (`tests/indicators/limit_files.py`):

* `bomb.xlsx`: 100 000 rows × 100 columns under a header no import accepts, 0.5 MB on disk and
  151 MB unzipped;
* `big.csv`: 1 150 000 long-form rows of employment_rate_20_64 (49 MB), the last with the value
  `inte-ett-tal`.

Each case runs `observations_import` (what `stadsdel import`, the import page and the API call)
in a fresh child process, `--repeat` times; the fastest run counts. `seconds` is the import's
wall time until it is refused; `peak_rss_mb` is the child's peak resident memory (VmHWM, see
`microdata.py` for why not ru_maxrss), `baseline_rss_mb` the child's memory just before the
import (Python, Django and the project loaded).

1. `xlsx`: the bomb under the default limits (refused by STADSDEL_IMPORT_MAX_UNZIPPED_BYTES);
2. `xlsx_header`: the bomb with the size limit lifted, so only the header check refuses it;
3. `csv`: the CSV under the default limits (refused by STADSDEL_IMPORT_MAX_ROWS at row 200 002);
4. `csv_whole`: the CSV with the row limit lifted, read to its bad last row (a stream: what stays
   in memory are the rows parsed so far).

The target (issue 15): the bomb refused in under 2 s. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
sys.path.insert(0, str(HERE.parent / "tests" / "indicators"))

from limit_files import write_bomb_xlsx, write_long_csv  # noqa: E402

CSV_ROWS = 1_150_000
TARGET_SECONDS = 2.0
CASES = {
    "xlsx": ("bomb.xlsx", "xlsx", {}),
    "xlsx_header": ("bomb.xlsx", "xlsx", {"STADSDEL_IMPORT_MAX_UNZIPPED_BYTES": str(10**12)}),
    "csv": ("big.csv", "csv", {}),
    "csv_whole": ("big.csv", "csv", {"STADSDEL_IMPORT_MAX_ROWS": str(10**9)}),
}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_kb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    return float("nan")


def files() -> dict[str, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    bomb, big = DATA / "bomb.xlsx", DATA / "big.csv"
    if not bomb.exists():
        say("skriver bomb.xlsx …")
        write_bomb_xlsx(bomb)
    if not big.exists():
        say("skriver big.csv …")
        write_long_csv(big, rows=CSV_ROWS)
    return {"bomb.xlsx": bomb, "big.csv": big}


def child(path: Path, fmt: str) -> None:
    """One import in this (fresh) process; prints one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadsdel.config.settings")
    import django

    django.setup()
    from stadsdel.indicators.importers.base import ImportFileError
    from stadsdel.indicators.services.imports import observations_import

    baseline = rss_kb("VmRSS")
    started = time.perf_counter()
    try:
        observations_import(path=path, fmt=fmt)
    except ImportFileError as exc:
        refusal = [str(problem) for problem in exc.problems[:3]]
    else:  # pragma: no cover - the files are meant to be refused
        refusal = []
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 3), "peak_rss_mb": round(rss_kb("VmHWM") / 1024, 1),
                      "baseline_rss_mb": round(baseline / 1024, 1), "refusal": refusal}))


def run(case: str, paths: dict[str, Path], repeat: int, database: Path) -> dict:
    name, fmt, env = CASES[case]
    # The import is refused before it touches the database; an empty SQLite file keeps it so.
    environment = {**os.environ, **env, "DATABASE_URL": f"sqlite:///{database}"}
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--_child", str(paths[name]), fmt], env=environment,
                             capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    say(f"{case}: {best['seconds']:.3f} s, topp {best['peak_rss_mb']} MB (före importen {best['baseline_rss_mb']} MB): "
        f"{best['refusal'][0] if best['refusal'] else 'inte avvisad'}")
    return {**best, "runs": [r["seconds"] for r in runs]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated, of: " + ", ".join(CASES))
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    parser.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        child(Path(args._child[0]), args._child[1])
        return
    paths = files()
    load_before = os.getloadavg()[0]
    result: dict = {
        "xlsx_bytes": paths["bomb.xlsx"].stat().st_size,
        "csv_bytes": paths["big.csv"].stat().st_size,
        "csv_rows": CSV_ROWS,
    }
    database = DATA / "import_limits.sqlite3"
    for case in args.cases.split(","):
        measured = run(case, paths, args.repeat, database)
        result[f"{case}_seconds"] = measured["seconds"]
        result[f"{case}_peak_rss_mb"] = measured["peak_rss_mb"]
        result[f"{case}_baseline_rss_mb"] = measured["baseline_rss_mb"]
        result[f"{case}_refusal"] = measured["refusal"][0] if measured["refusal"] else None
    result.update({"repeat": args.repeat, "cores": os.cpu_count(), "load_1min_before": round(load_before, 2),
                   "load_1min_after": round(os.getloadavg()[0], 2)})
    bomb = [result[f"{c}_seconds"] for c in ("xlsx", "xlsx_header") if f"{c}_seconds" in result]
    result["target_seconds"] = TARGET_SECONDS
    result["target_met"] = bool(bomb) and max(bomb) < TARGET_SECONDS
    if args.json:
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
