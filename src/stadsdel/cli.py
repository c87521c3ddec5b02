"""The `stadsdel` command: Django's management commands plus the project's own.

`stadsdel sams-expand …` runs the management command `sams_expand`: hyphens in the first word are
accepted so the command line reads naturally. Works from any directory, because settings come from
the installed package and the environment, not from the working directory.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadsdel.config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "stadsdel"
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            # Django exits 1 on an unknown command; it is a usage error like any other, and
            # bad input exits 2 in every `stadsdel` command (README, "The command line").
            try:
                return super().fetch_command(subcommand)
            except SystemExit as exc:
                raise SystemExit(2 if exc.code == 1 else exc.code) from None

    Utility(argv).execute()


if __name__ == "__main__":
    main()
