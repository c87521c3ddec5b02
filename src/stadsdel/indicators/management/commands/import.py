"""`stadsdel import FILE [FILE …] --format csv|xlsx|pxweb|kolada [--indicator CODE] [--dry-run]`.

Several files are imported one after the other, each as `stadsdel import` imports one (its own
transaction and import batch: all of the file or none of it). The first file refused stops the
command (exit 2, naming the file, row and field); the files before it stay imported, and the
command says which. On a terminal a bar shows how many files are done; in CI or into a pipe the
command writes its step lines instead."""

from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.core.progress import TerminalBar
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.importers.kolada import fetch_kolada
from stadsdel.indicators.services.imports import FORMATS, observations_import


class Command(BaseCommand):
    help = "Import observations from a CSV/Excel file, an SCB json-stat2 response or a Kolada response."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="+")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--indicator", help="Catalogue code the json-stat2 content is (required for pxweb).")
        parser.add_argument("--content", help="The json-stat2 content code to import when the response has several.")
        parser.add_argument("--url", help="Fetch the file first (PxWeb: POST the query in FILE; Kolada: GET, following pages).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")

    def handle(self, *args, **options):
        paths: list[Path] = options["file"]
        if options["url"] and len(paths) > 1:
            raise bad_input("--url fetches one file: give one FILE with it")
        bar = TerminalBar(self.stderr, total=len(paths))
        imported: list[str] = []
        try:
            for number, path in enumerate(paths):
                bar.advance(number, path.name)
                try:
                    if options["url"]:
                        path = _fetch(options["url"], path, options["format"])
                    outcome = observations_import(
                        path=path, fmt=options["format"], indicator=options["indicator"], content=options["content"],
                        dry_run=options["dry_run"],
                        progress=(lambda msg: self.stderr.write(msg)) if bar.lines else bar.step,
                    )
                except ImportFileError as exc:
                    bar.close()
                    before = f"\n(imported before it: {', '.join(imported)})" if imported else ""
                    raise bad_input(f"{exc}{before}") from exc
                batch = f" (import {outcome.batch.pk})" if outcome.batch else ""
                bar.close()
                self.stdout.write(f"{path.name}: {outcome.summary()}{batch}")
                imported.append(path.name)
                bar.advance(number + 1, path.name)
        finally:
            bar.close()


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
