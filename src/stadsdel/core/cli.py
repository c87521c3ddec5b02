"""The command line's one rule for bad input: a refused file or value, or a usage error, exits
with status 2 (like argparse) and a message naming the file, row or option; 1 is left to
unexpected failures. The README's command-line section states the rule."""

from __future__ import annotations

from django.core.management.base import CommandError

INPUT_ERROR = 2


def bad_input(message: str) -> CommandError:
    """The error a command raises for bad input: `raise bad_input(f"{path}: …") from exc`."""
    return CommandError(message, returncode=INPUT_ERROR)
