"""Template filters shared by the pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def display(value) -> str:
    """A value as a reader should see it in a comparison or a change history: yes/no for
    booleans, names joined for lists, local dates, a dash for nothing."""
    if value is None or value == "" or (isinstance(value, list | tuple | set) and not value):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple | set | QuerySet):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)
