"""`stadsdel import FILE --format csv|xlsx|pxweb|kolada [--indicator CODE] [--dry-run]`."""

from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.importers.kolada import fetch_kolada
from stadsdel.indicators.services.imports import FORMATS, observations_import


class Command(BaseCommand):
    help = "Import observations from a CSV/Excel file, an SCB json-stat2 response or a Kolada response."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--indicator", help="Catalogue code the json-stat2 content is (required for pxweb).")
        parser.add_argument("--content", help="The json-stat2 content code to import when the response has several.")
        parser.add_argument("--url", help="Fetch the file first (PxWeb: POST the query in FILE; Kolada: GET, following pages).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            if options["url"]:
                path = _fetch(options["url"], path, options["format"])
            outcome = observations_import(
                path=path, fmt=options["format"], indicator=options["indicator"], content=options["content"],
                dry_run=options["dry_run"],
                progress=lambda msg: self.stderr.write(msg),
            )
        except ImportFileError as exc:
            raise bad_input(str(exc)) from exc
        batch = f" (import {outcome.batch.pk})" if outcome.batch else ""
        self.stdout.write(f"{path.name}: {outcome.summary()}{batch}")


def _fetch(url: str, path: Path, fmt: str) -> Path:
    """Fetch live data into a temporary file and return its path; the import then reads it as usual."""
    import json
    import tempfile
    import urllib.request

    if fmt == "kolada":
        pages = fetch_kolada(url)
        body = json.dumps(pages).encode()
    elif fmt == "pxweb":
        query = path.read_bytes() if path.is_file() else None
        request = urllib.request.Request(url, data=query, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                body = response.read()
        except OSError as exc:
            raise bad_input(f"{url}: {exc}") from exc
    else:
        raise bad_input("--url works with --format pxweb or kolada")
    out = Path(tempfile.mkdtemp()) / f"fetched.{'json'}"
    out.write_bytes(body)
    return out
