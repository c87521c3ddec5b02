"""Benchmark: the index page and the evaluation page with their long computations in the request
(before issue 20's background work) and off it (after), in process, wall and CPU milliseconds.

    STADSDEL_DATA_DIR=/tmp/bgwork-demo .venv/bin/stadsdel demo --no-serve   # once
    STADSDEL_DATA_DIR=/tmp/bgwork-demo .venv/bin/python bench/background_pages.py --json

Production-like settings (DJANGO_ENV=production, DEBUG off, the default local-memory cache of one
process) and Django's test client against the demo database; the index page (`/index/`, its
districts, and `/index/?level=area`, its statistical areas) is viewed signed in as the Stockholm
analyst, the demo's evaluation page as the ministry. Per page:

* **before, cold**: a data change (the ministry saves the national report's introduction again,
  through its service), no worker, the process cache cleared: the view computes the sensitivity
  analysis or the estimates in the request, as every first view did before.
* **before, warm**: no worker and the kept result removed before each view: the index page drew
  its analysis on every view before; the evaluation page read its estimates from the process
  cache (kept across views of one process, lost with it and computed again in every gunicorn
  process).
* **after, cold**: a data change, a worker alive: the first view shows the ranks or the design
  and a progress bar (the task is queued); then the task runs (`task`: its wall and CPU, in this
  process as the worker would run it, the process cache cleared first); then the first view
  after it (`filled`).
* **after, warm**: views of the kept result.

The reports' recomputation that a data change queues is dropped (it is not what is measured and
would hold the queue for minutes). Warm figures are the median of `--warm` views; the 1-minute load
average is given, since the machine is shared. The last line is one JSON object.
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
sys.path.insert(0, str(ROOT / "src"))


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def setup() -> None:
    os.environ.setdefault("DJANGO_ENV", "production")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadsdel.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves the manifest's names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="only the JSON line on stdout")
    args = parser.parse_args()
    if "STADSDEL_DATA_DIR" not in os.environ:
        sys.exit("Set STADSDEL_DATA_DIR to a demo data directory (stadsdel demo --no-serve).")
    setup()

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django_tasks_db.management.commands.db_worker import Worker

    from stadsdel.evaluation.models import Evaluation, KeptEstimates
    from stadsdel.followup import services
    from stadsdel.followup.models import NationalReport
    from stadsdel.followup.tasks import pending_recompute
    from stadsdel.indices.models import SensitivityResult
    from stadsdel.jobs.models import WorkerBeat
    from stadsdel.jobs.services import beat

    users = get_user_model().objects
    ministry = users.get(username="departementet")
    analyst = users.get(username="analytiker")
    evaluation = Evaluation.objects.order_by("pk").first()
    pages = {"index": ("/index/", analyst, SensitivityResult),
             "index_areas": ("/index/?level=area", analyst, SensitivityResult),
             "evaluation": (f"/evaluation/{evaluation.pk}/", ministry, KeptEstimates)}

    def data_change() -> None:
        record = NationalReport.objects.filter(year=2011).first()
        services.national_publish(user=ministry, year=2011, published=record.published if record else False,
                                  introduction=(record.introduction if record else "") + " ",
                                  version=record.version if record else None)
        pending_recompute(started=False).delete()

    def view(client: Client, url: str, marker: str | None = None) -> tuple[float, float]:
        w0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if response.status_code != 200:
            sys.exit(f"{url}: HTTP {response.status_code}")
        if marker is not None and (marker in response.content.decode()) is False:
            sys.exit(f"{url}: expected {marker!r} in the page")
        return round(wall * 1000, 1), round(cpu * 1000, 1)

    def median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
        return (round(statistics.median(p[0] for p in pairs), 1), round(statistics.median(p[1] for p in pairs), 1))

    def run_worker() -> tuple[float, float]:
        w0, c0 = time.perf_counter(), time.process_time()
        Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
               max_tasks=None, worker_id="bench-worker", excluded_queue_names=[]).run()
        return round((time.perf_counter() - w0) * 1000, 1), round((time.process_time() - c0) * 1000, 1)

    result: dict = {"load_before": load1(), "analyst": analyst.username, "warm_views": args.warm,
                    "units": "ms (wall, cpu)"}
    for name, (url, user, kept_model) in pages.items():
        client = Client()
        client.force_login(user)
        client.get(url)  # imports, templates: the process warmed up
        out: dict = {"url": url}
        # Before: in the request.
        WorkerBeat.objects.all().delete()
        data_change()
        cache.clear()
        out["before_cold"] = view(client, url)
        warm = []
        for _ in range(args.warm):
            kept_model.objects.all().delete()
            warm.append(view(client, url))
        out["before_warm"] = median(warm)
        # After: off the request.
        data_change()
        beat("bench-worker")
        out["after_cold"] = view(client, url, marker="data-poll-progress")
        cache.clear()  # the worker is another process: its cache holds none of this process's results
        out["task"] = run_worker()
        beat("bench-worker")
        out["after_filled"] = view(client, url)
        if "data-poll-progress" in client.get(url).content.decode():
            sys.exit(f"{url}: still computing after the worker ran")
        out["after_warm"] = median([view(client, url) for _ in range(args.warm)])
        WorkerBeat.objects.all().delete()
        result[name] = out
        if not args.json:
            print(name, json.dumps(out), file=sys.stderr)
    result["load_after"] = load1()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
