"""The one page-level asset the shared layout serves itself: the chart library bundle."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from stadsdel.ui import charts


@require_GET
@gzip_page
def vega_bundle(request):
    """Vega, Vega-Lite and vega-embed from vl-convert: the charts need nothing from the internet.
    Pages link it with the bundle's version in the query (?v=), so browsers may keep it a year."""
    response = HttpResponse(charts.vega_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
