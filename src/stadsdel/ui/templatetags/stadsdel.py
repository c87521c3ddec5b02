"""Template filters shared by the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import PureWindowsPath

from django import template
from django.db.models import QuerySet
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from stadsdel.core.language import page_language

register = template.Library()


@register.filter
def display(value) -> str:
    """A value as a reader should see it in a comparison or a change history: yes/no for
    booleans, names joined for lists, local dates, numbers in the page's language, a dash for
    nothing."""
    if value is None or value == "" or (isinstance(value, list | tuple | set) and not value):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple | set | QuerySet):
        return ", ".join(_record_name(item) for item in value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, int | float | Decimal):
        # Grouped from five digits: Swedish writes four-digit numbers, years among them, whole.
        return formats.number_format(value, force_grouping=abs(value) >= 10_000)
    return _record_name(value)


def _record_name(value) -> str:
    # A record with an English name (an indicator, a goal area) reads by its name in the page's
    # language; an indicator's str() is its code, which a reader should not meet.
    if hasattr(value, "name_en") and hasattr(value, "name"):
        return in_language(value)
    return str(value)


# -- statistics -----------------------------------------------------------------------------------
# Stored values are unrounded; these filters round for reading only, in the page's language
# (Swedish: decimal comma and a space between thousands).

NO_FIGURE = ".."  # SCB's sign for "uppgift saknas"
SUPPRESSED = "–"


def _decimals(decimals) -> int:
    # A missing template variable arrives as ""; one decimal is the catalogue's default.
    try:
        return max(int(decimals), 0)
    except (TypeError, ValueError):
        return 1


@register.filter
def in_language(record, field="name") -> str:
    """A record's text in the page language: its `name` (or the field named, e.g.
    `description`) with `_en` in English when it has one, else the Swedish field."""
    if record is None:
        return ""
    english = getattr(record, f"{field}_en", "")
    if english and page_language() == "en":
        return english
    return getattr(record, field)


@register.filter
def figure(value, decimals=1) -> str:
    """A value rounded to `decimals` for display; no value is SCB's "..". """
    if value is None:
        return NO_FIGURE
    return floatformat(value, f"{_decimals(decimals)}g")


@register.filter
def signed(value, decimals=1) -> str:
    """A difference with its sign (the minus sign, not a hyphen)."""
    if value is None:
        return NO_FIGURE
    text = floatformat(abs(value), f"{_decimals(decimals)}g")
    if text.strip("0,. ") == "":
        return text
    return ("+" if value > 0 else "\u2212") + text


@register.filter
def percent(value, decimals=0) -> str:
    """A share (0–1) in per cent: 0.25 → "25 %"."""
    if value is None:
        return NO_FIGURE
    return f"{floatformat(100 * value, f'{_decimals(decimals)}g')} %"


@register.filter
def count(value) -> str:
    """A count: whole numbers without decimals (mapped counts may carry a fraction)."""
    if value is None:
        return NO_FIGURE
    return floatformat(value, "-1g")


@register.filter
def get_item(mapping, key):
    """`mapping[key]`, or None: a dict lookup by a variable key, which templates cannot write."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def file_name(source: str) -> str:
    """The last part of an import's source: a microdata run records the analyst's local path,
    whose folders (often a user name) are nobody else's business."""
    return PureWindowsPath(source).name if source else ""


def shorten_text(text, width: int = 90) -> str:
    """`text` cut to at most `width` characters at a word boundary, with "…" where it was cut
    (Django's `truncatechars` cuts in the middle of a word: "Fler i arbe…")."""
    text = " ".join(str(text or "").split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut and not text[width - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.–-") + "…"


@register.filter
def shorten(text, width=90) -> str:
    return shorten_text(text, int(width))
