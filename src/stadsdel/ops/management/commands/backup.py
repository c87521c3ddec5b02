"""`stadsdel backup FILE`: the whole database and the uploaded files into one file (see
stadsdel.ops.backup)."""

from django.core.management.base import BaseCommand

from stadsdel.core.cli import bad_input
from stadsdel.ops.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Write the whole database (every app's records, change histories, users, sign-in logs; not "
        "sessions) and every uploaded file the records refer to (fund application attachments) to FILE, "
        "gzip-compressed, with a header naming the schema version and SHA-256 checksums of the rows and "
        "of each file. FILE appears only when it is complete."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file to write, e.g. stadsdel-2025-01-31.json.gz")
        parser.add_argument("--database", default="default", help="The database to back up (default: default).")

    def handle(self, *args, file, database, **options):
        self.stdout.write(f"Backing up database '{database}' to {file}")
        try:
            header = backup_write(file, using=database, progress=self.stdout.write)
        except (BackupError, OSError) as exc:
            raise bad_input(str(exc)) from None
        if header["files_missing"]:
            self.stderr.write(self.style.WARNING(
                f"{len(header['files_missing'])} uploaded file(s) the database refers to were missing and are not "
                "in the backup: " + ", ".join(header["files_missing"])
            ))
        self.stdout.write(self.style.SUCCESS(
            f"Backup written: {file} ({header['objects']} objects, {len(header['files'])} uploaded file(s), "
            f"sha256 {header['sha256']})"
        ))
