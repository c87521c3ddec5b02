"""`stadsdel sams-expand NOTATION`: expand the compact SAMS notation, one code per line."""

import sys

from django.core.management.base import BaseCommand

from stadsdel.lib.sams import SamsNotationError, expand_sams


class Command(BaseCommand):
    help = 'Expand a compact SAMS code list, e.g. "12800109-10,234-35,44".'
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("notation")

    def handle(self, *args, notation, **options):
        try:
            codes = expand_sams(notation)
        except SamsNotationError as exc:
            # Contract: nothing on stdout, the faulty fragment on stderr, exit status 2.
            sys.stderr.write(f"error: {exc}\n")
            sys.exit(2)
        self.stdout.write("\n".join(codes))
