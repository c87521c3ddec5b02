"""`stadsdel seeds load`: load (or reload, idempotently) the seed registry."""

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.seeds.loader import SeedDataError, seeds_load


class Command(BaseCommand):
    help = "Work with the seed registry derived from the source documents."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Load or reload the seed registry (idempotent, atomic).")

    def handle(self, *args, action, **options):
        if action == "load":
            try:
                report = seeds_load(progress=lambda msg: self.stdout.write(msg))
            except SeedDataError as exc:
                raise bad_input(str(exc)) from None
            for line in report.lines():
                self.stdout.write(f"  {line}")
            self.stdout.write(self.style.SUCCESS("Seed registry loaded." if report.changed else "Seed registry unchanged."))
