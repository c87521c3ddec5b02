"""`stadsdel index …`: compute a social risk index from files or from the database, run the
sensitivity analysis, and load model versions.

    stadsdel index compute --input DATA.csv --model-file MODEL.json [--groups GROUPS.csv] --json
    stadsdel index compute --model NAME [--version N] --year Y [--level district] --json
    stadsdel index sensitivity (--input … --model-file … | --model NAME) --year Y [--draws 1000] [--seed 0]
    stadsdel index typology [--year Y] [--municipality CODE] [--cutoffs 2,1,0,-1] --json
    stadsdel index model load FILE.json

The file form needs no database. Malformed input exits with status 2 and a message naming the
file and the row or field.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.core.progress import TerminalBar
from stadsdel.indices.files import data_file_read, groups_file_read, model_file_read
from stadsdel.indices.selectors import IndexModelNotFound, index_model_get, index_run, typology_run
from stadsdel.indices.services import index_model_load
from stadsdel.lib.index import IndexInputError, index_compute, sensitivity_analyse


class Command(BaseCommand):
    help = "Compute social risk indices, analyse their sensitivity, load index models."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, helptext in (("compute", "Compute an index: one JSON object per unit and year."),
                               ("sensitivity", "Monte Carlo over weights and normalisations for one year.")):
            action = sub.add_parser(name, help=helptext)
            action.add_argument("--input", type=Path, help="DATA.csv: area,year,indicator,numerator,denominator")
            action.add_argument("--model-file", type=Path, help="MODEL.json")
            action.add_argument("--groups", type=Path, help="GROUPS.csv: area,group (the units are then the groups)")
            action.add_argument("--model", help="The name of an index model in the database.")
            action.add_argument("--version", type=int, help="The model version (default: the active one).")
            action.add_argument("--year", type=int, help="Only this year (required for sensitivity).")
            action.add_argument("--level", choices=["district", "committee_area", "area"], default="district",
                                help="Units when reading the database (default: district).")
            action.add_argument("--code-system", help="Area code system when reading the database (default: the one with most figures).")
            action.add_argument("--json", action="store_true", help="Print JSON (the default output).")
            if name == "sensitivity":
                action.add_argument("--draws", type=int, default=1000)
                action.add_argument("--seed", type=int, default=0)
                action.add_argument("--concentration", type=float, default=20.0,
                                    help="Dirichlet concentration around the model's weights (higher = closer).")
                action.add_argument("--threshold", type=float, default=100.0,
                                    help="Priority selection: units above this index in the year.")
        typology = sub.add_parser("typology", help="SCB's socio-economic area types (1-5) from stored V1-V3 figures.")
        typology.add_argument("--year", type=int, help="Default: the latest year with all three variables.")
        typology.add_argument("--municipality", help="Classify one municipality's areas against their own mean.")
        typology.add_argument("--code-system", help="Default: the one with most figures.")
        typology.add_argument("--cutoffs", default="2,1,0,-1",
                              help="Where types 1-4 begin, in standard deviations from the mean (default 2,1,0,-1).")
        typology.add_argument("--json", action="store_true", help="Print JSON (the default output).")
        model = sub.add_parser("model", help="Index model versions.")
        model_sub = model.add_subparsers(dest="model_action", required=True)
        load = model_sub.add_parser("load", help="Save a model file as a new version (unless it computes as the latest does).")
        load.add_argument("file", type=Path)

    def handle(self, *args, **options):
        try:
            if options["action"] == "model":
                return self.model_load(options["file"])
            if options["action"] == "typology":
                return self.typology(options)
            result, label = self.compute(options)
            if options["action"] == "compute":
                out = result.records()
            else:
                if options["year"] is None:
                    raise IndexInputError("--year is required for the sensitivity analysis")
                # A bar of the draws on a terminal; nothing in CI or a pipe.
                bar = TerminalBar(self.stderr, total=options["draws"])
                try:
                    analysis = sensitivity_analyse(
                        result, year=options["year"], draws=options["draws"], seed=options["seed"],
                        concentration=options["concentration"], threshold=options["threshold"],
                        progress=lambda done, _total: bar.advance(done, "draws"),
                    )
                finally:
                    bar.close()
                out = {
                    "model": label, "year": analysis.year, "draws": analysis.draws, "seed": analysis.seed,
                    "concentration": analysis.concentration, "normalisations": list(analysis.normalisations),
                    "selected_count": analysis.selected_count, "units": analysis.rows(),
                }
        except IndexInputError as exc:
            raise bad_input(str(exc)) from exc
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    def compute(self, options):
        from_files = options["input"] is not None or options["model_file"] is not None
        if from_files:
            if options["model"] is not None:
                raise IndexInputError("give either --input with --model-file, or --model, not both")
            if options["input"] is None or options["model_file"] is None:
                raise IndexInputError("--input and --model-file go together")
            spec = model_file_read(options["model_file"])
            panel = data_file_read(options["input"], model=spec)
            groups = groups_file_read(options["groups"]) if options["groups"] else None
            self._warn_unused(spec, panel, groups)
            years = [options["year"]] if options["year"] is not None else None
            if years is not None and options["year"] not in panel.years:
                raise IndexInputError(f"{options['input'].name}: no data for {options['year']}")
            return index_compute(spec, panel, groups=groups, years=years), spec.name
        if options["model"] is None:
            raise IndexInputError("give --input and --model-file, or --model NAME")
        if options["groups"] is not None:
            raise IndexInputError("--groups goes with --input; from the database use --level")
        try:
            model = index_model_get(name=options["model"], version=options["version"])
        except IndexModelNotFound as exc:
            raise IndexInputError(str(exc)) from exc
        years = [options["year"]] if options["year"] is not None else None
        run = index_run(model=model, years=years, level=options["level"], code_system=options["code_system"])
        return run.result, str(model)

    def _warn_unused(self, spec, panel, groups) -> None:
        absent = [c for c in spec.codes if c not in panel.codes]
        if absent:
            print(f"warning: no data for {', '.join(absent)}; those sub-indices are missing", file=sys.stderr)
        if groups:
            known = set(panel.areas)
            unknown = sorted({a for members in groups.values() for a in members} - known)
            if unknown:
                shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
                print(f"warning: {len(unknown)} area(s) of the groups have no data: {shown}", file=sys.stderr)

    def typology(self, options) -> None:
        try:
            cutoffs = [float(x) for x in options["cutoffs"].split(",")]
        except ValueError:
            raise IndexInputError(f"--cutoffs: {options['cutoffs']!r} is not a list of numbers like 2,1,0,-1") from None
        run = typology_run(year=options["year"], municipality=options["municipality"],
                           code_system=options["code_system"], cutoffs=cutoffs)
        result = run.result
        self.stdout.write(json.dumps({
            "year": run.year, "code_system": run.code_system, "municipality": run.municipality,
            "mean": result.mean, "sd": result.sd, "ddof": result.ddof, "cutoffs": list(result.cutoffs),
            "areas": [
                {"area": a.area, "municipality": run.area_names.get(a.area), "districts": run.area_districts.get(a.area, []),
                 "v1": a.v1, "v2": a.v2, "v3": a.v3, "index": a.index, "sds_from_mean": a.sds_from_mean,
                 "type": a.type, "type_name": a.name}
                for a in result.rows()
            ],
        }, ensure_ascii=False))

    def model_load(self, path: Path) -> None:
        model, created = index_model_load(path=path)
        # Not "unchanged": the description, sources and English names of the same computation
        # are taken from the file in place (`index_model_save`).
        self.stdout.write(f"{model}: " + ("saved as a new version" if created else
                                          "the same computation, no new version"))
