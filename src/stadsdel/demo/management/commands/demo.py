"""`stadsdel demo [--no-serve]`: build the demo database and serve it."""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.core.progress import TerminalBar
from stadsdel.demo.builder import DEMO_STEPS, demo_build
from stadsdel.demo.logins import ADMIN_USERNAME, DEMO_PASSWORD
from stadsdel.followup.precompute import changes_held


def start_worker() -> subprocess.Popen:
    """`stadsdel worker` in a process of its own, on the same database (the environment)."""
    return subprocess.Popen([sys.executable, "-m", "stadsdel.cli", "worker", "--verbosity", "0"])


class Command(BaseCommand):
    help = "Build the demo database (migrate, seeds, synthetic data, one login per role) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Build the demo database and exit.")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="Where to serve (default 127.0.0.1:8000).")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise bad_input(
                "The demo creates logins with a known password; it refuses to run with DJANGO_ENV=production.")
        db = settings.DATABASES["default"]
        self.stdout.write(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
        # The build's thousands of writes count as one change of the reports' data, at the end:
        # the worker started below then computes every report once.
        # On a terminal a bar of the build's steps with the one under way; in CI or a pipe its
        # lines, one per step.
        bar = TerminalBar(self.stdout, total=DEMO_STEPS)
        started = 0

        def progress(message: str) -> None:
            nonlocal started
            if bar.lines:
                self.stdout.write(message)
            elif message.startswith("  "):
                bar.step(message.strip())
            else:
                bar.advance(started, message)
                started += 1

        try:
            with changes_held():
                logins = demo_build(progress=progress)
        finally:
            bar.close()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        self.stdout.write(f"  {ADMIN_USERNAME:<18} administratör (admin-sidorna /admin/)")
        for login in logins:
            self.stdout.write(f"  {login.username:<18} {login.role:<17} {login.description}")
        if options["no_serve"]:
            return
        self.stdout.write(self.style.SUCCESS(f"\nServing on http://{options['addrport']}/  (Ctrl-C stops)"))
        # The background worker beside the web server, as production runs it: reports are
        # recomputed there after a change, imports run there.
        worker = start_worker()
        self.stdout.write(f"Background worker started (process {worker.pid}).")
        # The served demo is what people try the product with: a wrong address or a failure
        # shows the product's own 404 and 500 pages, never Django's debug page with its settings
        # and traceback. Static files still come from the apps (WhiteNoise with finders).
        settings.DEBUG = False
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
