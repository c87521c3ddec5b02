"""Benchmark: the app under load, as deployed: gunicorn against PostgreSQL with national-scale data.

    .venv/bin/python bench/load.py --json

1. **Database** `stadsdel_load` on the local PostgreSQL (127.0.0.1:5432, user postgres): dropped,
   created and filled by `stadsdel demo --no-serve` (seeds, the demo's plans, reports and
   statistics), then grown to national scale through the importer (`observations_import`, what
   `stadsdel import` runs): indicators up to `--indicators` (default 30; synthetic shares
   `bench_share_NN` added to the catalogue), and one CSV per indicator with a figure (numerator
   and denominator, and the value as SCB's files give it) for every area × year over `--years` (20,
   2006–2025) and the sums of each municipality: statistical areas up to `--areas` (default
   6 000: the demo's, plus DeSO-shaped codes spread over the 290 municipalities, which the first
   import registers as it registers SCB's DeSO areas), 3.6 M area figures; the importer sums
   the district figures. The demo's own figures are left as they are (their keys are not in the
   files), though the importer recomputes the sums of districts whose areas all have figures.
   Then ANALYZE. `--reuse` keeps a database built earlier with the same sizes.
2. **Queries per page** are counted in-process (Django's test client under
   CaptureQueriesContext, the same pages and login as the load) twice: on the demo database
   before it grows and on the national-scale one. `queries_constant` says whether each page
   made the same number of queries at both sizes (no N+1).
3. **gunicorn** (`--workers`, default 2 × cores + 1 sync workers) serves the app with
   production settings (DJANGO_ENV=production, a random secret key, no HTTPS redirect on
   loopback), persistent database connections.
4. **Load**: `--clients` (32) concurrent clients, in 4 processes of 8 threads, each cycling
   through the four pages for `--seconds` (60) after a 5-second warm-up that is not counted:
   - `dashboard`: a district's statistics page (Jordbro: every indicator against municipality,
     county and country, with charts), signed in as Haninge's coordinator;
   - `report`: Haninge's follow-up report for 2011 (the page), signed in likewise;
   - `api_list`: `GET /api/indicators/observations` of one indicator at district level (a page
     of 100 with the total count), anonymous;
   - `health`: `GET /health/` (`SELECT 1`), anonymous.
   A request that fails or answers other than 2xx counts in `errors`.

The last line of output is one JSON object: `rps` (all requests per second), `p50_ms`, `p95_ms`,
`p99_ms` (each a dict per page, `health` included, and `all`), `rps_per_page`, `errors` (an
integer), `errors_per_page`, `queries_per_page` (at national scale), `queries_per_page_demo`,
`queries_constant`, `targets` and `targets_met`. Targets: zero errors, constant queries per page,
dashboard p95 under 10 × the health p95 of the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DATA = ROOT / "bench" / ".data"
SEED = 1
FIRST_YEAR = 2006
SIZE = {"areas": 6000, "indicators": 30, "years": 20}
PG = "postgres://postgres@127.0.0.1:5432/"
PAGES = ("dashboard", "report", "api_list", "health")
SIGNED_IN = {"dashboard", "report"}
TARGET_RATIO = 10.0
WARMUP_SECONDS = 5


def say(message: str) -> None:
    print(message, flush=True)


# -- 1. the database ------------------------------------------------------------------------------

def psql(sql: str, *, db: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def database_build(name: str, env: dict) -> None:
    say(f"== database {name}: dropping and creating it, then `stadsdel demo --no-serve`")
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    demo = subprocess.Popen([str(BIN / "stadsdel"), "demo", "--no-serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    for line in demo.stdout:
        say(f"   demo: {line.rstrip()}")
    if demo.wait() != 0:
        sys.exit("demo build failed")


def national_scale_load(env: dict, *, areas: int, indicators: int, years: int) -> dict:
    """Grow the demo database to national scale through the importer (see the module docstring),
    in a child process with the database's settings."""
    out = subprocess.run([str(BIN / "python"), __file__, "--_national",
                          json.dumps({"areas": areas, "indicators": indicators, "years": years})],
                         env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def national_scale_main() -> None:
    """In a child process (DATABASE_URL set): write one CSV per indicator of every area × year
    (numerator, denominator and the value) plus the municipalities' sums,
    leaving out the figures the demo already has, and import them with `observations_import`,
    as `stadsdel import` does. Prints one JSON line."""
    import numpy as np

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadsdel.config.settings")
    import django

    django.setup()
    from django.db import connection

    from stadsdel.areas.models import Municipality, StatisticalArea
    from stadsdel.indicators.models import Indicator, Level, Observation
    from stadsdel.indicators.services.imports import observations_import

    sizes = json.loads(sys.argv[2])
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    have = Indicator.objects.count()
    for i in range(max(0, sizes["indicators"] - have)):
        Indicator.objects.get_or_create(code=f"bench_share_{i + 1:02d}", defaults={
            "name": f"Syntetisk andel {i + 1}", "name_en": f"Synthetic share {i + 1}",
            "definition": "Syntetisk andel (bench/load.py)", "unit": Indicator.Unit.PERCENT, "scale": 100,
            "is_share": True, "direction": Indicator.Direction.HIGHER_WORSE, "source": Indicator.Source.SCB,
            "value_min": 0, "value_max": 100, "position": 1000 + i})
    catalogue = list(Indicator.objects.order_by("position", "code"))[:sizes["indicators"]]
    municipalities = sorted(Municipality.objects.values_list("code", flat=True))
    known = list(StatisticalArea.objects.filter(code_system__municipality_specific=False)
                 .order_by("id").values_list("code", flat=True))
    # DeSO-shaped codes (municipality, A/B/C, number) for the areas the registry lacks: the
    # import registers them, as it does SCB's real DeSO areas.
    codes, taken, n = list(known[:sizes["areas"]]), set(known), 0
    while len(codes) < sizes["areas"]:
        code = f"{municipalities[n % len(municipalities)]}{'ABC'[n % 3]}{9000 - n // len(municipalities):04d}"
        n += 1
        if code not in taken:
            codes.append(code)
            taken.add(code)
    municipality_of = [code[:4] for code in codes]
    # The demo's own figures stay as they are: only keys it lacks are written.
    demo = set(Observation.objects.filter(level__in=[Level.AREA, Level.MUNICIPALITY]).values_list(
        "indicator__code", "unit_key", "period"))
    area_key = {a.code: f"area:{a.code_system.code}:{a.code}"
                for a in StatisticalArea.objects.select_related("code_system").filter(code__in=codes)}
    folder = DATA / "load-national"
    folder.mkdir(parents=True, exist_ok=True)
    total = {"values": 0, "created": 0, "files": 0, "import_seconds": 0.0}
    say(f"== national scale: {len(codes)} areas × {len(catalogue)} indicators × {sizes['years']} years, "
        "one file per indicator through the importer")
    for k, indicator in enumerate(catalogue):
        low, high, scale = indicator.value_min, indicator.value_max, float(indicator.scale or 1)

        def value_of(a: int, b: int, low=low, high=high, scale=scale, whole=indicator.whole_numbers) -> str:
            # The value as SCB's files carry it beside the counts (a figure with a blank value is
            # stored as missing, whatever its counts); blank where the indicator's range or
            # whole numbers would refuse the synthetic counts' quotient.
            value = scale * a / b
            if whole or (low is not None and value < low) or (high is not None and value > high):
                return ""
            return f"{value:.10g}"

        base = rng.uniform(0.05, 0.6, size=len(codes))
        den = rng.integers(200, 3000, size=len(codes))
        lines = ["indicator,area,period,sex,value,numerator,denominator"]
        for y in range(sizes["years"]):
            period = FIRST_YEAR + y
            num = np.round(np.clip(base + rng.normal(0, 0.02, size=len(codes)), 0.0, 1.0) * den).astype(int)
            sums: dict[str, list[int]] = {}
            for code, mcode, a, b in zip(codes, municipality_of, num.tolist(), den.tolist(), strict=True):
                part = sums.setdefault(mcode, [0, 0])
                part[0] += a
                part[1] += b
                if (indicator.code, area_key.get(code, f"area:DeSO:{code}"), period) not in demo:
                    lines.append(f"{indicator.code},{code},{period},T,{value_of(a, b)},{a},{b}")
            for mcode, (a, b) in sums.items():
                if (indicator.code, f"municipality:{mcode}", period) not in demo:
                    lines.append(f"{indicator.code},{mcode},{period},T,{value_of(a, b)},{a},{b}")
        if len(lines) == 1:
            continue  # the demo has every figure of this indicator already
        path = folder / f"{indicator.code}.csv"
        path.write_text("\n".join(lines) + "\n")
        t0 = time.perf_counter()
        outcome = observations_import(path=path, fmt="csv", source_name=f"bench/load.py {path.name}")
        total["import_seconds"] += time.perf_counter() - t0
        total["values"] += len(lines) - 1
        total["created"] += outcome.created
        total["files"] += 1
        say(f"   {indicator.code}: {len(lines) - 1:,} figures imported in {time.perf_counter() - t0:.1f} s "
            f"({k + 1}/{len(catalogue)})")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    observations = Observation.objects.count()
    seconds = time.perf_counter() - started
    say(f"   {total['created']:,} figures created (area, municipality and district sums); {observations:,} figures "
        f"in all ({seconds:.0f} s, of which importing {total['import_seconds']:.0f} s)")
    print(json.dumps({"areas": len(codes), "indicators": len(catalogue), "years": sizes["years"],
                      "observations": observations, "load_seconds": round(seconds, 1),
                      "import_seconds": round(total["import_seconds"], 1), "imported_values": total["values"],
                      "import_values_per_s": round(total["values"] / total["import_seconds"])
                      if total["import_seconds"] else None}))


# -- 2. queries per page --------------------------------------------------------------------------

def count_queries_main() -> None:
    """In a child process (DATABASE_URL set): the queries each page makes, as JSON on stdout,
    and the signed-in session's cookie for the load."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadsdel.config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    urls = json.loads(sys.argv[2])
    signed_in = Client()
    signed_in.force_login(get_user_model().objects.get(username="haninge"))
    anonymous = Client()
    counts = {}
    for page, url in urls.items():
        client = signed_in if page in SIGNED_IN else anonymous
        client.get(url)  # warm: caches (catalogue, translations) as a running server has them
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{page} {url}: HTTP {response.status_code}")
        counts[page] = len(queries)
    print(json.dumps({"queries": counts, "session": signed_in.cookies["sessionid"].value}))


def page_urls(env: dict) -> dict[str, str]:
    out = subprocess.run([str(BIN / "stadsdel"), "shell", "-c",
                          "from stadsdel.areas.models import District;"
                          "print(District.objects.get(name='Jordbro', kind='district').pk)"],
                         env=env, check=True, capture_output=True, text=True).stdout.strip()
    jordbro = int(out.splitlines()[-1])
    return {
        "dashboard": f"/districts/{jordbro}/statistics/",
        "report": "/reports/0136/2011/",
        "api_list": "/api/indicators/observations?indicator=employment_rate_20_64&level=district&page_size=100",
        "health": "/health/",
    }


def count_queries(env: dict, urls: dict) -> tuple[dict, str]:
    out = subprocess.run([str(BIN / "python"), __file__, "--_count", json.dumps(urls)], env=env, check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["queries"], result["session"]


# -- 3. and 4. the server and the load ---------------------------------------------------------------

def client_process(port: int, urls: dict, session: str, threads: int, start_at: float, stop_at: float, out) -> None:
    results: list[tuple[str, float, int]] = []  # page, milliseconds, HTTP status (0: no answer)
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        order = list(PAGES)
        i = offset
        mine = []
        while True:
            now = time.time()
            if now >= stop_at:
                break
            page = order[i % len(order)]
            i += 1
            headers = {"Host": "127.0.0.1", "Accept-Encoding": "gzip"}
            if page in SIGNED_IN:
                headers["Cookie"] = f"sessionid={session}"
            t0 = time.perf_counter()
            status = 0
            try:
                conn.request("GET", urls[page], headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - t0) * 1000
            if now >= start_at:
                mine.append((page, elapsed, status))
        with lock:
            results.extend(mine)

    workers = [threading.Thread(target=client, args=(random.randrange(len(PAGES)),)) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(results)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def serve(env: dict, port: int, workers: int) -> subprocess.Popen:
    server_env = {**env, "DJANGO_ENV": "production", "DJANGO_SECRET_KEY": env["DJANGO_SECRET_KEY"],
                  "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
                  "DATABASE_CONN_MAX_AGE": "600"}
    # As a deployment does: the static files collected (with their hashed names) before serving.
    subprocess.run([str(BIN / "stadsdel"), "collectstatic", "--noinput", "-v", "0"], env=server_env, check=True)
    server = subprocess.Popen([str(BIN / "gunicorn"), "stadsdel.config.wsgi", "--workers", str(workers),
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], env=server_env,
                              start_new_session=True)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.kill()
    sys.exit("gunicorn did not answer /health/")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used (/proc/<pid>/stat utime + stime)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def server_pids(server: subprocess.Popen, database: str) -> dict[str, list[int]]:
    """gunicorn's workers (the master's children) and the PostgreSQL backends of `database`."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server.pid:  # the parent's pid
                workers.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    backends = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()")
    return {"gunicorn": workers, "postgres": [int(p) for p in backends.split()]}


def run_load(port: int, urls: dict, session: str, *, clients: int, seconds: float,
             pids=dict) -> tuple[list, dict]:
    """The results, and the CPU seconds each group of server processes (`pids()`, read when the
    counted part starts) used during the counted part."""
    processes = 4 if clients >= 4 else 1
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    start_at = time.time() + WARMUP_SECONDS
    stop_at = start_at + seconds
    queue: mp.Queue = mp.Queue()
    procs = [mp.Process(target=client_process, args=(port, urls, session, n, start_at, stop_at, queue)) for n in per]
    for p in procs:
        p.start()
    say(f"== load: {clients} clients in {processes} processes, {WARMUP_SECONDS} s warm-up, then {seconds:.0f} s")
    time.sleep(max(0.0, start_at - time.time()))
    groups = pids()  # after the warm-up every worker has its database connection
    before = {name: cpu_seconds(group) for name, group in groups.items()}
    load_before = os.getloadavg()[0]
    while time.time() < stop_at:
        time.sleep(min(10, max(0.05, stop_at - time.time())))
        left = stop_at - time.time()
        if left > 0:
            say(f"   {left:.0f} s left")
    cpu = {name: round(cpu_seconds(group) - before[name], 2) for name, group in groups.items()}
    cpu["load_1min_before"], cpu["load_1min_after"] = round(load_before, 2), round(os.getloadavg()[0], 2)
    results = []
    for _ in procs:
        results.extend(queue.get())
    for p in procs:
        p.join()
    return results, cpu


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--_count":
        count_queries_main()
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--_national":
        national_scale_main()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="End with one JSON line (always printed).")
    parser.add_argument("--database", default="stadsdel_load")
    parser.add_argument("--reuse", action="store_true", help="Keep a database built earlier with the same sizes.")
    parser.add_argument("--areas", type=int, default=SIZE["areas"])
    parser.add_argument("--indicators", type=int, default=SIZE["indicators"])
    parser.add_argument("--years", type=int, default=SIZE["years"])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    url = PG + args.database
    DATA.mkdir(parents=True, exist_ok=True)
    # One secret for the counting process (which makes the session) and the server (which reads it).
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
           "STADSDEL_DATA_DIR": str(DATA / "load")}
    env.pop("DJANGO_ENV", None)
    marker = DATA / f"{args.database}.json"
    sizes = {"areas": args.areas, "indicators": args.indicators, "years": args.years}
    built = json.loads(marker.read_text()) if marker.exists() else None
    if args.reuse and built and built.get("sizes") == sizes and psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'") == "1":
        say(f"== reusing database {args.database} ({built['scale']['observations']:,} figures)")
        urls = page_urls(env)
        queries_demo, scale = built["queries_demo"], built["scale"]
    else:
        marker.unlink(missing_ok=True)
        database_build(args.database, env)
        urls = page_urls(env)
        queries_demo, _ = count_queries(env, urls)
        say(f"== queries per page at demo size: {queries_demo}")
        scale = national_scale_load(env, **sizes)
        marker.write_text(json.dumps({"sizes": sizes, "scale": scale, "queries_demo": queries_demo}))
    queries, session = count_queries(env, urls)
    say(f"== queries per page at national scale: {queries}")

    say(f"== gunicorn: {args.workers} workers on 127.0.0.1:{args.port}")
    server = serve(env, args.port, args.workers)
    try:
        results, cpu = run_load(args.port, urls, session, clients=args.clients, seconds=args.seconds,
                                pids=lambda: server_pids(server, args.database))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    by_page = {page: [ms for p, ms, _status in results if p == page] for page in PAGES}
    errors_per_page = {page: sum(1 for p, _ms, status in results if p == page and not 200 <= status < 300)
                       for page in PAGES}
    error_statuses: dict[str, int] = {}
    for p, _ms, status in results:
        if not 200 <= status < 300:
            error_statuses[f"{p} {status}"] = error_statuses.get(f"{p} {status}", 0) + 1
    everything = [ms for _p, ms, _status in results]

    def stat(q):
        out = {page: round(percentile(v, q), 1) for page, v in by_page.items()}
        out["all"] = round(percentile(everything, q), 1)
        return out

    p95 = stat(0.95)
    errors = sum(errors_per_page.values())
    ratio = p95["dashboard"] / p95["health"] if p95["health"] else float("inf")
    constant = queries == queries_demo
    result = {
        "rps": round(len(results) / args.seconds, 1),
        "rps_per_page": {page: round(len(v) / args.seconds, 1) for page, v in by_page.items()},
        "requests": len(results),
        "p50_ms": stat(0.50), "p95_ms": p95, "p99_ms": stat(0.99),
        "mean_ms": {page: round(statistics.fmean(v), 1) if v else None for page, v in by_page.items()},
        "errors": errors, "errors_per_page": errors_per_page, "error_statuses": error_statuses,
        "queries_per_page": queries, "queries_per_page_demo": queries_demo, "queries_constant": constant,
        "dashboard_p95_over_health_p95": round(ratio, 2),
        "targets": {"errors": 0, "queries_constant": True, "dashboard_p95_over_health_p95_below": TARGET_RATIO},
        "targets_met": errors == 0 and constant and ratio < TARGET_RATIO,
        "clients": args.clients, "seconds": args.seconds, "workers": args.workers, "urls": urls, "scale": scale,
        # The servers' own cost, which the other work on a shared machine does not inflate: CPU
        # seconds per request of gunicorn's workers and of PostgreSQL's backends, and the
        # capacity two cores would give at that cost.
        "cpu_seconds": cpu,
        "cpu_ms_per_request": {name: round(1000 * cpu[name] / len(results), 2) if results else None
                               for name in ("gunicorn", "postgres")},
        "capacity_rps_2_cores_gunicorn": round(2 * len(results) / cpu["gunicorn"], 1) if cpu.get("gunicorn") else None,
        "capacity_rps_2_cores_servers": round(2 * len(results) / (cpu["gunicorn"] + cpu["postgres"]), 1)
        if cpu.get("gunicorn") else None,
        "cpus": os.cpu_count(),
    }
    say(f"== {len(results):,} requests, {errors} errors; p95 dashboard {p95['dashboard']} ms, health "
        f"{p95['health']} ms (ratio {ratio:.2f}); queries {queries} (demo {queries_demo})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
