"""The SoA as PDF: WeasyPrint prints the page's own table (``controls/_soa_table.html``).

A published version prints the table frozen with it; the working copy renders it now.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from openisms.controls.exports import Meta


def to_pdf(rows: list[dict[str, Any]], meta: Meta) -> bytes:
    """The cover facts and the page's table, in ``controls/soa_print.html``, as PDF."""
    from weasyprint import HTML

    html = render_to_string("controls/soa_print.html", {"meta": meta})
    document: bytes = HTML(string=html).write_pdf()
    return document
