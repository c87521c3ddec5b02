"""Two sessions, one object: both load it at the same version and save different changes at the
same time. Exactly one save wins, the other is refused as stale (StaleVersionError; 409 on the
page), the object holds the winner's change with nothing of the loser's, and the history records
the winner's save and never the loser's.

The threaded tests need a database where two connections can write at once. SQLite's in-memory test
database (shared cache) refuses a second writer at once ("database table is locked") instead of
waiting, so they run on PostgreSQL (which CI also runs) and on an SQLite test database in a file;
the sequential test of the same scenario runs everywhere.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from stadsdel.accounts.models import Membership, Role
from stadsdel.agreements.models import Organisation, Partnership
from stadsdel.agreements.services import partnership_update
from stadsdel.areas.models import District
from stadsdel.core import versions
from stadsdel.core.versions import StaleVersionError
from stadsdel.indicators.models import Indicator
from stadsdel.plans import services as plan_services
from stadsdel.plans.models import Goal, GoalArea

_DEFAULT = settings.DATABASES["default"]
_IN_MEMORY_SQLITE = _DEFAULT["ENGINE"].endswith("sqlite3") and not (_DEFAULT.get("TEST") or {}).get("NAME")
needs_concurrent_writers = pytest.mark.skipif(
    _IN_MEMORY_SQLITE,
    reason="SQLite's in-memory test database refuses a second concurrent writer outright; run with "
    "DATABASE_URL=postgres://… (CI does) to race two real connections",
)


def _seeded_haninge_goal(username: str, *, seed: bool = True):
    """A coordinator of Haninge and a goal in Jordbro's plan. A transactional test starts from a
    database an earlier one may have flushed, so it loads the seed registry itself."""
    from django.contrib.auth import get_user_model

    from stadsdel.seeds.loader import seeds_load

    if seed:
        seeds_load()
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    Membership.objects.create(user=user, organisation=Organisation.objects.get(key="haninge_kommun"),
                              role=Role.MUNICIPALITY)
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_services.plan_create(user=user, district=jordbro, year=2011, period_end=2014)
    goal = plan_services.goal_create(
        user=user, plan=plan,
        fields={"goal_area": GoalArea.objects.get(programme__key=plan_services.NATIONAL_PROGRAMME, key="arbete"),
                "number": "1.1", "text": "Fler i arbete i Jordbro.", "baseline_value": 61.0, "baseline_year": 2010,
                "target_value": 66.0, "target_year": 2014, "accepted_by": "Kommunstyrelsen",
                "accepted_on": dt.date(2011, 3, 1)},
        scope_districts=[jordbro], indicators=[Indicator.objects.get(code="employment_rate_20_64")],
        responsible=[Organisation.objects.get(key="haninge_kommun")],
    )
    return user, plan, goal


def goal_edits(round_: int = 1) -> list[dict]:
    """Two different edits of one goal; each also changes a relation, so a half-applied save would show."""
    return [
        {"fields": {"text": f"Fler i arbete: session A, runda {round_}.", "target_value": 70.0 + round_},
         "indicators": ["employment_rate_20_64", "unemployment_20_64"]},
        {"fields": {"text": f"Fler i arbete: session B, runda {round_}.", "target_year": 2016,
                    "accepted_by": "Session B"},
         "indicators": ["social_assistance_share"]},
    ]


def _goal_update(user, goal: Goal, version: int, edit: dict) -> Goal:
    return plan_services.goal_update(
        user=user, goal=goal, version=version, fields=edit["fields"],
        indicators=list(Indicator.objects.filter(code__in=edit["indicators"])),
    )


def _assert_goal_holds_only(goal_pk: int, winner: dict, loser: dict, version: int) -> None:
    goal = Goal.objects.get(pk=goal_pk)
    assert goal.version == version
    for name, value in winner["fields"].items():
        assert getattr(goal, name) == value
    for name, value in loser["fields"].items():
        if name not in winner["fields"]:
            assert getattr(goal, name) != value, f"the refused save's {name} was written"
    assert sorted(goal.indicators.values_list("code", flat=True)) == sorted(winner["indicators"])
    latest = goal.history.order_by("-history_date", "-history_id").first()
    assert latest.version == version and latest.text == winner["fields"]["text"]
    assert not goal.history.filter(text=loser["fields"]["text"]).exists(), "the history has the refused save"


# -- sequential: the same scenario, one step after the other, on every database ---------------------

@pytest.mark.django_db
def test_two_sessions_saving_one_goal_in_turn_the_second_is_refused_whole():
    user, _plan, goal = _seeded_haninge_goal("samordnare-seq", seed=False)
    first, second = Goal.objects.get(pk=goal.pk), Goal.objects.get(pk=goal.pk)  # two sessions load it
    loaded = first.version
    edits = goal_edits()
    _goal_update(user, first, loaded, edits[0])
    with pytest.raises(StaleVersionError) as refused:
        _goal_update(user, second, loaded, edits[1])
    assert refused.value.current_version == loaded + 1
    _assert_goal_holds_only(goal.pk, edits[0], edits[1], loaded + 1)


@pytest.mark.django_db
def test_two_sessions_saving_one_partnership_in_turn_the_second_is_refused_whole(haninge_user):
    first, second = Partnership.objects.get(key="jordbro"), Partnership.objects.get(key="jordbro")
    loaded = first.version
    partnership_update(user=haninge_user, partnership=first, version=loaded, fields={"name": "Partnerskap A"})
    with pytest.raises(StaleVersionError):
        partnership_update(user=haninge_user, partnership=second, version=loaded,
                           fields={"name": "Partnerskap B", "basis": "Session B"}, districts=[])
    fresh = Partnership.objects.get(key="jordbro")
    assert (fresh.name, fresh.version) == ("Partnerskap A", loaded + 1)
    assert fresh.basis != "Session B" and fresh.districts.filter(name="Jordbro").exists()
    assert not fresh.history.filter(name="Partnerskap B").exists()


# -- threaded: two connections, released together by a barrier ---------------------------------------

def _race(work: Callable[[int, threading.Barrier], object]) -> list[tuple[str, object]]:
    """Run `work(0, barrier)` and `work(1, barrier)` in two threads, each with its own database
    connection (closed at the thread's end); return ("ok", result) or ("error", exception) each."""
    barrier = threading.Barrier(2, timeout=30)
    results: list[tuple[str, object]] = [("missing", None), ("missing", None)]

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


def _one_winner(results: list[tuple[str, object]], refused: Callable[[object], bool]) -> int:
    """The winner's index, after checking that the other session was refused and nothing else went wrong."""
    oks = [i for i, (kind, _) in enumerate(results) if kind == "ok" and not refused(results[i][1])]
    losers = [i for i, (kind, value) in enumerate(results) if refused(value)]
    assert len(oks) == 1 and len(losers) == 1, f"expected one winner and one refusal, got {results}"
    return oks[0]


@pytest.fixture
def hold_the_winners_transaction(monkeypatch):
    """When on, the session whose compare-and-set succeeds waits inside its transaction, so the
    other session's save certainly arrives while the winner's is still open."""
    state = {"delay": 0.0}
    real = versions.version_bump

    def slow_bump(model, obj, version):
        real(model, obj, version)
        time.sleep(state["delay"])

    # Every versioned write (goals, partnerships) bumps through core's versioned_update.
    monkeypatch.setattr(versions, "version_bump", slow_bump)
    return state


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_two_sessions_saving_one_goal_at_once_exactly_one_wins(hold_the_winners_transaction):
    user, _plan, goal = _seeded_haninge_goal("samordnare-race")
    # Round 1 is a plain race; in rounds 2 and 3 the winner holds its transaction open for a while.
    for round_, delay in enumerate((0.0, 0.3, 0.3), start=1):
        hold_the_winners_transaction["delay"] = delay
        loaded = Goal.objects.get(pk=goal.pk).version
        edits = goal_edits(round_)

        def save(i: int, barrier: threading.Barrier, loaded=loaded, edits=edits):
            mine = Goal.objects.select_related("plan__district").get(pk=goal.pk)  # this session's load
            assert mine.version == loaded
            barrier.wait()
            return _goal_update(user, mine, loaded, edits[i])

        results = _race(save)
        winner = _one_winner(results, lambda value: isinstance(value, StaleVersionError))
        loser = 1 - winner
        assert results[loser][1].current_version == loaded + 1
        _assert_goal_holds_only(goal.pk, edits[winner], edits[loser], loaded + 1)
        # The next round starts from the loser's other values, so a leak of them would not show.
        Goal.objects.filter(pk=goal.pk).update(target_year=2014, accepted_by="Kommunstyrelsen", target_value=66.0)


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_two_sessions_saving_one_partnership_at_once_exactly_one_wins(hold_the_winners_transaction):
    user, _plan, _goal = _seeded_haninge_goal("samordnare-partnership")
    hold_the_winners_transaction["delay"] = 0.3
    partnership = Partnership.objects.get(key="jordbro")
    loaded = partnership.version
    edits = [{"name": "Partnerskap A", "basis": "Session A"}, {"name": "Partnerskap B", "formed_on": dt.date(2009, 1, 1)}]
    districts = [list(partnership.districts.all()), []]

    def save(i: int, barrier: threading.Barrier):
        mine = Partnership.objects.get(pk=partnership.pk)
        barrier.wait()
        return partnership_update(user=user, partnership=mine, version=loaded, fields=edits[i], districts=districts[i])

    results = _race(save)
    winner = _one_winner(results, lambda value: isinstance(value, StaleVersionError))
    fresh = Partnership.objects.get(pk=partnership.pk)
    assert fresh.version == loaded + 1 and fresh.name == edits[winner]["name"]
    assert list(fresh.districts.all()) == districts[winner]
    if winner == 0:
        assert fresh.formed_on != dt.date(2009, 1, 1)
    else:
        assert fresh.basis != "Session A"
    assert not fresh.history.filter(name=edits[1 - winner]["name"]).exists()
    assert fresh.history.order_by("-history_date", "-history_id").first().name == edits[winner]["name"]


def _goal_form(plan, goal, **changes) -> dict:
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    data = {"goal_area": goal.goal_area_id, "number": goal.number, "text": goal.text, "scope_districts": [jordbro.pk],
            "baseline_value": "61", "baseline_year": "2010", "target_value": "66", "target_year": "2014",
            "accepted_by": "Kommunstyrelsen", "accepted_on": "2011-03-01", "version": goal.version}
    data.update(changes)
    return data


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_two_browsers_posting_one_goal_form_at_once_one_gets_409(hold_the_winners_transaction):
    user, plan, goal = _seeded_haninge_goal("samordnare-http")
    hold_the_winners_transaction["delay"] = 0.3
    url = f"/plans/{plan.pk}/goals/{goal.pk}/"
    posts = [_goal_form(plan, goal, text="Formulär A.", target_value="70"),
             _goal_form(plan, goal, text="Formulär B.", target_year="2016")]
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user)

    def post(i: int, barrier: threading.Barrier):
        barrier.wait()
        return clients[i].post(url, posts[i]).status_code

    results = _race(post)
    assert all(kind == "ok" for kind, _ in results), results
    statuses = [value for _, value in results]
    assert sorted(statuses) == [302, 409], results
    winner = statuses.index(302)
    fresh = Goal.objects.get(pk=goal.pk)
    assert fresh.version == goal.version + 1 and fresh.text == posts[winner]["text"]
    assert (fresh.target_value, fresh.target_year) == ((70.0, 2014) if winner == 0 else (66.0, 2016))
    assert not fresh.history.filter(text=posts[1 - winner]["text"]).exists()
