"""`stadsdel microdata aggregate PATH --code-system SAMS|DeSO [--min-cell 5] [--dry-run]`."""

from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.indicators.services.microdata import microdata_aggregate
from stadsdel.lib.microdata import MicrodataError


class Command(BaseCommand):
    help = "Aggregate pseudonymised register person-years (Parquet or CSV) to areas, districts and municipalities."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        agg = sub.add_parser("aggregate", help="Aggregate with disclosure control and store the cells.")
        agg.add_argument("path", type=Path, help="A Parquet or CSV file, a directory of them, or a glob.")
        agg.add_argument("--code-system", required=True, help="The code system of area_code: SAMS or DeSO.")
        agg.add_argument("--min-cell", type=int, default=5, help="Smallest publishable count (default 5).")
        agg.add_argument("--dry-run", action="store_true")
        agg.add_argument(
            "--national", action="store_true",
            help="The extract covers whole counties (the national register): also write county and country figures.",
        )

    def handle(self, *args, **options):
        try:
            outcome, result = microdata_aggregate(
                path=options["path"], code_system=options["code_system"], min_cell=options["min_cell"],
                dry_run=options["dry_run"], national=options["national"], progress=lambda msg: self.stderr.write(msg),
            )
        except MicrodataError as exc:
            raise bad_input(str(exc)) from exc
        self.stdout.write(
            f"{result.rows} person-years → {len(result.cells)} cells "
            f"({result.primary_suppressed} suppressed, {result.secondary_suppressed} by secondary suppression); "
            f"{outcome.summary()}" + (f" (import {outcome.batch.pk})" if outcome.batch else "")
        )
