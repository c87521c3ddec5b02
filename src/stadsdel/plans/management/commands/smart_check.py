"""`stadsdel smart-check`: the SMART check of one goal, from files, without a database.

    stadsdel smart-check GOAL.json [--data DATA.csv] [--lang sv|en] [--percentile 90] [--min-changes 10] --json

Prints one JSON object, {"S": {"result": …, "reason": …}, "M": …, "A": …, "R": …, "T": …}. Without
--data the history is empty, so M fails and R is unknown. Malformed input exits with status 2 and
a message naming the file and the field or row. The rules are in `stadsdel.plans.compute`.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.plans.compute import (
    LANGS,
    SmartInputError,
    goal_from_json,
    history_from_csv,
    smart_check,
)


def _read_text(path: Path) -> str:
    try:
        # utf-8-sig: spreadsheets save UTF-8 with a byte-order mark.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SmartInputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise SmartInputError(f"{path.name}: not UTF-8 text") from None
    except OSError as exc:
        raise SmartInputError(f"{path}: cannot be read ({exc.strerror})") from None


class Command(BaseCommand):
    help = "Check one goal against the SMART rules: per letter, pass or fail and why."
    # The command reads only files; it must run where no database or full configuration is
    # reachable, so Django's system checks (which concern the web app) are not its business.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("goal", type=Path, help="GOAL.json")
        parser.add_argument("--data", type=Path, help="DATA.csv: district,year,indicator,value (the history)")
        parser.add_argument("--lang", choices=LANGS, default="sv", help="Language of the reasons (default sv).")
        parser.add_argument("--percentile", type=float, default=90.0,
                            help="Realistic means no more than this percentile of observed changes (default 90).")
        parser.add_argument("--min-changes", type=int, default=10,
                            help="Fewer observed yearly changes than this make R unknown (default 10).")
        parser.add_argument("--json", action="store_true", help="Print JSON (the default output).")

    def handle(self, *args, **options):
        goal_path: Path = options["goal"]
        data_path: Path | None = options["data"]
        try:
            text = _read_text(goal_path)
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                raise SmartInputError(f"{goal_path.name}: not valid JSON ({exc})") from None
            except (ValueError, RecursionError):
                # json's answer to an integer of more than 4300 digits, or to nesting deeper
                # than Python's recursion limit.
                raise SmartInputError(
                    f"{goal_path.name}: not valid JSON (a number is too long or the nesting too deep)") from None
            goal = goal_from_json(document, source=goal_path.name)
            history = history_from_csv(_read_text(data_path), source=data_path.name) if data_path else []
            results = smart_check(goal, history, lang=options["lang"], percentile=options["percentile"],
                                  min_changes=options["min_changes"])
        except SmartInputError as exc:
            raise bad_input(str(exc)) from exc
        self.stdout.write(json.dumps({letter: r.as_dict() for letter, r in results.items()}, ensure_ascii=False))
