"""`stadsdel worker`: run the background tasks queued in the database (django-tasks-db), one at a
time, until stopped. Run one per core and machine against the one database; each says it is
alive every few seconds, and each marks failed the tasks of workers that stopped saying so."""

from __future__ import annotations

import os
import socket
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from stadsdel.jobs import services


class Command(BaseCommand):
    help = "Run background tasks (report recomputation, imports) from the database queue until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5,
                            help="Seconds between looks at the queue when it is empty (default 0.5).")
        parser.add_argument("--batch", action="store_true", help="Run the queued tasks, then stop.")

    def handle(self, *args, **options):
        worker_id = f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        host, pid = socket.gethostname(), os.getpid()
        services.beat(worker_id, host=host, pid=pid)
        dead = services.fail_dead_tasks()
        if dead and options["verbosity"]:
            self.stdout.write(f"Marked {len(dead)} task(s) of stopped workers as failed.")
        services.uploads_prune()
        stop = threading.Event()
        interval = max(1.0, settings.STADSDEL_WORKER_TIMEOUT_SECONDS / 6)

        def heartbeat():
            # Beats while a long task runs, from a thread with its own database connection; and
            # once an hour removes the uploaded files no task will read again.
            pruned = time.monotonic()
            while not stop.wait(interval):
                try:
                    services.beat(worker_id, host=host, pid=pid)
                    services.fail_dead_tasks()
                    if time.monotonic() - pruned > 3600:
                        pruned = time.monotonic()
                        services.uploads_prune()
                except Exception:
                    pass
                finally:
                    close_old_connections()
            connection.close()

        thread = threading.Thread(target=heartbeat, daemon=True, name="worker-heartbeat")
        thread.start()
        if options["verbosity"]:
            self.stdout.write(f"Worker {worker_id} waiting for tasks.")
        worker = Worker(queue_names=["default"], interval=options["interval"], batch=options["batch"],
                        backend_name="default", startup_delay=False, max_tasks=None, worker_id=worker_id,
                        excluded_queue_names=[])
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
