"""Deadline reminders by e-mail: each user's choice whether to receive them, and the record of
every reminder sent, which makes the daily job safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderSetting(models.Model):
    """A user's choice about deadline reminders by e-mail: whether they get them (on by default,
    also for a user who never saved this setting) and the language the mails are written in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_setting")
    deadline_reminders = models.BooleanField(_("e-mail me reminders of my deadlines"), default=True)
    language = models.CharField(_("language of the e-mails"), max_length=5, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("reminder setting")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.deadline_reminders else 'off'}"


class SentReminder(models.Model):
    """One deadline reminder e-mailed to one user: which deadline (what is due, e.g. a district's
    plan or a municipality's follow-up report, and the date it is due), which reminder (30 days
    before, 7 days before, the day after it was missed), to which address and when. The daily
    job sends a reminder only when no record of it exists, so a second run sends nothing twice."""

    class Kind(models.TextChoices):
        DAYS_30 = "30_days", _("30 days before")
        DAYS_7 = "7_days", _("7 days before")
        MISSED = "missed", _("the day after a missed deadline")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_reminders")
    deadline = models.CharField(_("deadline"), max_length=200,
                                help_text=_('What is due and for which year, e.g. "plan:12:2012".'))
    due = models.DateField(_("due"))
    kind = models.CharField(_("reminder"), max_length=10, choices=Kind.choices)
    email = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [models.UniqueConstraint(fields=["user", "deadline", "due", "kind"], name="reminder_sent_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.deadline} {self.kind}"
