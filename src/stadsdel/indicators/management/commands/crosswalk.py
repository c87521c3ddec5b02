"""`stadsdel crosswalk load FILE [--dry-run]`: a from_code,to_code,weight key between code systems."""

from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.services.crosswalks import crosswalk_load


class Command(BaseCommand):
    help = "Load a crosswalk between code systems and map the from-system's counts onto the to-system."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load")
        load.add_argument("file", type=Path)
        load.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        try:
            crosswalk, outcome = crosswalk_load(
                path=options["file"], dry_run=options["dry_run"], progress=lambda msg: self.stderr.write(msg),
            )
        except ImportFileError as exc:
            raise bad_input(str(exc)) from exc
        name = str(crosswalk) if crosswalk else "crosswalk (dry run)"
        self.stdout.write(f"{name}: mapped figures {outcome.summary()}")
