"""Which reminder a deadline calls for on a given day (pure; no database).

A reminder goes out 30 days and 7 days before a deadline that is not yet met, and on the day
after a deadline that was missed. A daily job that did not run on the exact day (a holiday, a
failed host) still sends the reminder on the next run within `CATCH_UP_DAYS`; the windows do not
overlap, so each reminder has one window and is sent at most once (`SentReminder`).
"""

from __future__ import annotations

import datetime as dt

DAYS_30, DAYS_7, MISSED = "30_days", "7_days", "missed"
# The reminder's day relative to the deadline.
OFFSETS = {DAYS_30: -30, DAYS_7: -7, MISSED: 1}
CATCH_UP_DAYS = 3


def reminder_due(*, due: dt.date, done_on: dt.date | None, today: dt.date) -> str | None:
    """The reminder (`DAYS_30`, `DAYS_7`, `MISSED`) a deadline calls for on `today`, or None: none
    for a deadline met (a late submission meets it too: nobody is told of a miss already put
    right), none outside the reminders' days."""
    if done_on is not None and done_on <= today:
        return None
    for kind, offset in OFFSETS.items():
        day = due + dt.timedelta(days=offset)
        if day <= today <= day + dt.timedelta(days=CATCH_UP_DAYS):
            return kind
    return None


def reminder_years(today: dt.date) -> range:
    """The years whose deadlines can call for a reminder on `today`: a deadline late in last year
    is missed early this year, and one early next year is 30 days away late this year."""
    return range(today.year - 1, today.year + 2)
