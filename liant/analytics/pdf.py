"""A report as a PDF, laid out by WeasyPrint from the same HTML as the report page.

Nothing is fetched while the PDF is made: the stylesheet is inline, the charts are inline
SVG, and the commentary's HTML allows no images. A fetcher that refuses every URL keeps it
so even if a link slipped into the HTML (no request from the server to an address a user
typed)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from liant.analytics.models import Report
from liant.analytics.reports import build

# Importing WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make
# the media library accept images cut short during an upload in every process that can make a
# report. Reports embed no bitmap image (inline SVG only), so Pillow's strict default is put
# back; tests/media/test_images.py checks it after importing this module.
ImageFile.LOAD_TRUNCATED_IMAGES = False


class NoFetching(URLFetcher):
    def fetch(self, url: str, headers: object = None) -> object:
        raise ValueError(f"reports fetch nothing ({url[:80]})")


def render_html(report: Report, language: str) -> str:
    with translation.override(language), timezone.override(report.workspace.timezone):
        built = build(report)
        return render_to_string(
            "analytics/report_pdf.html", {"built": built, "workspace": report.workspace}
        )


def render_pdf(report: Report, language: str) -> bytes:
    html = render_html(report, language)
    pdf = HTML(string=html, url_fetcher=NoFetching()).write_pdf()
    assert pdf is not None
    return pdf


def filename(report: Report) -> str:
    return f"{slugify(report.title)[:80] or 'report'}.pdf"
