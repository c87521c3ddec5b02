"""The demo builder: one login per role, synthetic unpublished drafts, idempotent rebuild."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from stadsdel.accounts.models import Membership, Role
from stadsdel.agreements.models import CooperationAgreement, Partnership
from stadsdel.indicators.models import ImportBatch, Observation
from stadsdel.seeds.demo import DEMO_PASSWORD, demo_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_register(monkeypatch):
    # The demo's register is 400 000 synthetic persons; the same pipeline on fewer keeps the
    # tests quick without changing what they check.
    monkeypatch.setattr("stadsdel.seeds.demo.DEMO_PERSONS", 20_000)


def test_demo_creates_one_working_login_per_role():
    logins = demo_build()
    assert {login.role for login in logins} == set(Role.values)
    for login in logins:
        user = authenticate(username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert Membership.objects.filter(user=user, role=login.role, organisation__key=login.organisation_key).exists()
    assert authenticate(username="admin", password=DEMO_PASSWORD).is_superuser


def test_demo_drafts_are_unpublished_and_rebuilding_adds_nothing():
    demo_build()
    counts = (Partnership.objects.count(), CooperationAgreement.objects.count(), Membership.objects.count())
    drafts = CooperationAgreement.objects.filter(key__startswith="demo_")
    assert drafts.count() == 2 and not drafts.filter(published=True).exists()
    assert set(drafts.values_list("municipality__code", flat=True)) == {"0136", "1280"}
    demo_build()
    assert (Partnership.objects.count(), CooperationAgreement.objects.count(), Membership.objects.count()) == counts


def test_demo_command_without_serving_prints_the_logins(capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for username in ("departementet", "haninge", "malmo", "forsakringskassan", "analytiker", "namnd"):
        assert username in out


def test_demo_statistics_come_from_the_synthetic_register_and_rebuild_writes_nothing():
    demo_build()
    jordbro = Observation.objects.filter(indicator__code="employment_rate_20_64", level="district",
                                         district__name="Jordbro", sex="T")
    assert jordbro.count() == 7 and jordbro.first().batch.kind == ImportBatch.Kind.MICRODATA
    assert Observation.objects.filter(indicator__code="individuals_in_exclusion", rule__isnull=False).exists()
    before = (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count())
    demo_build()
    assert (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count()) == before
