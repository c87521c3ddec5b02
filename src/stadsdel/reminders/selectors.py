"""Reads for the deadline reminders: who gets them, and each one's own deadlines.

The deadlines come from the selectors the deadlines page uses (`plans.selectors.plan_deadlines`
with the follow-up reports' dates, `followup.selectors.agency_report_deadline`), read as the
recipient: a coordinator's reminders are the deadlines that coordinator sees for their own
municipality, an agency officer's their agency's report. Rights come from each membership
(`accounts.scoping`), never from a role and an organisation of two different memberships.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from stadsdel.accounts.models import Role
from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import Municipality
from stadsdel.followup.selectors import agency_report_deadline, reports_submitted_on
from stadsdel.plans.deadlines import Deadline
from stadsdel.plans.models import NATIONAL_PROGRAMME, Programme
from stadsdel.plans.selectors import plan_deadlines
from stadsdel.reminders.compute import reminder_years
from stadsdel.reminders.models import ReminderSetting


@dataclass(frozen=True)
class OwnDeadline:
    """A deadline of one of the user's memberships, with what the mail names: the municipality
    (or the agency) it belongs to and the role the user gets it in."""

    deadline: Deadline
    organisation: str  # the municipality's or the agency's name
    role: str  # Role.MUNICIPALITY or Role.AGENCY

    @property
    def key(self) -> str:
        """What is due and for which year, as `SentReminder.deadline` records it."""
        return f"{self.deadline.ref}:{self.deadline.year}"


def reminder_setting_get(*, user) -> ReminderSetting:
    """The user's setting, or the default (reminders on, in Swedish) when they never saved one."""
    return ReminderSetting.objects.filter(user=user).first() or ReminderSetting(user=user)


def reminder_recipients() -> QuerySet:
    """Active users with an e-mail address, a coordinator or agency membership, and reminders
    not turned off."""
    return (get_user_model().objects.filter(is_active=True, memberships__role__in=[Role.MUNICIPALITY, Role.AGENCY])
            .exclude(email="").exclude(reminder_setting__deadline_reminders=False).distinct().order_by("username"))


def own_deadlines(*, user, today: dt.date) -> list[OwnDeadline]:
    """Every deadline that may call for a reminder on `today` and is the user's own: for each
    municipality they coordinate, its districts' plans and its follow-up report; for each agency
    they act for, its report."""
    if not Programme.objects.filter(key=NATIONAL_PROGRAMME).exists():
        return []  # no programme loaded (`stadsdel seeds load`): no deadlines yet
    scope = scope_for(user)
    out: list[OwnDeadline] = []
    years = reminder_years(today)
    submitted = {year: reports_submitted_on(year=year) for year in years}
    for municipality in Municipality.objects.filter(pk__in=scope.coordinated_municipality_ids).order_by("name"):
        for year in years:
            out += [OwnDeadline(d, municipality.name, Role.MUNICIPALITY) for d in plan_deadlines(
                user=user, year=year, today=today, municipality_code=municipality.code, with_reports=True,
                reports_submitted=submitted[year])]
    agencies = {org for role, org in scope.memberships if role == Role.AGENCY}
    for organisation in Organisation.objects.filter(pk__in=agencies).order_by("name"):
        for year in years:
            deadline = agency_report_deadline(organisation=organisation, year=year, today=today)
            if deadline is not None:
                out.append(OwnDeadline(deadline, organisation.name, Role.AGENCY))
    return out


def reminder_scope(*, user) -> list[tuple[str, str]]:
    """What the user's reminders cover, as (role, organisation) names: each municipality they
    coordinate and each agency they act for. Empty for a user without such a membership."""
    scope = scope_for(user)
    rows = [(Role.MUNICIPALITY.label, m.name) for m in
            Municipality.objects.filter(pk__in=scope.coordinated_municipality_ids).order_by("name")]
    agencies = {org for role, org in scope.memberships if role == Role.AGENCY}
    rows += [(Role.AGENCY.label, o.name) for o in Organisation.objects.filter(pk__in=agencies).order_by("name")]
    return rows
