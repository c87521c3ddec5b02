"""E-mail when an application reaches a step or is decided, through Django's mail framework (the
console backend outside production). Sent after the transaction commits, so nobody is told of a
decision that was rolled back."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from stadsdel.accounts.models import Role
from stadsdel.funding.money import kr


def _members_emails(organisation) -> list[str]:
    if organisation is None:
        return []
    users = get_user_model().objects.filter(
        memberships__organisation=organisation, memberships__role=Role.COMMITTEE_MEMBER, is_active=True,
    ).exclude(email="").values_list("email", flat=True)
    return sorted(set(users))


def _on_commit(send) -> None:
    transaction.on_commit(send)


def _send(subject: str, body: str, recipients: list[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    _on_commit(lambda: send_mail(
        subject, body, getattr(settings, "DEFAULT_FROM_EMAIL", None), recipients, fail_silently=True,
    ))


def _link(application) -> str:
    base = getattr(settings, "STADSDEL_SITE_URL", "").rstrip("/")
    return f"{base}{application.get_absolute_url()}"


def application_reached_step(*, application, step, organisation) -> None:
    """Tell the step's deciding body (its committee members) and the applicant's contact."""
    # In the site's language (Swedish), whatever language the person who moved it on reads.
    with translation.override(settings.LANGUAGE_CODE):
        values = {"title": application.title, "applicant": application.applicant, "step": step.name,
                  "organisation": organisation, "link": _link(application)}
        _send(_("Fund application to decide: %(title)s") % values,
              _("The application “%(title)s” from %(applicant)s has reached the step “%(step)s” (%(organisation)s) "
                "and awaits a decision.\n\n%(link)s\n") % values,
              _members_emails(organisation))
        if application.contact_email:
            _send(_("Your application is with %(organisation)s: %(title)s") % values,
                  _("Your application “%(title)s” is now at the step “%(step)s” (%(organisation)s).\n\n%(link)s\n")
                  % values, [application.contact_email])


def application_decided(*, application, decision) -> None:
    """Tell the applicant's contact what was decided (and, when money was granted, the fund owner)."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {"title": application.title, "organisation": decision.organisation,
                  "date": f"{decision.decided_on:%Y-%m-%d}", "outcome": decision.outcome_done(),
                  "amount": kr(application.granted_amount or 0)}
        body = _("%(organisation)s decided on %(date)s on the application “%(title)s”: %(outcome)s.") % values + "\n"
        if decision.text:
            body += f"\n{decision.text}\n"
        if application.status == application.Status.GRANTED:
            body += "\n" + _("Granted amount: %(amount)s.") % values + "\n"
        body += f"\n{_link(application)}\n"
        _send(_("Decision on the application: %(title)s (%(outcome)s)") % values, body, [application.contact_email])
