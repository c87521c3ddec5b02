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
