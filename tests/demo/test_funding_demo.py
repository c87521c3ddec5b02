"""The demo fund: the six district committees of Stockholm's programme, applications in every
state, working logins for each step; rebuilding adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate

from stadsdel.demo.funding import demo_funding_create
from stadsdel.demo.logins import DEMO_PASSWORD
from stadsdel.funding.models import Application, Decision, FollowUp, Fund

pytestmark = pytest.mark.django_db


def test_the_demo_fund_has_every_state_and_rebuilds_to_the_same():
    logins = demo_funding_create()
    fund = Fund.objects.get()
    assert fund.areas.count() == 6
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Application.Status.values)
    assert {a.current_step.position for a in Application.objects.filter(status="in_review")} == {1, 2, 3}
    assert Decision.objects.filter(outcome="return").exists() and Decision.objects.filter(outcome="reject").exists()
    today = dt.date.today()
    assert any(f.is_overdue(today) for f in FollowUp.objects.all())
    assert FollowUp.objects.filter(submitted_at__isnull=False).exists()
    assert Application.objects.filter(payments__isnull=False).exists()
    for login in logins:
        assert authenticate(username=login.username, password=DEMO_PASSWORD) is not None
    counts = (Application.objects.count(), Decision.objects.count())
    demo_funding_create()
    assert (Application.objects.count(), Decision.objects.count()) == counts
