"""Fixtures of the funding tests (the cast itself is in funding_cast.py)."""

from __future__ import annotations

import pytest
from funding_cast import application_make, approve, world_create


@pytest.fixture(autouse=True)
def mail_at_once(monkeypatch):
    """Mail goes out when the transaction commits; a test runs inside one that never does, so
    send at once (the decision is committed as far as the test is concerned)."""
    from stadsdel.funding import notify

    monkeypatch.setattr(notify, "_on_commit", lambda send: send())


@pytest.fixture
def fund_world(db, committee_user):
    return world_create(committee_user)


@pytest.fixture
def make_app(fund_world):
    return lambda **kw: application_make(fund_world, **kw)


@pytest.fixture(name="approve")
def approve_fixture():
    return approve
