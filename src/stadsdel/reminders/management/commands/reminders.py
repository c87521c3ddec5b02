"""`stadsdel reminders send [--date YYYY-MM-DD] [--dry-run]`: the daily job that e-mails the
deadline reminders (30 and 7 days before, and the day after a missed deadline). Run it once a day
(cron, a systemd timer); running it again the same day sends nothing twice."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from stadsdel.core.cli import bad_input
from stadsdel.reminders.services import reminders_send


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise bad_input(f"--date {text!r}: not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "E-mail the deadline reminders due today (or on --date) that were not sent before."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Send the reminders due on the day.")
        send.add_argument("--date", help="The day to send for, YYYY-MM-DD (default: today).")
        send.add_argument("--dry-run", action="store_true", help="List the reminders, send and record nothing.")

    def handle(self, *args, **options):
        today = _date(options["date"]) if options.get("date") else timezone.localdate()
        outcome = reminders_send(today=today, dry_run=options["dry_run"])
        for reminder in outcome.sent:
            self.stdout.write(f"{reminder.user.email}\t{reminder.kind}\t{reminder.own.deadline.due}\t{reminder.subject}")
        verb = "would send" if options["dry_run"] else "sent"
        self.stderr.write(f"{today}: {verb} {len(outcome.sent)}, already sent {outcome.already_sent}, "
                          f"failed {len(outcome.failed)}")
        if outcome.failed:
            # Not bad input: the mail server failed. The next run sends what was not recorded.
            raise SystemExit(1)
