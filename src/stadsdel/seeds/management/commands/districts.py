"""`stadsdel districts [--json] [--agreement-year YEAR]`: list districts, with source issues."""

import json

from django.core.management.base import BaseCommand

from stadsdel.areas.selectors import district_export, district_list


class Command(BaseCommand):
    help = "List districts with their municipality, code system, area codes and recorded source issues."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print a JSON array.")
        parser.add_argument("--agreement-year", type=int, help="Only districts under an agreement in force that year.")

    def handle(self, *args, **options):
        rows = district_export(district_list(agreement_year=options["agreement_year"]))
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
