"""`stadsdel districts [--json] [--agreement-year YEAR]`: list districts, with source issues."""

import json

from django.core.management.base import BaseCommand

from stadsdel.agreements.models import Agreement
from stadsdel.agreements.selectors import districts_in_force
from stadsdel.areas.selectors import district_export, district_list


class Command(BaseCommand):
    help = "List districts with their municipality, code system, area codes and recorded source issues."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print a JSON array.")
        parser.add_argument("--agreement-year", type=int, help="Only districts under an agreement in force that year.")

    def handle(self, *args, **options):
        year = options["agreement_year"]
        # The command line works with direct database access, so it reads nationally: every
        # agreement counts, whatever its status.
        districts = district_list() if year is None else districts_in_force(agreements=Agreement.objects.all(), year=year)
        rows = district_export(districts)
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            codes = row["codes"]
            summary = f"{len(codes)} {row['code_system']} areas" if codes else "no areas"
            self.stdout.write(f"{row['name']} ({row['municipality']} {row['municipality_code']}): {summary}")
            for issue in row["issues"]:
                self.stdout.write(self.style.WARNING(f"    ! {issue}"))
        self.stdout.write(f"{len(rows)} districts")
