"""`stadsdel report followup --municipality CODE --year Y --format html|pdf|xlsx -o FILE` and
`stadsdel report national --year Y --format html|pdf|xlsx -o FILE [--internal]`.

The national report is the public version unless `--internal` asks for the ministry's (which also
counts submitted plans that are not published)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.areas.models import Municipality
from stadsdel.core.cli import bad_input
from stadsdel.followup import render
from stadsdel.followup.content import followup_content, national_content


class Command(BaseCommand):
    help = "Write a follow-up or national report as HTML, PDF or Excel."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        for name in ("followup", "national"):
            p = sub.add_parser(name)
            if name == "followup":
                p.add_argument("--municipality", required=True, help="Municipality code, e.g. 0136.")
            p.add_argument("--year", type=int, required=True)
            p.add_argument("--format", choices=["html", "pdf", "xlsx"], required=True)
            p.add_argument("-o", "--output", type=Path, required=True)
            p.add_argument("--internal", action="store_true",
                           help="The ministry's version: submitted plans and reports count even if unpublished.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        public = not options["internal"]
        self.stderr.write("Sammanställer rapporten …")
        if options["kind"] == "national":
            content = national_content(year=options["year"], public=public)
            if not content.districts:
                raise bad_input(f"no district is under an agreement in force in {options['year']}")
            write = {"html": render.national_html, "pdf": render.national_pdf, "xlsx": render.national_xlsx}
        else:
            try:
                municipality = Municipality.objects.get(code=options["municipality"])
            except Municipality.DoesNotExist:
                raise bad_input(f"no municipality {options['municipality']!r}") from None
            content = followup_content(municipality=municipality, year=options["year"], public=public)
            write = {"html": render.followup_html, "pdf": render.followup_pdf, "xlsx": render.followup_xlsx}
        self.stderr.write(f"Skriver {options['format'].upper()} …")
        data = write[options["format"]](content)
        path: Path = options["output"]
        if path.parent and not path.parent.exists():
            raise bad_input(f"{path.parent}: no such directory")
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        self.stderr.write(f"{path} ({path.stat().st_size:,} byte) på {time.perf_counter() - started:.1f} s".replace(",", " "))
