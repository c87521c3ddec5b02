"""The `display` filter: how a value reads in a change history, the audit log and an edit
conflict, in the page's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from stadsdel.ui.templatetags.stadsdel import display


@pytest.mark.parametrize(("value", "swedish", "english"), [
    (2024, "2024", "2024"),                      # a year stays whole
    (1500000, "1\xa0500\xa0000", "1,500,000"),    # an amount is grouped
    (Decimal("250000.50"), "250\xa0000,50", "250,000.50"),
    (12.5, "12,5", "12.5"),
    (-45000, "-45\xa0000", "-45,000"),
    (True, "ja", "yes"),
    (None, "—", "—"),
])
def test_numbers_read_in_the_page_language(value, swedish, english):
    with translation.override("sv"):
        assert display(value) == swedish
    with translation.override("en"):
        assert display(value) == english


def test_a_record_with_an_english_name_reads_by_its_name_not_its_code():
    from stadsdel.indicators.models import Indicator

    employment = Indicator(code="employment_rate_20_64", name="Förvärvsfrekvens 20–64 år",
                           name_en="Employment rate 20–64")
    with translation.override("sv"):
        assert display([employment]) == "Förvärvsfrekvens 20–64 år"
    with translation.override("en"):
        assert display(employment) == "Employment rate 20–64"
