"""Writes of the deadline reminders: the daily send, and a user's own setting.

`reminders_send` is the daily job (`stadsdel reminders send`). It sends through Django's mail
framework (`EMAIL_BACKEND`: the console outside production) and records every reminder it sent
(`SentReminder`); a reminder already recorded is not sent again, so the job may run twice a day,
be re-run after a failure, or run on several hosts at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stadsdel.accounts.models import Role
from stadsdel.reminders.compute import MISSED, reminder_due
from stadsdel.reminders.models import ReminderSetting, SentReminder
from stadsdel.reminders.selectors import (
    OwnDeadline,
    own_deadlines,
    reminder_recipients,
    reminder_setting_get,
)

logger = logging.getLogger("stadsdel.reminders")


@dataclass
class Reminder:
    """One reminder to send: to whom, about what, which one, and the mail."""

    user: object
    own: OwnDeadline
    kind: str
    subject: str
    body: str


@dataclass
class SendOutcome:
    sent: list[Reminder] = field(default_factory=list)
    already_sent: int = 0
    failed: list[tuple[Reminder, str]] = field(default_factory=list)


def _link(path: str) -> str:
    return f"{settings.STADSDEL_SITE_URL}{path}"


def _what(own: OwnDeadline) -> str:
    d = own.deadline
    values = {"year": d.year, "district": d.district, "municipality": d.municipality, "organisation": own.organisation}
    if d.kind == "plan":
        return _("the strategic district plan %(year)s for %(district)s (%(municipality)s)") % values
    if d.kind == "report":
        return _("the follow-up report %(year)s for %(municipality)s") % values
    return _("the report %(year)s of %(organisation)s") % values


def _work_url(own: OwnDeadline) -> str:
    # Where the work is done: the plan or report itself, or (a district without a plan yet) the
    # plans page, where a new plan is started.
    return own.deadline.url or reverse("plans:plan_list")


def reminder_message(*, own: OwnDeadline, kind: str, today: dt.date, language: str) -> tuple[str, str]:
    """The reminder's subject and body in `language`, naming what is due (the district and
    municipality, or the agency), the date and the page where the work is done."""
    with translation.override(language):
        d = own.deadline
        what = _what(own)
        values = {"what": what, "What": what[:1].upper() + what[1:], "date": date_format(d.due, "DATE_FORMAT"),
                  "days": (d.due - today).days, "link": _link(_work_url(own))}
        if kind == MISSED:
            subject = _("Deadline missed: %(what)s was due on %(date)s") % values
            lead = _("%(What)s was due on %(date)s and has not been submitted yet.") % values
            act = _("Submit it here: %(link)s") % values
        else:
            subject = _("Reminder: %(what)s is due on %(date)s") % values
            lead = ngettext("%(What)s is due on %(date)s, in %(days)s day.",
                            "%(What)s is due on %(date)s, in %(days)s days.", values["days"]) % values
            act = _("Do the work here: %(link)s") % values
        role = _("coordinator for %(name)s") if own.role == Role.MUNICIPALITY else _("contact for %(name)s")
        footer = _("You receive this reminder as %(role)s in Stadsdel. Turn reminders off here: %(link)s") % {
            "role": role % {"name": own.organisation}, "link": _link(reverse("reminders:setting"))}
        body = "\n\n".join([_("Hello,"), lead, act, f"-- \n{footer}"]) + "\n"
        return subject, body


def reminders_due(*, today: dt.date) -> tuple[list[Reminder], int]:
    """Every reminder that `today` calls for and has not been sent, and how many were already sent."""
    due: list[Reminder] = []
    already = 0
    for user in reminder_recipients():
        setting = reminder_setting_get(user=user)
        sent = set(SentReminder.objects.filter(user=user).values_list("deadline", "due", "kind"))
        for own in own_deadlines(user=user, today=today):
            kind = reminder_due(due=own.deadline.due, done_on=own.deadline.done_on, today=today)
            if kind is None:
                continue
            if (own.key, own.deadline.due, kind) in sent:
                already += 1
                continue
            subject, body = reminder_message(own=own, kind=kind, today=today, language=setting.language)
            due.append(Reminder(user, own, kind, subject, body))
    return due, already


def reminders_send(*, today: dt.date, dry_run: bool = False) -> SendOutcome:
    """Send every reminder `today` calls for that was not sent before, each recorded as sent in
    the same transaction as its mail: a mail the server refused is not recorded (the next run
    tries again), and a reminder another run recorded first is not sent twice."""
    reminders, already = reminders_due(today=today)
    outcome = SendOutcome(already_sent=already)
    if dry_run:
        outcome.sent = reminders
        return outcome
    connection = get_connection()
    for reminder in reminders:
        try:
            with transaction.atomic():
                SentReminder.objects.create(user=reminder.user, deadline=reminder.own.key,
                                            due=reminder.own.deadline.due, kind=reminder.kind,
                                            email=reminder.user.email)
                EmailMessage(reminder.subject, reminder.body, settings.DEFAULT_FROM_EMAIL, [reminder.user.email],
                             connection=connection).send()
        except IntegrityError:
            outcome.already_sent += 1
        except OSError as exc:  # smtplib's errors are OSErrors
            logger.warning("reminder to %s not sent: %s", reminder.user.get_username(), exc)
            outcome.failed.append((reminder, str(exc)))
        else:
            outcome.sent.append(reminder)
    return outcome


def reminder_setting_update(*, user, deadline_reminders: bool, language: str) -> ReminderSetting:
    """The signed-in user turns their own reminders on or off (and picks the mails' language);
    nobody changes another user's setting."""
    setting, _created = ReminderSetting.objects.update_or_create(
        user=user, defaults={"deadline_reminders": deadline_reminders, "language": language})
    return setting
