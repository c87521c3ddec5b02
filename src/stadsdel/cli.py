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
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
