"""`stadsdel stats show --indicator CODE (--area CODE | --district NAME | --municipality CODE)
[--year Y] [--sex T] --json`: print stored observations."""

import json

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.indicators.selectors import (
    UnitNotFound,
    district_by_name,
    indicator_get,
    observation_export,
    observation_list,
)


class Command(BaseCommand):
    help = "Show stored statistics."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="Observations of one unit as JSON.")
        show.add_argument("--indicator", required=True)
        unit = show.add_mutually_exclusive_group(required=True)
        unit.add_argument("--area")
        unit.add_argument("--district")
        unit.add_argument("--municipality")
        show.add_argument("--year", type=int)
        show.add_argument("--sex", choices=["T", "K", "M"])
        show.add_argument("--json", action="store_true", help="Print a JSON array (the default output).")

    def handle(self, *args, **options):
        try:
            indicator = indicator_get(code=options["indicator"])
            district = district_by_name(options["district"]) if options["district"] else None
        except UnitNotFound as exc:
            raise bad_input(str(exc)) from exc
        observations = observation_list(
            indicator=indicator, area=options["area"], district=district, municipality=options["municipality"],
            year=options["year"], sex=options["sex"],
        ).select_related("indicator", "district")
        self.stdout.write(json.dumps(observation_export(observations), ensure_ascii=False))
