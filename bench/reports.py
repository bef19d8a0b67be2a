"""Reports: the demo's monthly report (Maison Lumière, last month, every section) made into
a PDF, as a download or a scheduled e-mail does it: the figures read from the daily roll-ups
and the page built, then WeasyPrint's layout and the PDF written.

It loads the whole demo first (about a minute), on SQLite unless DATABASE_URL is set.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

RUNS = 5


def run(report: Callable[..., None]) -> None:
    from django.db import connection
    from weasyprint import HTML

    from liant.analytics.models import Report
    from liant.analytics.pdf import NoFetching, render_html
    from liant.demo.loader import load

    began = time.perf_counter()
    load()
    loaded = time.perf_counter() - began
    made = Report.objects.filter(
        workspace__slug="maison-lumiere", is_template=False
    ).select_related("workspace")
    demo_report = made.get()
    sections = demo_report.sections.count()
    data = f"the demo's report “{demo_report.title}”, {sections} sections, on {connection.vendor}"
    report("demo_load", loaded, "s", f"loading the whole demo on {connection.vendor}")
    for language in ("fr", "en"):
        html_times, pdf_times, pages = [], [], 0
        for _ in range(RUNS):
            t = time.perf_counter()
            html = render_html(demo_report, language)
            middle = time.perf_counter()
            document = HTML(string=html, url_fetcher=NoFetching()).render()
            document.write_pdf()
            done = time.perf_counter()
            html_times.append((middle - t) * 1000)
            pdf_times.append((done - t) * 1000)
            pages = len(document.pages)
        note = f"{data}, in {language}, {pages} pages, median of {RUNS}"
        report(
            f"report_html_{language}",
            statistics.median(html_times),
            "ms",
            note + ": figures + HTML",
        )
        report(
            f"report_pdf_{language}",
            statistics.median(pdf_times),
            "ms",
            note + ": figures + HTML + PDF",
        )
