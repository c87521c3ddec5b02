"""The background worker as tests run it (tests/jobs, tests/followup)."""

from __future__ import annotations

from django_tasks_db.management.commands import db_worker


def run_worker() -> None:
    """What `stadsdel worker --batch` does, inside this test's transaction (the worker's check for
    stale connections would close the test's own connection on PostgreSQL)."""
    saved = db_worker.close_old_connections
    db_worker.close_old_connections = lambda: None
    try:
        db_worker.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                         startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run()
    finally:
        db_worker.close_old_connections = saved
