"""Deadline reminders by e-mail (`stadsdel reminders send`): 30 and 7 days before a deadline that is
not met and the day after a missed one, to the coordinators of the municipality whose deadline it
is and to the agency for its report; never for a met deadline, never to a user who turned them
off or has no address, never twice; the mail in the recipient's language names what is due, the
date and the page where the work is done."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from stadsdel.accounts.models import Role
from stadsdel.agreements.models import Agreement
from stadsdel.areas.models import District, Municipality
from stadsdel.followup.models import AgencyReport, FollowUpReport, ReportStatus
from stadsdel.reminders.compute import DAYS_7, DAYS_30, MISSED, reminder_due
from stadsdel.reminders.models import ReminderSetting, SentReminder
from stadsdel.reminders.services import reminders_send

pytestmark = pytest.mark.django_db

# Haninge's 2011 deadlines: the follow-up report on 1 December, Jordbro's plan on 31 December.
REPORT_DUE = dt.date(2011, 12, 1)
PLAN_DUE = dt.date(2011, 12, 31)


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STADSDEL_SITE_URL = "https://stadsdel.example.se"


@pytest.fixture
def haninge(member):
    return member("haninge", org_key="haninge_kommun", role=Role.MUNICIPALITY, email="haninge@example.org")


@pytest.fixture
def malmo(member):
    return member("malmo", org_key="malmo_kommun", role=Role.MUNICIPALITY, email="malmo@example.org")


def _to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def _reports(outcome) -> list:
    return [r for r in outcome.sent if r.own.deadline.kind == "report"]


def _send(day: dt.date):
    mail.outbox.clear()
    return reminders_send(today=day)


def test_the_reminder_days():
    due = dt.date(2011, 12, 1)
    assert reminder_due(due=due, done_on=None, today=due - dt.timedelta(days=31)) is None
    assert reminder_due(due=due, done_on=None, today=due - dt.timedelta(days=30)) == DAYS_30
    assert reminder_due(due=due, done_on=None, today=due - dt.timedelta(days=8)) is None
    assert reminder_due(due=due, done_on=None, today=due - dt.timedelta(days=7)) == DAYS_7
    assert reminder_due(due=due, done_on=None, today=due) is None
    assert reminder_due(due=due, done_on=None, today=due + dt.timedelta(days=1)) == MISSED
    assert reminder_due(due=due, done_on=None, today=due + dt.timedelta(days=10)) is None
    # A job that did not run on the day catches up within three days; not later.
    assert reminder_due(due=due, done_on=None, today=due - dt.timedelta(days=27)) == DAYS_30
    assert reminder_due(due=due, done_on=None, today=due - dt.timedelta(days=26)) is None
    # Met (on time or late, as long as it is met by the day): nothing.
    assert reminder_due(due=due, done_on=due - dt.timedelta(days=40), today=due - dt.timedelta(days=7)) is None
    assert reminder_due(due=due, done_on=due, today=due + dt.timedelta(days=1)) is None
    # A submission after the day does not count on the day (a --date run for an earlier day).
    assert reminder_due(due=due, done_on=due + dt.timedelta(days=5), today=due + dt.timedelta(days=1)) == MISSED


def test_30_and_7_days_before_and_the_day_after_go_to_the_municipalitys_coordinator(haninge, malmo):
    assert Agreement.objects.filter(municipality__code="0136", period_start__year__lte=2011,
                                    period_end__year__gte=2011).exists()
    assert not _send(REPORT_DUE - dt.timedelta(days=31)).sent
    assert not mail.outbox

    outcome = _send(REPORT_DUE - dt.timedelta(days=30))
    [report] = _to(haninge)
    assert report.subject == "Påminnelse: uppföljningsrapporten 2011 för Haninge ska lämnas senast 1 december 2011"
    assert "om 30 dagar" in report.body
    assert f"https://stadsdel.example.se{reverse('followup:report_detail', args=['0136', 2011])}" in report.body
    assert "https://stadsdel.example.se/reminders/" in report.body
    assert "Malmö" not in report.body and "Malmö" not in report.subject
    assert all("Haninge" not in m.subject for m in _to(malmo)) and _to(malmo)
    assert {r.user for r in outcome.sent} == {haninge, malmo}

    # 30 days before the plan deadline: one mail per district plan, naming the district.
    _send(PLAN_DUE - dt.timedelta(days=30))
    [plan] = _to(haninge)
    assert "Jordbro" in plan.subject and "Haninge" in plan.subject and "31 december 2011" in plan.subject
    # No plan yet: the link goes to the plans page, where a new plan is started.
    assert f"https://stadsdel.example.se{reverse('plans:plan_list')}" in plan.body

    _send(REPORT_DUE - dt.timedelta(days=7))
    [seven] = _to(haninge)
    assert "om 7 dagar" in seven.body and "uppföljningsrapporten 2011" in seven.subject

    _send(REPORT_DUE + dt.timedelta(days=1))
    [missed] = _to(haninge)
    assert missed.subject.startswith("Tidsgränsen har passerat: uppföljningsrapporten 2011 för Haninge")

    _send(PLAN_DUE + dt.timedelta(days=1))
    [missed_plan] = _to(haninge)
    assert "Jordbro" in missed_plan.subject
    assert set(SentReminder.objects.filter(user=haninge).values_list("kind", flat=True)) == {DAYS_30, DAYS_7, MISSED}


def test_nothing_is_sent_twice(haninge):
    day = REPORT_DUE - dt.timedelta(days=30)
    first = _send(day)
    assert len(_to(haninge)) == 1 and first.already_sent == 0
    second = _send(day)
    assert not mail.outbox and not second.sent and second.already_sent >= 1
    # A day later, still in the catch-up window: recorded, so not again either.
    assert not _send(day + dt.timedelta(days=1)).sent and not mail.outbox
    assert SentReminder.objects.filter(user=haninge).count() == 1


def test_a_met_deadline_gets_no_reminder(haninge):
    FollowUpReport.objects.create(municipality=Municipality.objects.get(code="0136"), year=2011,
                                  status=ReportStatus.SUBMITTED, submitted_at=dt.datetime(2011, 11, 20, 12, tzinfo=dt.UTC))
    assert not _send(REPORT_DUE - dt.timedelta(days=7)).sent
    # The day after: the report was met, so nothing about it (Jordbro's plan is 29 days away).
    assert not _reports(_send(REPORT_DUE + dt.timedelta(days=1)))
    # A draft is not a submitted report: the day after, the miss is told.
    FollowUpReport.objects.filter(municipality__code="0136").update(status=ReportStatus.DRAFT, submitted_at=None)
    assert [r.kind for r in _reports(_send(REPORT_DUE + dt.timedelta(days=1)))] == [MISSED]


def test_a_submitted_plan_meets_its_deadline(haninge):
    from stadsdel.plans import services as plan_services

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_services.plan_create(user=haninge, district=jordbro, year=2011, period_end=2014)
    assert len(_send(PLAN_DUE - dt.timedelta(days=7)).sent) == 1  # a draft: still due
    assert plan.get_absolute_url() in mail.outbox[0].body  # the link goes to the plan itself
    type(plan).objects.filter(pk=plan.pk).update(status="submitted",
                                                 submitted_at=dt.datetime(2011, 12, 20, 12, tzinfo=dt.UTC))
    assert not _send(PLAN_DUE + dt.timedelta(days=1)).sent


def test_no_reminder_to_a_user_who_turned_them_off_or_has_no_address(haninge, member):
    ReminderSetting.objects.create(user=haninge, deadline_reminders=False)
    no_address = member("haninge2", org_key="haninge_kommun", role=Role.MUNICIPALITY)
    assert not no_address.email
    assert not _send(REPORT_DUE - dt.timedelta(days=30)).sent and not mail.outbox


def test_no_reminder_to_roles_without_those_deadlines(member):
    # An analyst of Haninge and a committee member read Haninge's records but owe no deadline.
    member("h-analyst", org_key="haninge_kommun", role=Role.ANALYST, email="a@example.org")
    member("ministry", org_key="arbetsmarknadsdepartementet", role=Role.MINISTRY, email="m@example.org")
    assert not _send(REPORT_DUE - dt.timedelta(days=30)).sent


def test_the_mail_is_in_the_users_language(haninge):
    ReminderSetting.objects.create(user=haninge, language="en")
    _send(REPORT_DUE - dt.timedelta(days=7))
    [message] = _to(haninge)
    assert message.subject == "Reminder: the follow-up report 2011 for Haninge is due on Dec. 1, 2011"
    assert "in 7 days" in message.body and "coordinator for Haninge" in message.body


def test_the_agency_is_reminded_of_its_report(member):
    fk = member("fk", org_key="forsakringskassan", role=Role.AGENCY, email="fk@example.org")
    _send(REPORT_DUE - dt.timedelta(days=30))
    [message] = _to(fk)
    assert "Försäkringskassan" in message.subject and "2011" in message.subject
    assert reverse("followup:agency_report", args=["forsakringskassan", 2011]) in message.body
    AgencyReport.objects.create(organisation=fk.memberships.get().organisation, year=2011,
                                status=ReportStatus.SUBMITTED, submitted_at=dt.datetime(2011, 11, 5, tzinfo=dt.UTC))
    assert not _send(REPORT_DUE - dt.timedelta(days=7)).sent


def test_the_command_sends_and_a_dry_run_sends_nothing(haninge):
    out, err = StringIO(), StringIO()
    day = (REPORT_DUE - dt.timedelta(days=30)).isoformat()
    call_command("reminders", "send", "--date", day, "--dry-run", stdout=out, stderr=err)
    assert "haninge@example.org" in out.getvalue() and not mail.outbox and not SentReminder.objects.exists()
    assert "would send 1" in err.getvalue()
    call_command("reminders", "send", "--date", day, stdout=StringIO(), stderr=(err := StringIO()))
    assert len(mail.outbox) == 1 and "sent 1" in err.getvalue()
    call_command("reminders", "send", "--date", day, stdout=StringIO(), stderr=(err := StringIO()))
    assert len(mail.outbox) == 1 and "sent 0, already sent 1" in err.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command("reminders", "send", "--date", "2011-13-01")
    assert exc.value.returncode == 2


# -- the setting page ---------------------------------------------------------------------------


def test_a_coordinator_turns_reminders_off_and_on(client, haninge):
    client.force_login(haninge)
    page = client.get(reverse("reminders:setting"))
    assert page.status_code == 200 and "Haninge" in page.content.decode()
    assert client.post(reverse("reminders:setting"), {"language": "sv"}).status_code == 302  # box unticked: off
    assert ReminderSetting.objects.get(user=haninge).deadline_reminders is False
    assert not _send(REPORT_DUE - dt.timedelta(days=30)).sent
    client.post(reverse("reminders:setting"), {"deadline_reminders": "on", "language": "en"})
    assert ReminderSetting.objects.get(user=haninge).deadline_reminders is True
    assert len(_send(REPORT_DUE - dt.timedelta(days=30)).sent) == 1
    assert mail.outbox[0].subject.startswith("Reminder:")


def test_the_overview_links_to_the_setting(client, haninge):
    client.force_login(haninge)
    html = client.get(reverse("start:overview")).content.decode()
    assert 'id="overview-reminders"' in html and reverse("reminders:setting") in html


def test_the_setting_page_needs_sign_in(client):
    response = client.get(reverse("reminders:setting"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
