"""The language a page is shown in, as the product's texts know it: Swedish or English."""

from __future__ import annotations

from django.utils.translation import get_language


def page_language() -> str:
    """"en" when the active language is English (en, en-gb, …), else "sv" (the default, also
    outside a request)."""
    return "en" if (get_language() or "").startswith("en") else "sv"
