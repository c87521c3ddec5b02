"""`stadsdel evaluate`: estimate an intervention's effect from a panel file, without a database.

    stadsdel evaluate --method did|synth --input PANEL.csv --treated NAME[,NAME…] --start YEAR \
        --outcome CODE --json

PANEL.csv has the columns `unit,year,indicator,value`. Every unit not treated is in the
comparison pool (DiD) or the donor pool (synthetic control). With `--json` the last line of
stdout is one JSON object: method, effect, ci_low, ci_high, p_value, pre_fit_rmspe, per_year,
warnings and, for synth, donor_weights (the README describes each field). Without `--json` the
warnings come first, before the estimate. Malformed input, an unknown unit or a design too thin
for the method exits with status 2 and a message on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.lib.evaluation import (
    DesignRefused,
    EvaluationInputError,
    did_estimate,
    panel_csv_read,
    synth_estimate,
)


class Command(BaseCommand):
    help = "Estimate an intervention's effect by difference-in-differences or synthetic control."
    # The file form needs no database: no checks that could open a connection.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--method", choices=["did", "synth"], required=True)
        parser.add_argument("--input", type=Path, required=True, help="PANEL.csv: unit,year,indicator,value")
        parser.add_argument("--treated", required=True, help="The treated unit(s), comma-separated.")
        parser.add_argument("--start", type=int, required=True, help="The first year of the intervention.")
        parser.add_argument("--outcome", required=True, help="The indicator code to evaluate.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        treated = [t.strip() for t in options["treated"].split(",") if t.strip()]
        try:
            if not treated:
                raise EvaluationInputError("--treated: give at least one unit")
            panel = panel_csv_read(options["input"], outcome=options["outcome"], name=str(options["input"]))
            if options["method"] == "did":
                result = did_estimate(panel, treated=treated, start=options["start"])
            else:
                if len(treated) != 1:
                    raise EvaluationInputError("--treated: synthetic control takes exactly one treated unit "
                                               f"(got {len(treated)}); use --method did for several")
                result = synth_estimate(panel, treated=treated[0], start=options["start"])
        except DesignRefused as exc:
            raise bad_input(f"refused: {exc}") from exc
        except EvaluationInputError as exc:
            raise bad_input(str(exc)) from exc
        out = result.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, allow_nan=False))
            return
        self.stdout.write(self._text(out))

    @staticmethod
    def _text(out: dict) -> str:
        def fmt(x):
            return "–" if x is None else f"{x:.4g}"

        # The warnings first: whoever reads only the top must not take the number at face value.
        lines = [f"warning ({w['code']}): {w['message']}" for w in out["warnings"]]
        lines += [f"method: {out['method']}",
                 f"effect (mean over the post years): {fmt(out['effect'])} "
                 f"[{fmt(out['ci_low'])}, {fmt(out['ci_high'])}], p = {fmt(out['p_value'])}",
                 f"pre-period fit (RMSPE): {fmt(out['pre_fit_rmspe'])}"]
        lines += [f"  {r['year']}: {fmt(r['effect'])} [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]" for r in out["per_year"]]
        for unit, weight in sorted(out.get("donor_weights", {}).items(), key=lambda kv: -(kv[1] or 0)):
            if weight and weight >= 0.001:
                lines.append(f"  weight {unit}: {weight:.3f}")
        return "\n".join(lines)
