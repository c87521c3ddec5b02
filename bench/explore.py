"""Benchmark: the indicator explorer (`/statistics/explore/`, `GET /api/indicators/explore`) at
national scale, each view served alone.

    .venv/bin/python bench/explore.py --json [--data-dir DIR] [--from-demo DIR] [--reuse]

1. **Data**: a throw-away SQLite data directory (`--data-dir`, default
   /tmp/stadsdel-explore-bench) holding the demo (`stadsdel demo --no-serve`, or a copy of the
   database of an existing demo directory, `--from-demo`) grown to national scale through the
   importer exactly as `bench/load.py` grows its PostgreSQL database (its `--_national` step):
   `--areas` (6 000) statistical areas × `--indicators` (30) × `--years` (20), with each
   municipality's sums; the importer sums the districts. `--reuse` keeps a directory built before.
2. **Server**: gunicorn with one sync worker and production settings (as `bench/load.py`), so
   each request is served alone, after `collectstatic`.
3. **Views**: each URL of `VIEWS` is requested once to warm the worker, then `--repeat` (15)
   times in sequence; the time is the client's wall time per response, body read.

The last line of output is one JSON object: per view `median_ms`, `p95_ms`, `max_ms`, `bytes`
and `rows` (the API's count for the same query), `observations` in the database, `target_ms`
(300) and `targets_met` (every view's median under the target).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
TARGET_MS = 300.0


def say(message: str) -> None:
    print(message, flush=True)


def build(env: dict, *, data_dir: Path, from_demo: Path | None, sizes: dict) -> dict:
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    if from_demo is not None:
        say(f"== copying the demo database of {from_demo}")
        shutil.copy(from_demo / "stadsdel.sqlite3", data_dir / "stadsdel.sqlite3")
        subprocess.run([str(BIN / "stadsdel"), "migrate", "-v", "0"], env=env, check=True)
    else:
        say("== stadsdel demo --no-serve")
        subprocess.run([str(BIN / "stadsdel"), "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    say("== national scale through the importer (bench/load.py --_national)")
    out = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "load.py"), "--_national", json.dumps(sizes)],
                         env=env, check=True, stdout=subprocess.PIPE, text=True)
    for line in out.stdout.strip().splitlines()[:-1]:
        say(f"   {line}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def facts(env: dict) -> dict:
    """Ids and codes the views name, and the size of the data."""
    code = (
        "import json\n"
        "from stadsdel.areas.models import District, Municipality\n"
        "from stadsdel.indicators.models import Indicator, Observation\n"
        "d = District.objects.get(name='Jordbro', kind='district')\n"
        "r = District.objects.get(name='Rinkeby', kind='district')\n"
        "print(json.dumps({'jordbro': d.pk, 'rinkeby': r.pk,\n"
        "  'indicators': list(Indicator.objects.order_by('position', 'code').values_list('code', flat=True)[:30]),\n"
        "  'municipalities': list(Municipality.objects.order_by('code').values_list('code', flat=True)),\n"
        "  'observations': Observation.objects.count()}))\n"
    )
    out = subprocess.run([str(BIN / "stadsdel"), "shell", "-c", code], env=env, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def views(f: dict) -> dict[str, dict]:
    """The explorer views timed: the choices a user makes most, and the largest ones."""
    first = f["indicators"][0]
    five = f["indicators"][:5]
    return {
        # One indicator over time for a district and its references (the indicator page's link).
        "line_district": {"indicator": first, "district": f["jordbro"], "municipality": "0136", "county": "01",
                          "country": "1"},
        # Five indicators, 20 municipalities, bars for one year.
        "bar_municipalities": {"indicator": five, "municipality": f["municipalities"][:20], "view": "bar",
                               "year": "2025"},
        # A district's statistical areas, women and men, every year.
        "areas_both_sexes": {"indicator": first, "areas_of": f["rinkeby"], "sex": ["K", "M", "T"]},
        # Every indicator for every municipality: more than the cap, as a table.
        "table_capped": {"indicator": f["indicators"], "municipality": "all", "view": "table"},
        # The same query as line_district through the API, and its CSV download.
        "api": {"indicator": first, "district": f["jordbro"], "municipality": "0136", "county": "01", "country": "1"},
        "csv": {"indicator": five, "municipality": f["municipalities"][:20], "format": "csv"},
        # Similar districts: the areas' SCB types over the whole country, and the risk index.
        "similar_area_type": {"indicator": first, "similar_to": f["jordbro"], "similar_by": "area_type"},
        "similar_risk_band": {"indicator": first, "similar_to": f["rinkeby"], "similar_by": "risk_band"},
    }


def serve(env: dict, port: int) -> subprocess.Popen:
    server_env = {**env, "DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                  "DJANGO_SECURE_SSL_REDIRECT": "0"}
    subprocess.run([str(BIN / "stadsdel"), "collectstatic", "--noinput", "-v", "0"], env=server_env, check=True)
    server = subprocess.Popen([str(BIN / "gunicorn"), "stadsdel.config.wsgi", "--workers", "1", "--timeout", "120",
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], env=server_env,
                              start_new_session=True)
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("gunicorn did not answer /health/")


def get(port: int, path: str) -> tuple[float, int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
    return elapsed, len(body), body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/stadsdel-explore-bench"))
    parser.add_argument("--from-demo", type=Path, help="copy the demo database of this data directory")
    parser.add_argument("--reuse", action="store_true", help="keep a data directory built earlier")
    parser.add_argument("--areas", type=int, default=6000)
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--port", type=int, default=8199)
    parser.add_argument("--json", action="store_true", help="(the last line is JSON in any case)")
    args = parser.parse_args()

    env = {**os.environ, "STADSDEL_DATA_DIR": str(args.data_dir), "DJANGO_SECRET_KEY": secrets.token_urlsafe(40)}
    env.pop("DATABASE_URL", None)
    sizes = {"areas": args.areas, "indicators": args.indicators, "years": args.years}
    built = None
    if not (args.reuse and (args.data_dir / "stadsdel.sqlite3").exists()):
        built = build(env, data_dir=args.data_dir, from_demo=args.from_demo, sizes=sizes)
    f = facts(env)
    say(f"== {f['observations']:,} figures; serving with one gunicorn worker")
    server = serve(env, args.port)
    results = {}
    try:
        for name, params in views(f).items():
            base = "/api/indicators/explore" if name == "api" else "/statistics/explore/"
            path = f"{base}?{urlencode(params, doseq=True)}"
            get(args.port, path)  # warm: the worker's first request of a kind fills its caches
            times, size = [], 0
            for _ in range(args.repeat):
                ms, size, _body = get(args.port, path)
                times.append(ms)
            api_params = {k: v for k, v in params.items() if k not in ("format", "view", "year")}
            _ms, _size, body = get(args.port, f"/api/indicators/explore?{urlencode(api_params, doseq=True)}")
            answer = json.loads(body)
            times.sort()
            results[name] = {
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1),
                "max_ms": round(times[-1], 1), "bytes": size, "rows": answer["count"], "capped": answer["capped"],
            }
            say(f"   {name}: median {results[name]['median_ms']} ms, p95 {results[name]['p95_ms']} ms, "
                f"{answer['count']} rows{' (capped)' if answer['capped'] else ''}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    print(json.dumps({
        "observations": f["observations"], "sizes": sizes, "build": built, "repeat": args.repeat,
        "views": results, "target_ms": TARGET_MS,
        "targets_met": all(r["median_ms"] < TARGET_MS for r in results.values()),
    }))


if __name__ == "__main__":
    main()
