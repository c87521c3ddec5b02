"""`stadsdel synth --persons N [--years 2006-2012] [--seed S] --out DIR [--surrounding K]`:
write synthetic register person-years (Parquet) over the districts' real SAMS codes, and the
areas' reported crimes (`crimes.csv`, importable with `stadsdel import --format csv`)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stadsdel.core.cli import bad_input
from stadsdel.demo.selectors import synth_areas
from stadsdel.demo.synth import parse_years, synth_generate


class Command(BaseCommand):
    help = (
        "Write synthetic, pseudonymised person-years as Parquet over the districts' SAMS areas "
        "(risk 1) and K surrounding areas per municipality, and the areas' reported crimes as "
        "crimes.csv; deterministic for a seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, required=True, help="Number of persons (rows = persons × years).")
        parser.add_argument("--years", default="2006-2012", help="A year or a range, e.g. 2006-2012 (default).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1); same seed, same data.")
        parser.add_argument("--out", required=True, help="Output directory (created if missing).")
        parser.add_argument(
            "--surrounding", type=int, default=4,
            help="Surrounding (non-district) areas per municipality with districts (default 4).",
        )

    def handle(self, *args, **options):
        persons = options["persons"]
        if persons < 1:
            raise bad_input(f"--persons must be at least 1, not {persons}")
        if options["seed"] < 0:
            raise bad_input(f"--seed must be 0 or more, not {options['seed']}")
        if options["surrounding"] < 0:
            raise bad_input(f"--surrounding must be 0 or more, not {options['surrounding']}")
        try:
            years = parse_years(options["years"])
        except ValueError as exc:
            raise bad_input(f"--years: {exc}") from None
        out = Path(options["out"]).expanduser()
        _check_writable(out)

        try:
            areas = synth_areas(surrounding=options["surrounding"], seed=options["seed"])
        except LookupError as exc:  # no districts yet: run `stadsdel seeds load` first
            raise bad_input(str(exc)) from None
        districts = {a.district for a in areas if a.district}
        municipalities = {a.municipality_code for a in areas}
        self.stdout.write(
            f"{len(areas)} areas ({sum(1 for a in areas if a.district)} in {len(districts)} districts, "
            f"{len(municipalities)} municipalities); {_thousands(persons)} persons × {len(years)} years "
            f"({years[0]}–{years[-1]}), seed {options['seed']}"
        )
        try:
            result = synth_generate(
                areas=areas, persons=persons, years=years, seed=options["seed"], out_dir=out,
                progress=self.stdout.write,
            )
        except ValueError as exc:
            raise bad_input(str(exc)) from exc
        except OSError as exc:
            # The directory was checked writable: a failure now (a full disk) is not the input's.
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{_thousands(result.rows)} rows, {result.areas} areas, {len(result.files)} files and "
            f"{result.crimes.name} ({_thousands(result.crime_rows)} rows of reported crimes) in "
            f"{result.seconds:.1f} s → {result.out_dir}"
        ))



def _check_writable(out: Path) -> None:
    """Fail before generating anything if DIR cannot hold the files."""
    if out.exists() and not out.is_dir():
        raise bad_input(f"--out {out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise bad_input(f"--out {out}: not writable ({exc.strerror or exc})") from None


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")
