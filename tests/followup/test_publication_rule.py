"""Publication is one rule: `/reports/` and `/portal/` list the same published follow-up and
national reports to the public, through the same selectors, and an unpublished one in neither."""

from __future__ import annotations

import re

import pytest

from stadsdel.areas.models import Municipality
from stadsdel.followup.models import FollowUpReport, NationalReport


@pytest.fixture
def reports(db):
    haninge = Municipality.objects.get(code="0136")
    malmo = Municipality.objects.get(code="1280")
    return {
        "published": FollowUpReport.objects.create(municipality=haninge, year=2011, published=True),
        "unpublished": FollowUpReport.objects.create(municipality=malmo, year=2011, published=False),
        "national_published": NationalReport.objects.create(year=2010, published=True),
        "national_unpublished": NationalReport.objects.create(year=2011, published=False),
    }


def _report_links(html: str) -> set[str]:
    """Every link to a follow-up or national report's page in a list page."""
    return set(re.findall(r'href="(/reports/(?:national/\d{4}|\d{4}/\d{4})/)"', html))


def test_reports_and_portal_list_the_same_published_reports(client, reports):
    listed = _report_links(client.get("/reports/").content.decode())
    portal = _report_links(client.get("/portal/").content.decode())
    assert listed == portal == {"/reports/0136/2011/", "/reports/national/2010/"}
    # The unpublished follow-up and national report are in neither list.
    assert "/reports/1280/2011/" not in listed | portal
    assert "/reports/national/2011/" not in listed | portal


def test_nothing_published_lists_nothing_in_either(client, db):
    assert _report_links(client.get("/reports/").content.decode()) == set()
    assert _report_links(client.get("/portal/").content.decode()) == set()


def test_publishing_makes_a_report_appear_in_both(client, reports):
    report = reports["unpublished"]
    report.published = True
    report.save()
    assert "/reports/1280/2011/" in _report_links(client.get("/reports/").content.decode())
    assert "/reports/1280/2011/" in _report_links(client.get("/portal/").content.decode())


def test_the_ministry_still_reaches_every_generated_report(client, ministry_user, reports):
    client.force_login(ministry_user)
    links = _report_links(client.get("/reports/").content.decode())
    assert {"/reports/national/2011/", "/reports/1280/2011/"} <= links
