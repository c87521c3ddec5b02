"""A district's statistics page caches its indicators over time (issue 20: thirty charts and
tables, 2 600 figures at national scale) per district, language and data version. The cache
must never serve figures that changed: an import, a figure edited alone, a renamed indicator or
crosswalk each show on the very next view."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from stadsdel.areas.models import CodeSystem, Crosswalk, District
from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation
from stadsdel.indicators.services.observations import (
    NewObservation,
    batch_create,
    batch_finish,
    observations_write,
)
from stadsdel.indicators.services.units import unit_for_district, unit_for_municipality

pytestmark = pytest.mark.django_db

CODE = "employment_rate_20_64"


def alby() -> District:
    return District.objects.get(name="Alby", kind=District.Kind.DISTRICT)


def import_figures(figures: dict[int, float], *, user=None) -> ImportBatch:
    """What every import does: a batch, the figures written, the batch finished, one transaction."""
    district = alby()
    indicator = Indicator.objects.get(code=CODE)
    with transaction.atomic():
        batch = batch_create(kind=ImportBatch.Kind.CSV, source_name="alby.csv", user=user)
        # The municipality ten above the district, so that each figure reads apart.
        rows = [NewObservation(indicator.pk, unit, year, "T", value + plus, None, None, "ok")
                for year, value in figures.items()
                for unit, plus in ((unit_for_district(district.pk), 0),
                                   (unit_for_municipality(district.municipality), 10))]
        outcome = observations_write(rows, batch=batch, user=user)
        batch_finish(batch, outcome, dry_run=False)
    return batch


def series_section(client) -> str:
    response = client.get(reverse("indicators:district_statistics", args=[alby().pk]))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('id="series-heading"'):page.index('id="imports-heading"')]


def employment_table(section: str) -> str:
    start = section.index(f'id="chart-{CODE}-heading"')
    return section[start:section.index("</table>", start)]


def test_a_second_view_reads_the_cached_section(client):
    import_figures({2010: 52.25, 2011: 53.5})
    with CaptureQueriesContext(transaction.get_connection()) as first:
        before = series_section(client)
    with CaptureQueriesContext(transaction.get_connection()) as second:
        again = series_section(client)
    assert again == before
    assert "52,3" in employment_table(before) and "53,5" in employment_table(before)
    # The cached view reads neither the figures nor the catalogue.
    assert not any("indicators_observation" in q["sql"] and "district_id" in q["sql"] and "IN (SELECT" in q["sql"]
                   for q in second.captured_queries)
    assert len(second) < len(first)


def test_an_import_shows_on_the_next_view(client):
    import_figures({2010: 52.25, 2011: 53.5})
    assert "53,5" in employment_table(series_section(client))
    import_figures({2011: 61.75})
    table = employment_table(series_section(client))
    assert "61,8" in table and "53,5" not in table
    # A new year makes a new row.
    import_figures({2012: 70.0})
    assert '<th scope="row">2012</th>' in employment_table(series_section(client))


def test_a_figure_edited_alone_shows_on_the_next_view(client):
    import_figures({2010: 52.25, 2011: 53.5})
    assert "53,5" in employment_table(series_section(client))
    figure = Observation.objects.get(indicator__code=CODE, level=Level.DISTRICT, district=alby(), period=2011)
    figure.value = 47.0  # as the admin saves it
    figure.save()
    table = employment_table(series_section(client))
    assert "47,0" in table and "53,5" not in table


def test_a_renamed_indicator_and_crosswalk_show_on_the_next_view(client):
    import_figures({2010: 52.25, 2011: 53.5})
    crosswalk = Crosswalk.objects.create(from_system=CodeSystem.objects.get(code="SAMS"),
                                         to_system=CodeSystem.objects.get(code="DeSO"), name="SAMS → DeSO")
    import_figures({2011: 54.0})
    Observation.objects.filter(district=alby(), period=2011).update(crosswalk=crosswalk)
    # A bulk update outside an import counts nothing by itself; the import above did, and the
    # page was not viewed in between. Renames are saves, which count.
    section = series_section(client)
    assert "omräknad via SAMS → DeSO" in section
    crosswalk.name = "SAMS → DeSO 2018"
    crosswalk.save()
    assert "omräknad via SAMS → DeSO 2018" in series_section(client)
    indicator = Indicator.objects.get(code=CODE)
    indicator.name = "Sysselsättning (nytt namn)"
    indicator.save()
    assert "Sysselsättning (nytt namn)" in series_section(client)


def test_each_language_has_its_own_section(client):
    import_figures({2010: 52.25})
    swedish = series_section(client)
    client.cookies["django_language"] = "en"
    # The locale middleware leaves the language it activated on this thread: restored after.
    with translation.override("sv"):
        english = series_section(client)
    assert "52,3" in employment_table(swedish)
    assert re.search(r"52\.3", employment_table(english)) and english != swedish
