"""The demo builder: one login per role, synthetic unpublished drafts, idempotent rebuild."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from stadsdel.accounts.models import Membership, Role
from stadsdel.agreements.models import CooperationAgreement, Partnership
from stadsdel.areas.models import AreaBoundary
from stadsdel.core.progress import TerminalBar
from stadsdel.demo.builder import BOUNDARIES_FILE_NAME, CRIMES_SOURCE_NAME, DEMO_STEPS, demo_build
from stadsdel.demo.logins import DEMO_PASSWORD
from stadsdel.indicators.models import ImportBatch, Observation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_register(monkeypatch):
    # The demo's register is 400 000 synthetic persons; the same pipeline on fewer keeps the
    # tests quick without changing what they check.
    monkeypatch.setattr("stadsdel.demo.builder.DEMO_PERSONS", 20_000)


def test_demo_creates_one_working_login_per_role():
    lines: list[str] = []
    logins = demo_build(progress=lines.append)
    # The demo command's bar has a place for each step the build reports.
    assert 0 < len([line for line in lines if not line.startswith("  ")]) <= DEMO_STEPS
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
    # Synthetic boundaries for every area with figures, so the index page draws its map.
    with_figures = set(Observation.objects.filter(level="area").values_list("statistical_area_id", flat=True))
    boundaries = dict(AreaBoundary.objects.values_list("area_id", "loaded_at"))
    assert with_figures and with_figures <= set(boundaries)
    assert set(AreaBoundary.objects.values_list("source", flat=True)) == {BOUNDARIES_FILE_NAME}
    demo_build()
    assert (Partnership.objects.count(), CooperationAgreement.objects.count(), Membership.objects.count()) == counts
    assert dict(AreaBoundary.objects.values_list("area_id", "loaded_at")) == boundaries


def test_demo_command_without_serving_prints_the_logins(capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for username in ("departementet", "haninge", "malmo", "forsakringskassan", "analytiker", "namnd"):
        assert username in out
    assert "Loading the seed registry …\n" in out and "\r" not in out  # not a terminal: one line per step

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    call_command("demo", "--no-serve", stdout=terminal)
    drawn = terminal.getvalue()
    # On a terminal: a bar redrawn in place with the step under way, then the logins.
    assert f"\r[{'.' * TerminalBar.WIDTH}]   0 % 0/{DEMO_STEPS} Migrating the database …" in drawn
    assert "Loading the seed registry …\n" not in drawn and "haninge" in drawn.rsplit("\r", 1)[-1]


def test_demo_statistics_come_from_the_synthetic_register_and_rebuild_writes_nothing():
    demo_build()
    jordbro = Observation.objects.filter(indicator__code="employment_rate_20_64", level="district",
                                         district__name="Jordbro", sex="T")
    assert jordbro.count() == 7 and jordbro.first().batch.kind == ImportBatch.Kind.MICRODATA
    assert Observation.objects.filter(indicator__code="individuals_in_exclusion", rule__isnull=False).exists()
    # The socio-economic variables come from the register too, with counts per area for the index.
    for code in ("children_social_assistance_share", "unemployment_20_64", "pre_secondary_education_20_64",
                 "long_term_assistance_or_unemployment_20_64"):
        assert Observation.objects.filter(indicator__code=code, level="district", district__name="Jordbro",
                                          sex="T").count() == 7, code
    # Reported crimes: imported from the synthetic crimes file, summed into districts; its own
    # municipality rows over the same population as the register's.
    crimes = Observation.objects.filter(indicator__code="reported_crimes_per_1000", sex="T")
    jordbro_crimes = crimes.filter(level="district", district__name="Jordbro").order_by("period")
    assert jordbro_crimes.count() == 7
    first = jordbro_crimes.first()
    assert first.batch.kind == ImportBatch.Kind.CSV and first.batch.source_name == CRIMES_SOURCE_NAME
    assert first.value == pytest.approx(1000 * first.numerator / first.denominator)
    assert 100 < first.value < 500
    assert crimes.filter(level="area", numerator__isnull=False, denominator__gt=0).exists()
    haninge = crimes.get(level="municipality", municipality__code="0136", period=2010)
    inhabitants = Observation.objects.get(indicator__code="social_assistance_share", level="municipality",
                                          municipality__code="0136", period=2010, sex="T")
    assert haninge.denominator == inhabitants.denominator
    assert haninge.value < crimes.get(level="district", district__name="Jordbro", period=2010).value
    assert crimes.filter(level="country").count() == 7
    # Every district the register gives figures for gets crime figures too.
    with_register = set(Observation.objects.filter(indicator__code="employment_rate_20_64", level="district")
                        .values_list("district__name", "period"))
    with_crimes = set(crimes.filter(level="district").values_list("district__name", "period"))
    assert with_register <= with_crimes  # (a suppressed register cell leaves a crimes-only year)
    before = (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count())
    demo_build()
    assert (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count()) == before
