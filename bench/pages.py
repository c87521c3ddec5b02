"""Benchmark: the demo's heaviest pages, as `make demo` serves them and with production settings,
cold (first view after a data change) and warm.

    .venv/bin/python bench/pages.py --json

The demo database (`stadsdel demo --no-serve`) is built once into `--data-dir` (default
`bench/.data/pages-demo/`) and reused; building it is not timed. Then, for each mode:

* **demo**: what `make demo` serves: development settings (so chart specs were validated against
  the Vega-Lite schema before issue 20), DEBUG off, Django's runserver, one process — plus the
  background worker when the project has one (`stadsdel worker`), as `stadsdel demo` starts it.
* **production**: DJANGO_ENV=production (a random secret key, no HTTPS redirect, static files
  collected) under gunicorn with `--workers` sync workers, plus the worker as above.

Each of `--repeat` rounds starts the server afresh (no process cache survives), makes a data
change (the ministry saves the 2011 national report's introduction again, through the service
its edit goes through; its publication state stays), waits until no report page says it is being recomputed (the wait is
reported, bounded by `--recompute-timeout`), and times each page's first view (**cold**); then
`--warm` more views of each page (**warm**: their median). Pages are viewed signed in as the
ministry (departementet), the start page also anonymously. With a worker, the index and evaluation
pages' first view after the change shows a progress bar while a task draws the sensitivity
analysis or fits the estimates (`bench/background_pages.py` times both sides of that). The 1-minute load average is noted
before and after every round: the machine is shared, so numbers from a busy round read as such.
The last line of output is one JSON object: per mode and page the median of the rounds' cold
times and of their warm medians, in seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
DEFAULT_DIR = HERE / ".data" / "pages-demo"
PASSWORD = "stadsdel-demo"
# The marker a report page carries while its content is being recomputed (issue 20).
RECOMPUTING = "data-recomputing"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def stadsdel(env: dict, *args: str, capture: bool = False) -> str:
    out = subprocess.run([str(BIN / "stadsdel"), *args], env=env, check=True, text=True,
                         capture_output=capture, stdout=None if capture else subprocess.DEVNULL)
    return out.stdout if capture else ""


def build_demo(env: dict, data_dir: Path) -> None:
    if (data_dir / "stadsdel.sqlite3").exists():
        stadsdel(env, "migrate", "-v", "0")  # a database built by an older version catches up
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    say(f"Building the demo database in {data_dir} (a few minutes, once) …")
    stadsdel(env, "demo", "--no-serve")


def page_urls(env: dict) -> dict[str, str]:
    out = stadsdel(env, "shell", "-c",
                   "from stadsdel.areas.models import District;"
                   "from stadsdel.evaluation.models import Evaluation;"
                   "print(District.objects.get(name='Jordbro', kind='district').pk);"
                   "print(Evaluation.objects.order_by('pk').values_list('pk', flat=True).first())", capture=True)
    jordbro, evaluation = (int(x) for x in out.strip().splitlines()[-2:])
    return {
        "report_goteborg": "/reports/1480/2011/",
        "report_stockholm": "/reports/0180/2011/",
        "report_national": "/reports/national/2011/",
        "index": "/index/",
        "evaluation": f"/evaluation/{evaluation}/",
        "district_statistics": f"/districts/{jordbro}/statistics/",
        "overview": "/overview/",
        "home_anonymous": "/",
    }


DATA_CHANGE = """
from django.contrib.auth import get_user_model
from stadsdel.followup import services
from stadsdel.followup.models import NationalReport
record = NationalReport.objects.filter(year=2011).first()
services.national_publish(user=get_user_model().objects.get(username="departementet"), year=2011,
                          published=record.published if record else False,
                          introduction=(record.introduction if record else "") + " ",
                          version=record.version if record else None)
"""


def data_change(env: dict) -> None:
    """A real change, through the service a user's edit goes through (and its signals)."""
    stadsdel(env, "shell", "-c", DATA_CHANGE)


class Server:
    def __init__(self, mode: str, env: dict, port: int, workers: int):
        self.port = port
        self.procs: list[subprocess.Popen] = []
        if mode == "production":
            self.env = {**env, "DJANGO_ENV": "production", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
                        "DATABASE_CONN_MAX_AGE": "600"}
            stadsdel(self.env, "collectstatic", "--noinput", "-v", "0")
            web = [str(BIN / "gunicorn"), "stadsdel.config.wsgi", "--workers", str(workers),
                   "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        else:
            # As `stadsdel demo` serves: development settings with DEBUG off, runserver, no reloader.
            self.env = {**env, "DJANGO_DEBUG": "0"}
            web = [str(BIN / "stadsdel"), "runserver", f"127.0.0.1:{port}", "--noreload"]
        self.procs.append(subprocess.Popen(web, env=self.env, start_new_session=True,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if has_worker():
            self.procs.append(subprocess.Popen([str(BIN / "stadsdel"), "worker"], env=self.env,
                                               start_new_session=True, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))
        for _ in range(200):
            try:
                if self.get("/health/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        sys.exit(f"{mode}: the server did not answer /health/")

    def get(self, url: str, cookie: str = "", method: str = "GET", body: str = "",
            headers: dict | None = None) -> tuple[int, str, http.client.HTTPResponse]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = {"Host": "127.0.0.1", **(headers or {})}
        if cookie:
            h["Cookie"] = cookie
        conn.request(method, url, body=body or None, headers=h)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, text, response

    def login(self, username: str) -> str:
        _, page, response = self.get("/login/")
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = f"csrfmiddlewaretoken={token}&username={username}&password={PASSWORD}"
        status, _, response = self.get("/login/", cookie=f"csrftoken={csrf}", method="POST", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/login/"})
        session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
        if status != 302 or not session:
            sys.exit(f"login as {username} failed (HTTP {status})")
        return f"sessionid={session.group(1)}; csrftoken={csrf}"

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def has_worker() -> bool:
    return any((ROOT / "src" / "stadsdel").glob("*/management/commands/worker.py"))


def timed(server: Server, url: str, cookie: str) -> float:
    t0 = time.perf_counter()
    status, _, _ = server.get(url, cookie=cookie)
    elapsed = time.perf_counter() - t0
    if status != 200:
        sys.exit(f"{url}: HTTP {status}")
    return elapsed


def wait_recomputed(server: Server, urls: list[str], cookie: str, timeout: float) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if not any(RECOMPUTING in server.get(u, cookie=cookie)[1] for u in urls):
            return time.perf_counter() - t0
        time.sleep(0.5)
    return float("nan")


def one_round(mode: str, env: dict, args, urls: dict) -> dict:
    before = load1()
    server = Server(mode, env, args.port, args.workers)
    try:
        cookie = server.login("departementet")
        data_change(env)
        reports = [u for k, u in urls.items() if k.startswith("report_")]
        waited = wait_recomputed(server, reports, cookie, args.recompute_timeout) if has_worker() else 0.0
        cold, warm = {}, {}
        for page, url in urls.items():
            c = "" if page.endswith("_anonymous") else cookie
            cold[page] = round(timed(server, url, c), 3)
        for page, url in urls.items():
            c = "" if page.endswith("_anonymous") else cookie
            warm[page] = round(statistics.median(timed(server, url, c) for _ in range(args.warm)), 3)
    finally:
        server.stop()
    return {"cold": cold, "warm": warm, "recompute_wait": round(waited, 2), "load_before": before,
            "load_after": load1()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--modes", default="demo,production")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per mode (server restarted each)")
    parser.add_argument("--warm", type=int, default=5, help="warm views of each page per round")
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (production)")
    parser.add_argument("--recompute-timeout", type=float, default=300)
    parser.add_argument("--json", action="store_true", help="only the JSON line on stdout")
    args = parser.parse_args()
    env = {**os.environ, "STADSDEL_DATA_DIR": str(args.data_dir.resolve())}
    for name in ("DATABASE_URL", "DJANGO_ENV", "DJANGO_DEBUG"):
        env.pop(name, None)
    build_demo(env, args.data_dir)
    urls = page_urls(env)
    result: dict = {"pages": urls, "repeat": args.repeat, "warm_views": args.warm, "cores": os.cpu_count(),
                    "worker": has_worker()}
    for mode in args.modes.split(","):
        rounds = []
        for i in range(args.repeat):
            say(f"== {mode}, round {i + 1}/{args.repeat} (load {load1():.2f})")
            rounds.append(one_round(mode, env, args, urls))
            say(json.dumps(rounds[-1]))
        result[mode] = {
            "cold": {p: round(statistics.median(r["cold"][p] for r in rounds), 3) for p in urls},
            "warm": {p: round(statistics.median(r["warm"][p] for r in rounds), 3) for p in urls},
            "recompute_wait": [r["recompute_wait"] for r in rounds],
            "load": [[r["load_before"], r["load_after"]] for r in rounds],
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
