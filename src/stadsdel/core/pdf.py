"""HTML to PDF, for the reports and evaluations that offer a PDF beside their page."""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, and only PDF output needs it.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
