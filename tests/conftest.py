"""Shared fixtures: the seed registry loaded once per test session, and a fixed cast of users,
one per role (house style: owner, member, outsider, anonymous)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from stadsdel.accounts.models import Membership, Role
from stadsdel.agreements.models import Organisation


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files (fund application attachments) go to the test's own directory, never the
    user's data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from the real seed registry (loaded once, rolled back per test)."""
    from stadsdel.seeds.loader import seeds_load

    with django_db_blocker.unblock():
        seeds_load()
    yield
    # The live server answers each request in its own thread, and a thread kept alive by the
    # browser's keep-alive can still hold a PostgreSQL session when the test database is dropped.
    # End those sessions first so the teardown is clean.
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


def make_user(username: str, *, org_key: str | None = None, role: str | None = None, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, **extra)
    if org_key:
        Membership.objects.create(user=user, organisation=Organisation.objects.get(key=org_key), role=role)
    return user


@pytest.fixture
def ministry_user(db):
    return make_user("ministry", org_key="arbetsmarknadsdepartementet", role=Role.MINISTRY)


@pytest.fixture
def haninge_user(db):
    """Municipality A: Haninge's urban-development coordinator (owns the Jordbro partnership)."""
    return make_user("haninge", org_key="haninge_kommun", role=Role.MUNICIPALITY)


@pytest.fixture
def malmo_user(db):
    """Municipality B: Malmö's coordinator, an outsider to Haninge's records."""
    return make_user("malmo", org_key="malmo_kommun", role=Role.MUNICIPALITY)


@pytest.fixture
def agency_user(db):
    return make_user("fk", org_key="forsakringskassan", role=Role.AGENCY)


@pytest.fixture
def analyst_user(db):
    return make_user("analyst", org_key="stockholms_kommun", role=Role.ANALYST)


@pytest.fixture
def committee_user(db):
    return make_user("committee", org_key="stockholm_rinkeby_kista_stadsdelsnamnd", role=Role.COMMITTEE_MEMBER)


@pytest.fixture
def applicant_user(db):
    """An applicant for project funds: Rinkeby-Kista's district administration (the
    stadsdelsnämnd's organisation), acting for that organisation only."""
    return make_user("applicant", org_key="stockholm_rinkeby_kista_stadsdelsnamnd", role=Role.APPLICANT)


@pytest.fixture
def other_applicant_user(db):
    """An applicant of another organisation of the same municipality (Spånga-Tensta)."""
    return make_user("other-applicant", org_key="stockholm_spanga_tensta_stadsdelsnamnd", role=Role.APPLICANT)


@pytest.fixture
def member(db):
    """`make_user` for a test's own cast: member("name", org_key=..., role=...)."""
    return make_user


@pytest.fixture
def map_filled():
    """Renders a map to SVG with vl-convert, as the PDFs are, and asserts that every given name
    (the tooltip's first line) has a filled shape of some size: a map that would be blank — a
    shape outside the plot, collapsed to a point or left unfilled — fails. Returns, by name, the
    fills and sizes (width, height in pixels) of the geoshapes drawn."""
    import re

    from stadsdel.ui.charts import chart_svg

    def check(spec: dict, names) -> dict[str, list[tuple[str, float, float]]]:
        svg = chart_svg(spec)
        shapes: dict[str, list[tuple[str, float, float]]] = {}
        for path in re.findall(r'<path[^>]*aria-roledescription="geoshape"[^>]*>', svg):
            label = re.search(r'aria-label="([^"]*)"', path).group(1)
            name = re.search(r"(?:^|; )\s*: ([^;]+)", label)
            fill = re.search(r'fill="([^"]*)"', path)
            d = re.search(r' d="([^"]*)"', path).group(1)
            xs = [float(x) for x in re.findall(r"(-?[\d.]+),-?[\d.]+", d)]
            ys = [float(y) for y in re.findall(r"-?[\d.]+,(-?[\d.]+)", d)]
            size = (max(xs) - min(xs), max(ys) - min(ys)) if xs else (0.0, 0.0)
            shapes.setdefault(name.group(1) if name else "", []).append((fill.group(1) if fill else "none", *size))
        for name in names:
            drawn = shapes.get(name)
            assert drawn, f"{name} is not on the map"
            assert any(fill not in ("none", "transparent", "") and w > 0.5 and h > 0.5 for fill, w, h in drawn), \
                f"{name} is drawn blank: {drawn}"
        return shapes

    return check
