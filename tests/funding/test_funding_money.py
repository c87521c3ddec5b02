"""Money: the granted amount (possibly less than applied), never granting past a round's budget
(a clear refusal, no negative balance, also when two grants race for the last money), rounds
within the year's budget, and payments within the grant."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction

from stadsdel.funding import services
from stadsdel.funding.models import Application, FundRound

_DEFAULT = settings.DATABASES["default"]
_IN_MEMORY_SQLITE = _DEFAULT["ENGINE"].endswith("sqlite3") and not (_DEFAULT.get("TEST") or {}).get("NAME")
needs_concurrent_writers = pytest.mark.skipif(
    _IN_MEMORY_SQLITE,
    reason="SQLite's in-memory test database refuses a second concurrent writer outright; run with "
    "DATABASE_URL=postgres://… (CI does) to race two real connections",
)


def _to_last_step(world, app, approve):
    approve(world, app, "steering")
    approve(world, app, "committee")


@pytest.mark.django_db
def test_the_grant_may_be_less_than_applied_but_not_more(fund_world, make_app, approve):
    app = make_app(submit=True, amount=300_000)
    _to_last_step(fund_world, app, approve)
    with pytest.raises(ValidationError, match="between 1 kr"):
        approve(fund_world, app, "board", amount=300_001)
    approve(fund_world, app, "board", amount=120_000)
    assert app.granted_amount == 120_000
    round_ = FundRound.objects.get(pk=fund_world["round"].pk)
    assert (round_.granted, round_.remaining) == (120_000, 880_000)


@pytest.mark.django_db
def test_a_grant_past_the_budget_is_refused_clearly_and_changes_nothing(fund_world, make_app, approve):
    first = make_app(submit=True, amount=800_000, title="Första")
    second = make_app(submit=True, amount=300_000, title="Andra")
    for app in (first, second):
        _to_last_step(fund_world, app, approve)
    approve(fund_world, first, "board")
    with pytest.raises(services.BudgetExceededError, match="only 200"):
        approve(fund_world, second, "board")
    second.refresh_from_db()
    assert second.status == Application.Status.IN_REVIEW and second.current_step.position == 3
    assert second.decisions.count() == 2  # the refused grant left no decision behind
    round_ = FundRound.objects.get(pk=fund_world["round"].pk)
    assert round_.granted == 800_000 and round_.remaining == 200_000
    # The board can still grant what is left.
    approve(fund_world, second, "board", amount=200_000)
    assert FundRound.objects.get(pk=round_.pk).remaining == 0


@pytest.mark.django_db
def test_saving_a_round_read_before_a_grant_keeps_the_grant(fund_world, make_app, approve):
    """An edit of the round (the admin's, the demo's) from a copy read before a grant must not
    write the old total back: the grant's money would be free to grant again."""
    stale = FundRound.objects.get(pk=fund_world["round"].pk)
    app = make_app(submit=True, amount=300_000)
    _to_last_step(fund_world, app, approve)
    approve(fund_world, app, "board")
    stale.guidance = "Ny vägledning."
    stale.save()
    round_ = FundRound.objects.get(pk=stale.pk)
    assert round_.granted == 300_000 and round_.guidance == "Ny vägledning."
    assert round_.history.first().granted == 300_000  # the history records the true total
    stale.budget = 100_000
    with pytest.raises(ValidationError, match="300000 kr"):  # what is granted, named in the refusal
        stale.full_clean()


@pytest.mark.django_db
def test_the_database_refuses_a_negative_balance(fund_world):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundRound.objects.filter(pk=fund_world["round"].pk).update(granted=2_000_000)


@pytest.mark.django_db
def test_rounds_stay_within_the_years_budget(fund_world):
    fund, year = fund_world["fund"], fund_world["year"]
    # The fixture's round already holds the year's whole budget.
    with pytest.raises(services.BudgetExceededError):
        services.round_create(user=None, fund=fund, year=year, name="Extra", opens_on=dt.date(year, 6, 1),
                              closes_on=dt.date(year, 6, 30), budget=1)
    with pytest.raises(ValidationError, match="no budget"):
        services.round_create(user=None, fund=fund, year=year + 5, name="Sen", opens_on=dt.date(year, 6, 1),
                              closes_on=dt.date(year, 6, 30), budget=1)


@pytest.mark.django_db
def test_payments_stay_within_the_grant_and_are_the_owners(fund_world, make_app, approve, committee_user):
    app = make_app(submit=True, amount=100_000)
    _to_last_step(fund_world, app, approve)
    approve(fund_world, app, "board")
    board = fund_world["board"]  # a member of kommunstyrelsen, the fund's owner
    services.payment_register(user=board, application=app, amount=60_000, paid_on=dt.date.today())
    with pytest.raises(services.BudgetExceededError, match="only 40"):
        services.payment_register(user=board, application=app, amount=40_001, paid_on=dt.date.today())
    with pytest.raises(PermissionDenied):
        services.payment_register(user=committee_user, application=app, amount=1, paid_on=dt.date.today())
    # The applicant (a coordinator of the same municipality) does not pay its own project.
    with pytest.raises(PermissionDenied):
        services.payment_register(user=fund_world["applicant"], application=app, amount=1, paid_on=dt.date.today())
    services.payment_register(user=board, application=app, amount=40_000, paid_on=dt.date.today())
    assert app.paid_amount == 100_000


@pytest.mark.django_db
def test_an_application_not_granted_is_not_paid(fund_world, make_app):
    app = make_app(submit=True)
    with pytest.raises(ValidationError):
        services.payment_register(user=fund_world["board"], application=app, amount=1, paid_on=dt.date.today())


# -- two grants at once against the last money (PostgreSQL) ---------------------------------------

def _race(work):
    barrier = threading.Barrier(2, timeout=30)
    results: list = [("missing", None), ("missing", None)]

    def run(i: int) -> None:
        try:
            results[i] = ("ok", work(i, barrier))
        except BaseException as exc:  # the test inspects whatever happened
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a session hung"
    return results


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_grants_against_the_last_money_one_wins(monkeypatch):
    """Two applications of 600 000 kr at kommunstyrelsen, 1 000 000 kr left: both decisions are
    made at the same moment; exactly one is granted, the other is refused with the clear message,
    and the round is never overdrawn."""
    from funding_cast import application_make, approve, world_create

    from stadsdel.seeds.loader import seeds_load

    seeds_load()  # a transactional test starts from a database an earlier one may have flushed
    world = world_create(suffix="-race")
    apps = [application_make(world, amount=600_000, title=f"Projekt {i}", submit=True) for i in range(2)]
    for app in apps:
        _to_last_step(world, app, approve)
    # The first to take the round's lock holds it a while, so the other certainly waits on it.
    real = services._debit_round

    def slow_debit(round_id, amount, application):
        real(round_id, amount, application)
        time.sleep(0.3)

    monkeypatch.setattr(services, "_debit_round", slow_debit)

    def grant(i: int, barrier: threading.Barrier):
        mine = Application.objects.get(pk=apps[i].pk)
        barrier.wait()
        return services.application_decide(user=world["board"], application=mine, version=mine.version,
                                           outcome="approve")

    results = _race(grant)
    refused = [r for kind, r in results if isinstance(r, services.BudgetExceededError)]
    won = [r for kind, r in results if kind == "ok"]
    assert len(won) == 1 and len(refused) == 1, results
    assert f"only {services.kr(400_000)} is left" in refused[0].messages[0]
    round_ = FundRound.objects.get(pk=world["round"].pk)
    assert round_.granted == 600_000 and round_.remaining == 400_000
    statuses = sorted(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True))
    assert statuses == ["granted", "in_review"]


@pytest.mark.django_db
def test_the_admins_checks_keep_rounds_within_the_years_budget(fund_world):
    """The admin edits rounds and yearly budgets through the models' own checks: a round cannot
    grow past what the year's budget leaves, nor a year's budget shrink under its rounds."""
    from stadsdel.funding.models import FundBudget

    round_ = FundRound.objects.get(pk=fund_world["round"].pk)
    year_budget = FundBudget.objects.get(fund=round_.fund, year=round_.year)
    round_.budget = year_budget.amount + 1
    with pytest.raises(ValidationError, match=f"{year_budget.amount} kr"):  # the most it can have
        round_.full_clean()
    held = round_.budget - 1
    year_budget.amount = held - 1
    with pytest.raises(ValidationError, match=f"{held} kr"):  # what the rounds already hold
        year_budget.full_clean()
