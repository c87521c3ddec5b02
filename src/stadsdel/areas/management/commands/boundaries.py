"""`stadsdel boundaries load FILE.geojson --code-system DeSO --code-field deso [--dry-run]`: one
boundary per statistical area from a GeoJSON FeatureCollection (WGS84 longitude/latitude).
`--code-system Kommun --code-field id` (or `Län`) loads municipality (county) outlines instead,
e.g. the shipped `areas/data/swedish_municipalities.geojson`.

A file with faults exits with status 2 and a message naming the file, the feature and the code;
nothing is written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.areas.services import boundaries_load
from stadsdel.core.cli import bad_input
from stadsdel.lib.geojson import GeoJSONError


class Command(BaseCommand):
    help = "Load area boundaries (the maps' shapes) from a GeoJSON file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load one boundary per feature; replaces an area's earlier boundary.")
        load.add_argument("file", type=Path, help="FILE.geojson: a FeatureCollection of Polygons/MultiPolygons")
        load.add_argument("--code-system", required=True, help="The areas' code system, e.g. DeSO or SAMS; Kommun or Län for "
                               "municipality or county outlines.")
        load.add_argument("--code-field", required=True,
                          help="The property holding the area code, e.g. deso (SCB's DeSO file).")
        load.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")

    def handle(self, *args, **options):
        try:
            outcome = boundaries_load(
                path=options["file"], code_system=options["code_system"], code_field=options["code_field"],
                dry_run=options["dry_run"], progress=lambda msg: self.stderr.write(msg),
            )
        except GeoJSONError as exc:
            raise bad_input(str(exc)) from exc
        self.stdout.write(f"{options['file'].name}: {outcome.summary()}")
