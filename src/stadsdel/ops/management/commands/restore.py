"""`stadsdel restore FILE`: replace the whole database and the uploaded files with a backup (see
stadsdel.ops.backup)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from stadsdel.core.cli import bad_input
from stadsdel.ops.backup import BackupError, backup_read_header, backup_restore


class Command(BaseCommand):
    help = (
        "Replace everything in the database with the backup in FILE, in one transaction, and put its "
        "uploaded files back: the file's schema version must be the database's and every checksum must "
        "match, or nothing is changed (exit status 2). Everyone is signed out. Without a terminal to "
        "confirm on, --noinput is required."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by `stadsdel backup`.")
        parser.add_argument("--database", default="default", help="The database to restore into (default: default).")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, file, database, interactive, **options):
        self.stdout.write(f"Reading {file}")
        try:
            header = backup_read_header(file)
        except BackupError as exc:
            raise bad_input(str(exc)) from None
        self.stdout.write(
            f"Backup of {header.get('created', '?')} from {header.get('database', '?')}: "
            f"{header.get('objects', '?')} objects"
        )
        if interactive:
            answer = self._confirm(
                f"This replaces everything in database '{database}' with the backup. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.", returncode=1)
        try:
            header = backup_restore(file, using=database, progress=self.stdout.write)
        except BackupError as exc:
            raise bad_input(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {header['objects']} objects from {file}."))

    @staticmethod
    def _confirm(question: str) -> str:
        # A script or a service (stdin not a terminal: at its end, or closed) cannot answer; say
        # how to run without the question rather than fail on the read.
        no_terminal = bad_input(
            "There is no terminal to confirm the restore on; nothing was changed. Run it with --noinput "
            "to restore without asking.")
        try:
            terminal = sys.stdin is not None and sys.stdin.isatty()
        except (OSError, ValueError):  # a closed stream
            terminal = False
        if not terminal:
            raise no_terminal
        try:
            return input(question)
        except EOFError:
            raise no_terminal from None
